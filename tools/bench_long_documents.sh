#!/usr/bin/env bash
# Long documents: forward time and peak memory against sequence length, for BERT reading
# the document as 512-token windows (batch T/512 x 512) and for the same encoder converted
# to a Longformer (`lexgraph model longformer`, window 512, global [CLS]) reading it whole
# (batch 1 x T), each next to PyTorch/transformers on the same folder in the same run
# (`lexgraph bench model --forward-only`: fresh child processes, peak RSS each).
#
#   tools/bench_long_documents.sh            (from the package root, after swift build -c release)
# Settings: MODEL (models/all-minilm-l6-v2), LENGTHS ("512 1024 2048 4096"), THREADS (2),
# ITERATIONS (3), PYTHON (python3 with torch + transformers), OUT (runs/long-documents).
set -euo pipefail
MODEL=${MODEL:-models/all-minilm-l6-v2}
LENGTHS=${LENGTHS:-512 1024 2048 4096}
THREADS=${THREADS:-2}
ITERATIONS=${ITERATIONS:-3}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-runs/long-documents}
LEXGRAPH=${LEXGRAPH:-.build/release/lexgraph}

max=0
for t in $LENGTHS; do (( t > max )) && max=$t; (( t % 512 == 0 )) || { echo "length $t is not a multiple of 512" >&2; exit 2; }; done
"$LEXGRAPH" model longformer "$MODEL" "$OUT/longformer" --max-positions "$max" --attention-window 512
for t in $LENGTHS; do
    echo "== $t tokens: BERT over $((t / 512)) windows of 512 (seq/s = windows/s)"
    "$LEXGRAPH" bench model --model "$MODEL" --batch $((t / 512)) --seq 512 --threads "$THREADS" --iterations "$ITERATIONS" \
        --python "$PYTHON" --forward-only
    echo "== $t tokens: Longformer, the whole document (seq/s = documents/s)"
    "$LEXGRAPH" bench model --model "$OUT/longformer" --batch 1 --seq "$t" --threads "$THREADS" --iterations "$ITERATIONS" \
        --python "$PYTHON" --forward-only
done
