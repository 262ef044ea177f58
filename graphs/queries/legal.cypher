// Real legal questions over the SCOTUS and ECtHR graphs (`lexgraph build scotus echr`).
//
// tools/diff_query_peers.py runs each of them through Lexgraph and through the peer
// engines (Kùzu, GraphQLite, FalkorDB) and compares the answers; where a peer's syntax
// differs the translation is written out in legal.PEER.cypher under the same name.
// Format: `// name:` starts a query, the comment lines after it are the legal question,
// `// flags: ordered` means the ORDER BY is a total order (compared row by row;
// otherwise results compare as bags), and `known-differ:PEER` marks a query where that
// peer is known to answer differently, for the reason given in the README ("Checked
// against peer engines"). Every returned column has an alias so all engines name it
// alike.

// ---- Precedent chains: Mapp v. Ohio, 367 U.S. 643 (1961) ---------------------------

// name: mapp-cites
// question: Which decisions does Mapp v. Ohio cite directly?
// flags: ordered
MATCH (m:SupremeCourtCase {usid: '367US643'})-[:CITES]->(c:SupremeCourtCase)
RETURN c.usid AS usid, c.name AS name, c.year AS year
ORDER BY usid;

// name: mapp-cites-two-hops
// question: Which precedents does Mapp rely on at exactly one remove (the authorities
// of its authorities), and through how many of its own citations each?
MATCH (m:SupremeCourtCase {usid: '367US643'})-[:CITES]->(mid:SupremeCourtCase)-[:CITES]->(c:SupremeCourtCase)
RETURN c.usid AS usid, count(DISTINCT mid) AS via;

// name: mapp-reach-within-3
// question: How many distinct precedents lie within three citation hops of Mapp, and how
// old is the oldest?
MATCH (m:SupremeCourtCase {usid: '367US643'})-[:CITES*1..3]->(c:SupremeCourtCase)
RETURN count(DISTINCT c) AS reached, min(c.year) AS oldest;

// name: mapp-trails-by-length
// question: How many citation chains (trails) of length 1, 2 and 3 start at Mapp?
// flags: ordered
MATCH p = (m:SupremeCourtCase {usid: '367US643'})-[:CITES*1..3]->(c:SupremeCourtCase)
RETURN length(p) AS hops, count(*) AS chains
ORDER BY hops;

// name: mapp-cited-by
// question: Which later decisions cite Mapp directly, by decade?
// flags: ordered
MATCH (c:SupremeCourtCase)-[:CITES]->(m:SupremeCourtCase {usid: '367US643'})
RETURN c.year / 10 * 10 AS decade, count(*) AS citing
ORDER BY decade;

// name: mapp-cited-within-2
// question: How many decisions cite Mapp directly or through one intermediate decision?
MATCH (c:SupremeCourtCase)-[:CITES*1..2]->(m:SupremeCourtCase {usid: '367US643'})
RETURN count(DISTINCT c) AS citing;

// name: mapp-neighbourhood-undirected-trails
// question: How many two-step citation trails (either direction) touch Mapp? A trail
// never reuses a citation, so going to a neighbour and straight back is not counted.
MATCH (m:SupremeCourtCase {usid: '367US643'})-[:CITES*2..2]-(c:SupremeCourtCase)
RETURN count(*) AS trails, count(DISTINCT c) AS cases;

// name: mapp-co-cited-with-weeks
// question: Which decisions cite both Mapp and Weeks v. United States (232 U.S. 383),
// the federal exclusionary-rule case Mapp extended to the states?
// flags: ordered
MATCH (w:SupremeCourtCase {usid: '232US383'})<-[:CITES]-(c:SupremeCourtCase)-[:CITES]->(m:SupremeCourtCase {usid: '367US643'})
RETURN c.usid AS usid, c.name AS name
ORDER BY usid;

// name: miranda-to-mapp-chains
// question: Through how many citation trails of at most three hops does Miranda v.
// Arizona (384 U.S. 436) reach Mapp?
MATCH (a:SupremeCourtCase {usid: '384US436'})-[:CITES*1..3]->(m:SupremeCourtCase {usid: '367US643'})
RETURN count(*) AS chains;

// name: gideon-cites-by-issue-area
// question: Gideon v. Wainwright (372 U.S. 335): the precedents it cites, by their SCDB
// issue area.
MATCH (g:SupremeCourtCase {usid: '372US335'})-[:CITES]->(c:SupremeCourtCase)-[:HAS_ISSUE]->(a:IssueArea)
RETURN a.name AS area, count(*) AS cited;

// ---- Overruled authority ------------------------------------------------------------

// name: overrulings-of-plessy
// question: Which decision overruled Plessy v. Ferguson (163 U.S. 537)?
MATCH (x:SupremeCourtCase)-[:OVERRULES]->(p:SupremeCourtCase {usid: '163US537'})
RETURN x.usid AS usid, x.name AS name, x.year AS year;

// name: mapp-relies-on-overruled
// question: Which precedents Mapp cites were later overruled, and by what?
// flags: ordered
MATCH (m:SupremeCourtCase {usid: '367US643'})-[:CITES]->(o:SupremeCourtCase)<-[:OVERRULES]-(x:SupremeCourtCase)
RETURN o.usid AS overruled, x.usid AS overruled_by
ORDER BY overruled, overruled_by;

