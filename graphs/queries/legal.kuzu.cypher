// Kùzu translations of the queries in legal.cypher whose text differs in Kùzu's dialect
// (every other query runs in Kùzu exactly as written). Used by tools/diff_query_peers.py.
//
// Why they differ:
// - Path counts: Kùzu's variable-length relationships count walks by default; `* TRAIL`
//   asks for openCypher's trail semantics (no relationship twice), which Lexgraph uses.
//   `length(e)` of the recursive relationship stands for `length(p)`.
// - `type(r)` is `label(r)` and `head(labels(n))` is `label(n)` in Kùzu.
// - The abstract ontology type `Case` has no table in Kùzu: its subtypes are listed.
// - `AS OF 'D'` is Lexgraph's extension: written out as the validity test on every
//   matched node and relationship (`valid_from` / `valid_to`, exported as columns).

// name: mapp-trails-by-length
MATCH (m:SupremeCourtCase {usid: '367US643'})-[e:CITES* TRAIL 1..3]->(c:SupremeCourtCase)
RETURN length(e) AS hops, count(*) AS chains
ORDER BY hops;

// name: mapp-neighbourhood-undirected-trails
MATCH (m:SupremeCourtCase {usid: '367US643'})-[:CITES* TRAIL 2..2]-(c:SupremeCourtCase)
RETURN count(*) AS trails, count(DISTINCT c) AS cases;

// name: miranda-to-mapp-chains
MATCH (a:SupremeCourtCase {usid: '384US436'})-[:CITES* TRAIL 1..3]->(m:SupremeCourtCase {usid: '367US643'})
RETURN count(*) AS chains;

// name: mapp-citers-as-of-1970
MATCH (c:SupremeCourtCase)-[r:CITES]->(m:SupremeCourtCase {usid: '367US643'})
WHERE (c.valid_from IS NULL OR c.valid_from <= '1970-01-01') AND (c.valid_to IS NULL OR c.valid_to > '1970-01-01')
  AND (r.valid_from IS NULL OR r.valid_from <= '1970-01-01') AND (r.valid_to IS NULL OR r.valid_to > '1970-01-01')
  AND (m.valid_from IS NULL OR m.valid_from <= '1970-01-01') AND (m.valid_to IS NULL OR m.valid_to > '1970-01-01')
RETURN count(*) AS citing, max(c.year) AS latest;

// name: edges-by-type
MATCH ()-[r]->()
RETURN label(r) AS type, count(*) AS edges;

// name: cases-by-type
MATCH (c:SupremeCourtCase:ECtHRJudgment)
RETURN label(c) AS kind, count(*) AS cases;

// name: echr-citation-trails
MATCH (a:ECtHRJudgment)-[e:CITES* TRAIL 1..3]->(b:ECtHRJudgment)
RETURN length(e) AS hops, count(*) AS trails
ORDER BY hops;

// name: echr-undirected-trails
MATCH (a:ECtHRJudgment)-[:CITES* TRAIL 2..2]-(b:ECtHRJudgment)
RETURN count(*) AS trails;
