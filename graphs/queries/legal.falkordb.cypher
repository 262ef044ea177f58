// FalkorDB translations of the queries in legal.cypher whose text differs in its dialect
// (every other query runs in FalkorDB exactly as written). Used by
// tools/diff_query_peers.py. FalkorDB is schema-free and loaded like GraphQLite
// (tools/peer_graph.py): each node carries one label, its ontology type, so the abstract
// `Case` is written as its subtypes, and `AS OF 'D'` (Lexgraph's extension) as the
// validity test on every matched node and relationship (`valid_from` / `valid_to`,
// stored as properties where set). Path counts need no translation: one variable-length
// relationship never repeats a relationship in FalkorDB (trail semantics, as ours).

// name: mapp-citers-as-of-1970
MATCH (c:SupremeCourtCase)-[r:CITES]->(m:SupremeCourtCase {usid: '367US643'})
WHERE (c.valid_from IS NULL OR c.valid_from <= '1970-01-01') AND (c.valid_to IS NULL OR c.valid_to > '1970-01-01')
  AND (r.valid_from IS NULL OR r.valid_from <= '1970-01-01') AND (r.valid_to IS NULL OR r.valid_to > '1970-01-01')
  AND (m.valid_from IS NULL OR m.valid_from <= '1970-01-01') AND (m.valid_to IS NULL OR m.valid_to > '1970-01-01')
RETURN count(*) AS citing, max(c.year) AS latest;

// name: cases-by-type
MATCH (c)
WHERE c:SupremeCourtCase OR c:ECtHRJudgment
RETURN head(labels(c)) AS kind, count(*) AS cases;
