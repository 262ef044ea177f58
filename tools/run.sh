#!/usr/bin/env bash
# The main job, as the README's first command: install what is missing, build the CLI
# (release), build the three legal graphs from graphs/ recipes over the shared data
# into the default database, then show what they can do: counts, a precedent's
# neighbourhood, Cypher-like queries, an as-of walk with PageRank, a citator status,
# a case's as-of graph context, the pretrained encoder, the outcome baselines, a
# graph-features run with its report, and explained predictions for pending cases.
# (The graph-fused transformer run takes about 20 minutes on 2 cores; the README gives
# its command.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --product lexgraph
lexgraph() { .build/release/lexgraph "$@"; }
export LEXGRAPH_DB="${LEXGRAPH_DB:-var/lexgraph.sqlite}"
export LEXGRAPH_DATA="${LEXGRAPH_DATA:-../shared/data}"
step() { printf '\n== %s\n' "$*"; }

step "lexgraph build all"
lexgraph build all
step "lexgraph stats"
lexgraph stats
step "lexgraph show scotus:384US436   (Miranda v. Arizona)"
lexgraph show scotus:384US436
step "lexgraph query: what did Miranda v. Arizona cite most recently?"
lexgraph query "MATCH (m:SupremeCourtCase {usid: '384US436'})-[:CITES]->(p:SupremeCourtCase) RETURN p.name AS precedent, p.decision_date AS decided ORDER BY decided DESC LIMIT 5"
step "lexgraph query: which ECHR articles do the housing judgments apply most?"
lexgraph query "MATCH (j)-[:APPLIES]->(a:Article) RETURN a.name AS article, count(*) AS judgments ORDER BY judgments DESC LIMIT 5"
step "lexgraph walk scotus:367US643 --as-of 1966-06-12 (Mapp v. Ohio, the day before Miranda)"
lexgraph walk scotus:367US643 --as-of 1966-06-12 --depth 2 --direction both --pagerank --limit 8
step "lexgraph status scotus:357US433   (Crooker v. California, as of 1966 and today)"
lexgraph status scotus:357US433 --as-of 1966-01-01
lexgraph status scotus:357US433
step "lexgraph context scotus:384US436   (what the graph knew before Miranda was decided)"
lexgraph context scotus:384US436 --budget 1200
step "lexgraph model info models/all-minilm-l6-v2"
lexgraph model info models/all-minilm-l6-v2
step "lexgraph tokenize"
lexgraph tokenize --model models/all-minilm-l6-v2 "The Fourth Amendment's exclusionary rule applies to the States (Mapp v. Ohio, 367 U.S. 643)."
step "lexgraph baselines --split split_full"
lexgraph baselines --split split_full
step "lexgraph train --model graph-logistic   (graph features only, scored with the baselines on the same cases)"
lexgraph train --split split_full --model graph-logistic --out runs/graph-logistic-split_full --overwrite
step "lexgraph predict   (three 2013 cases as pending cases: outcome fields removed)"
python3 tools/make_pending_cases.py --data "$LEXGRAPH_DATA" --term 2013 --count 3 > var/pending-cases.jsonl
lexgraph predict --run runs/graph-logistic-split_full --cases var/pending-cases.jsonl --top 3
