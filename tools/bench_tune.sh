#!/usr/bin/env bash
# ASHA against the full grid (a benchmark, not a test). On one task folder written by
# `lexgraph clauses prepare` (default unfair-tos fold 1), with one all-choice space file:
# `lexgraph tune --grid` trains every configuration for max_epochs, `lexgraph tune` runs
# ASHA over the same configurations; both select on dev only and score their winner alone
# on test. Prints per method the winner's dev and test metric (the task's selection
# metric: macro-F1 for classify, micro-F1 for multilabel) and test macro-F1, the cost in epochs and in
# full runs (max_epochs each; fractions of an epoch count), the wall time, ASHA / grid
# ratios, and per method the frozen-layer caches computed and reused (with the encoding
# time the reuses saved), with the load average before and after (the machine may be shared).
#
# Usage: tools/bench_tune.sh [DATA [OUT [SPACE]]]
#   (default runs/data/unfair-tos-1, runs/bench-tune, docs/tune-space-unfair-tos.yaml)
# Settings (environment): THREADS 2, MAX_LENGTH 128, FREEZE 6 (head only over cached states),
# SLICE "N_TRAIN N_DEV N_TEST": first run on the first N lines of each split, written to
# DATA-small (each study encodes its train and dev texts once: minutes for the full fold).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-runs/data/unfair-tos-1}"
OUT="${2:-runs/bench-tune}"
SPACE="${3:-docs/tune-space-unfair-tos.yaml}"
THREADS="${THREADS:-2}" MAX_LENGTH="${MAX_LENGTH:-128}" FREEZE="${FREEZE:-6}"
LEXGRAPH="${LEXGRAPH:-.build/release/lexgraph}"
if [ -n "${SLICE:-}" ]; then
  read -r n_train n_dev n_test <<< "$SLICE"
  mkdir -p "$DATA-small"
  head -n "$n_train" "$DATA/train.jsonl" > "$DATA-small/train.jsonl"
  head -n "$n_dev" "$DATA/dev.jsonl" > "$DATA-small/dev.jsonl"
  head -n "$n_test" "$DATA/test.jsonl" > "$DATA-small/test.jsonl"
  cp "$DATA/task.json" "$DATA-small/"
  DATA="$DATA-small"
fi
TASK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["task"])' "$DATA/task.json")
case "$TASK" in
  unfair-tos) KIND=(--task multilabel --class-weight balanced) ;;
  clause-types) KIND=(--task classify) ;;
  *) echo "bench_tune: task $TASK is not set up here (unfair-tos or clause-types)" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for method in grid asha; do
  flag=(); [ "$method" = grid ] && flag=(--grid)
  start=$(date +%s)
  "$LEXGRAPH" tune "${flag[@]}" --space "$SPACE" --train "$DATA/train.jsonl" --dev "$DATA/dev.jsonl" --test "$DATA/test.jsonl" \
    "${KIND[@]}" --id-field id --freeze-layers "$FREEZE" --max-length "$MAX_LENGTH" --threads "$THREADS" --out "$OUT/$method" \
    > "$OUT/$method.txt" 2> "$OUT/$method.log"
  echo $(( $(date +%s) - start )) > "$OUT/$method.seconds"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
rows = {}
for m in ("grid", "asha"):
    r = json.load(open(f"{out}/{m}/results.json"))
    t = json.load(open(f"{out}/{m}/winner/test_metrics.json"))["metrics"]
    w = next(x for x in r["trials"] if x["trial"] == r["winner"])
    metric = r["metric"]
    rows[m] = dict(dev=w["devMetric"], test=t.get(metric, float("nan")), test_macro=t["macro_f1"], cost=r["total_cost_epochs"],
                   runs=r["full_runs"], secs=int(open(f"{out}/{m}.seconds").read()), trials=len(r["trials"]), params=w["params"])
print(f"selection: dev {metric} (the task's); winners scored once on test")
print(f"| method | trials | winner | dev {metric} | test {metric} | test macro_f1 | cost (epochs) | full runs | wall (s) |")
print("|---|---|---|---|---|---|---|---|---|")
for m, x in rows.items():
    p = ", ".join(f"{k} {v}" for k, v in sorted(x["params"].items()))
    print(f"| {m} | {x['trials']} | {p} | {x['dev']:.4f} | {x['test']:.4f} | {x['test_macro']:.4f} | {x['cost']:.2f} | {x['runs']:.2f} | {x['secs']} |")
g, a = rows["grid"], rows["asha"]
print(f"ASHA - grid: dev {metric} {100 * (a['dev'] - g['dev']):+.2f} points, test {metric} {100 * (a['test'] - g['test']):+.2f}, "
      f"test macro_f1 {100 * (a['test_macro'] - g['test_macro']):+.2f}; cost {a['cost'] / g['cost']:.2f}x ({a['runs']:.2f} full runs), "
      f"wall {a['secs'] / max(g['secs'], 1):.2f}x")
PY
# The frozen encoder runs once per study (train and dev), each later job reuses it.
for method in grid asha; do
  echo "$method: $(grep -h 'frozen-layer caches' "$OUT/$method.log" || echo 'no frozen-layer cache')"
done
