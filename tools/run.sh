#!/usr/bin/env bash
# The main job, as the README's first command: install what is missing, build the CLI
# (release), build the three legal graphs from graphs/ recipes over the shared data
# into the default database, then show what they can do: counts, a precedent's
# neighbourhood, Cypher-like queries, an as-of walk with PageRank, a citator status,
# a case's as-of graph context, the pretrained encoder, the outcome baselines, a
# graph-features run with its report, and explained predictions for pending cases (by
# that run, and by predict's default: the classical blend's walk-forward run).
# Then the contract-review models are trained (once) and review the Common Paper NDA.
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
step "lexgraph train --model classical-blend --split walk-forward   (the best walk-forward configuration)"
lexgraph train --split walk-forward --model classical-blend --out runs/classical-blend-walk-forward --overwrite
step "lexgraph predict   (the same cases with predict's default run: the classical blend)"
lexgraph predict --cases var/pending-cases.jsonl --top 3

# Contract review: the clause-type and unfair-terms models are heads over the frozen
# MiniLM (the encoder runs once per text to cache its output, then the heads train in
# seconds an epoch), trained on the committed splits and kept in runs/ (a second run of
# this script reuses them; delete the folders to retrain).
step "lexgraph clauses prepare   (clause types without headings; unfair terms, fold 1 of 5)"
lexgraph clauses prepare --task clause-types --out runs/data/clause-types
lexgraph clauses prepare --task unfair-tos --fold 1 --out runs/data/unfair-tos-1
if [ ! -f runs/clause-types/checkpoint/config.json ]; then
  step "lexgraph finetune   (clause types: a head over the frozen encoder, about 10 minutes on 2 cores)"
  rm -rf runs/clause-types
  lexgraph finetune --train runs/data/clause-types/train.jsonl --dev runs/data/clause-types/dev.jsonl --task classify --id-field id \
    --freeze-layers 6 --pooling cls --lr 3e-3 --epochs 10 --batch-size 32 --threads 2 --out runs/clause-types
fi
if [ ! -f runs/unfair-tos/checkpoint/config.json ]; then
  step "lexgraph finetune   (unfair terms: a head over the frozen encoder, class-weighted, about 2 minutes)"
  rm -rf runs/unfair-tos
  lexgraph finetune --train runs/data/unfair-tos-1/train.jsonl --dev runs/data/unfair-tos-1/dev.jsonl --task multilabel --id-field id \
    --freeze-layers 6 --pooling cls --class-weight balanced --lr 2e-3 --epochs 15 --threads 2 --out runs/unfair-tos
fi
step "lexgraph clauses eval   (test split; tunes the unfair-terms thresholds on dev, which review then uses)"
lexgraph clauses eval --data runs/data/clause-types --run runs/clause-types --threads 2
lexgraph clauses eval --data runs/data/unfair-tos-1 --run runs/unfair-tos --threads 2
step "lexgraph review   (the Common Paper Mutual NDA, ../shared/data/contracts)"
lexgraph review "$LEXGRAPH_DATA/contracts/commonpaper-Mutual-NDA.md" --types-model runs/clause-types --unfair-model runs/unfair-tos --threads 2