// name: mapp-overruled-within-2
// question: Overruled authority within two citation hops of Mapp: how many distinct
// overruled precedents does its citation chain reach?
MATCH (m:SupremeCourtCase {usid: '367US643'})-[:CITES*1..2]->(o:SupremeCourtCase)<-[:OVERRULES]-(:SupremeCourtCase)
RETURN count(DISTINCT o) AS overruled;

// name: citing-after-overruling
// question: Which overruled precedents were still cited after the year they were
// overruled (top 10 by such citations)?
// flags: ordered
MATCH (c:SupremeCourtCase)-[:CITES]->(o:SupremeCourtCase)<-[:OVERRULES]-(x:SupremeCourtCase)
WHERE c.year > x.year
RETURN o.usid AS overruled, count(DISTINCT c) AS later_citations
ORDER BY later_citations DESC, overruled
LIMIT 10;

// name: overruling-counts-by-decade
// question: How many overrulings did the Court hand down per decade?
// flags: ordered
MATCH (x:SupremeCourtCase)-[:OVERRULES]->(o:SupremeCourtCase)
RETURN x.year / 10 * 10 AS decade, count(*) AS overrulings
ORDER BY decade;

// name: overruled-then-cited-by-overruler
// question: Does the overruling decision cite the precedent it overrules? Count both ways.
MATCH (x:SupremeCourtCase)-[:OVERRULES]->(o:SupremeCourtCase)
OPTIONAL MATCH (x)-[c:CITES]->(o)
RETURN c IS NULL AS without_citation, count(*) AS overrulings;

// ---- Provisions and issue areas -----------------------------------------------------

// name: fifth-amendment-by-issue-area
// question: Cases applying a Fifth Amendment provision, by provision and issue area.
MATCH (c:SupremeCourtCase)-[:APPLIES]->(p:Provision)
WHERE p.name STARTS WITH 'Fifth Amendment'
MATCH (c)-[:HAS_ISSUE]->(a:IssueArea)
RETURN p.name AS provision, a.name AS area, count(*) AS cases;

// name: miranda-warnings-cases-by-decade
// question: Cases applying the Fifth Amendment's Miranda-warnings provision, by decade.
// flags: ordered
MATCH (c:SupremeCourtCase)-[:APPLIES]->(p:Provision {name: 'Fifth Amendment (Miranda warnings)'})
RETURN c.year / 10 * 10 AS decade, count(*) AS cases
ORDER BY decade;

// name: fourth-amendment-citing-mapp
// question: Fourth Amendment cases (SCDB provision) that cite Mapp.
// flags: ordered
MATCH (c:SupremeCourtCase)-[:APPLIES]->(p:Provision {name: 'Fourth Amendment'}),
      (c)-[:CITES]->(m:SupremeCourtCase {usid: '367US643'})
RETURN c.usid AS usid, c.year AS year
ORDER BY usid;

// name: provisions-applied-by-mapp-citers
// question: Which constitutional provisions do the decisions citing Mapp apply (top 10)?
// flags: ordered
MATCH (p:Provision)<-[:APPLIES]-(c:SupremeCourtCase)-[:CITES]->(m:SupremeCourtCase {usid: '367US643'})
RETURN p.name AS provision, count(*) AS cases
ORDER BY cases DESC, provision
LIMIT 10;

// name: issue-area-case-counts
// question: Number of cases per issue area.
MATCH (c:SupremeCourtCase)-[:HAS_ISSUE]->(a:IssueArea)
RETURN a.name AS area, count(c) AS cases;

// name: issue-area-vote-margins
// question: Average majority and minority votes per issue area (floats compared with a
// tolerance).
MATCH (c:SupremeCourtCase)-[:HAS_ISSUE]->(a:IssueArea)
WHERE c.majority_votes IS NOT NULL
RETURN a.name AS area, avg(c.majority_votes) AS majority, avg(c.minority_votes) AS minority, count(*) AS cases;

// name: issues-of-criminal-procedure
// question: The specific issues of the Criminal Procedure issue area with the most
// cases (top 5).
// flags: ordered
MATCH (c:SupremeCourtCase)-[:HAS_ISSUE]->(i:Issue)-[:PART_OF]->(a:IssueArea {name: 'Criminal Procedure'})
RETURN i.name AS issue, count(c) AS cases
ORDER BY cases DESC, issue
LIMIT 5;

// name: provisions-without-cases
// question: For every Fifth Amendment provision, how many cases apply it (zero included)?
MATCH (p:Provision)
WHERE p.name STARTS WITH 'Fifth Amendment'
OPTIONAL MATCH (c:SupremeCourtCase)-[:APPLIES]->(p)
RETURN p.name AS provision, count(c) AS cases;

// name: mapp-citers-as-of-1970
// question: As the law stood on 1 January 1970, which decisions had cited Mapp? (AS OF:
// nodes and edges valid on that date.)
AS OF '1970-01-01'
MATCH (c:SupremeCourtCase)-[:CITES]->(m:SupremeCourtCase {usid: '367US643'})
RETURN count(*) AS citing, max(c.year) AS latest;

// ---- Edge types and the graph as a whole ---------------------------------------------

// name: edges-by-type
// question: How many edges of each type does the legal graph hold?
MATCH ()-[r]->()
RETURN type(r) AS type, count(*) AS edges;

// name: cases-by-type
// question: How many cases of each kind (SCOTUS, ECtHR) are there? `Case` is abstract:
// it matches its subtypes.
MATCH (c:Case)
RETURN head(labels(c)) AS kind, count(*) AS cases;

// name: most-cited-scotus
// question: The ten most-cited Supreme Court decisions.
// flags: ordered
MATCH (:SupremeCourtCase)-[:CITES]->(c:SupremeCourtCase)
RETURN c.usid AS usid, c.name AS name, count(*) AS citations
ORDER BY citations DESC, usid
LIMIT 10;

// ---- ECtHR: articles and citations --------------------------------------------------

// name: echr-article-8-by-state
// question: ECtHR judgments applying Article 8 (private and family life, home), by
// respondent state.
MATCH (j:ECtHRJudgment)-[:APPLIES]->(a:Article {number: '8'})
RETURN j.respondent_state AS state, count(*) AS judgments;

// name: echr-articles-with-article-8
// question: Which other Convention articles are applied together with Article 8, and how
// often? (Relationship uniqueness: `a` is Article 8 itself only through a second
// APPLIES edge, and the store has one per judgment and article.)
// flags: known-differ:kuzu known-differ:falkordb
MATCH (a8:Article {number: '8'})<-[:APPLIES]-(j:ECtHRJudgment)-[:APPLIES]->(a:Article)
RETURN a.number AS article, count(DISTINCT j) AS judgments;

// name: echr-violations-by-article
// question: For each article, how many annotated judgments found a violation and how
// many did not?
MATCH (j:ECtHRJudgment)-[:APPLIES]->(a:Article)
WHERE j.violation IN ['violation', 'non-violation']
RETURN a.number AS article, j.violation AS finding, count(*) AS judgments;

// name: echr-most-cited
// question: The ten most-cited ECtHR judgments in the housing citation network.
// flags: ordered
MATCH (:ECtHRJudgment)-[:CITES]->(j:ECtHRJudgment)
RETURN j.ecli AS ecli, count(*) AS citations
ORDER BY citations DESC, ecli
LIMIT 10;

// name: echr-reach-from-article-8
// question: How many distinct judgments are cited, within two hops, by judgments that
// apply Article 8?
MATCH (a:Article {number: '8'})<-[:APPLIES]-(j:ECtHRJudgment)-[:CITES*1..2]->(k:ECtHRJudgment)
RETURN count(DISTINCT k) AS reached;

// name: echr-citation-trails
// question: How many citation trails of one to three hops are there among ECtHR
// judgments, by length?
// flags: ordered
MATCH p = (a:ECtHRJudgment)-[:CITES*1..3]->(b:ECtHRJudgment)
RETURN length(p) AS hops, count(*) AS trails
ORDER BY hops;

// name: echr-undirected-trails
// question: Two-step trails through the ECtHR citation network in either direction
// (judgments linked through a common neighbour; a citation is never reused).
MATCH (a:ECtHRJudgment)-[:CITES*2..2]-(b:ECtHRJudgment)
RETURN count(*) AS trails;

// name: connors-co-cited
// question: Connors v. the United Kingdom (2004, eviction of a Roma family from a local
// authority site): which judgments are cited together with it, by the same citing
// judgment? Relationship uniqueness within one MATCH forbids using one citation for both
// relationships, so Connors is never "co-cited with itself".
// flags: known-differ:kuzu known-differ:falkordb
MATCH (a:ECtHRJudgment {ecli: 'ECLI:CE:ECHR:2004:0527JUD006674601'})<-[:CITES]-(m:ECtHRJudgment)-[:CITES]->(b:ECtHRJudgment)
RETURN count(*) AS pairs, count(DISTINCT b) AS judgments, sum(CASE WHEN b.ecli = a.ecli THEN 1 ELSE 0 END) AS with_itself;

// name: echr-states-citing-state
// question: Judgments against one state that cite judgments against another: the
// cross-state citation flows (top 10).
// flags: ordered
MATCH (a:ECtHRJudgment)-[:CITES]->(b:ECtHRJudgment)
WHERE a.respondent_state <> b.respondent_state
RETURN a.respondent_state AS citing_state, b.respondent_state AS cited_state, count(*) AS citations
ORDER BY citations DESC, citing_state, cited_state
LIMIT 10;

// name: echr-protocol-articles
// question: Articles of each Convention instrument (statute neighbourhood through
// PART_OF), and how many judgments apply any of them.
MATCH (a:Article)-[:PART_OF]->(s:Statute)
OPTIONAL MATCH (j:ECtHRJudgment)-[:APPLIES]->(a)
RETURN s.short_title AS instrument, count(DISTINCT a) AS articles, count(DISTINCT j) AS judgments;
