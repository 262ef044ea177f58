#!/usr/bin/env bash
# LoRA against full fine-tuning (a benchmark, not a test). On one task folder written by
# `lexgraph clauses prepare`, back to back: `lexgraph finetune` of the whole MiniLM, then
# of LoRA adapters (the base frozen), each scored by `lexgraph clauses eval`; then, unless
# RUNS says otherwise, the same two recipes in PyTorch + transformers / peft
# (tools/bench_clause_peers.py --transformers [--lora-rank]). Prints quality, training
# throughput (training examples per second of training time, dev evaluation excluded) and
# peak memory (/usr/bin/time -v, maximum resident set), with LoRA / full and ours / peer
# ratios, and the load average before and after (the machine may be shared).
#
# Usage: tools/bench_lora_finetune.sh [DATA [OUT]]   (default runs/data/unfair-tos-1, runs/bench-lora)
# Settings (environment): EPOCHS 3, MAX_LENGTH 128, BATCH 16, THREADS 2, FULL_LR 5e-5,
# LORA_LR 5e-4, LORA_RANK 8, LORA_ALPHA 16, LORA_TARGETS attention, RUNS "full lora peer-full
# peer-lora" (a subset reruns only those; the table reads whatever OUT holds).
# unfair-tos is multilabel with balanced class weights; clause-types single label.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-runs/data/unfair-tos-1}"
OUT="${2:-runs/bench-lora}"
EPOCHS="${EPOCHS:-3}" MAX_LENGTH="${MAX_LENGTH:-128}" BATCH="${BATCH:-16}" THREADS="${THREADS:-2}"
FULL_LR="${FULL_LR:-5e-5}" LORA_LR="${LORA_LR:-5e-4}" LORA_RANK="${LORA_RANK:-8}" LORA_ALPHA="${LORA_ALPHA:-16}"
LORA_TARGETS="${LORA_TARGETS:-attention}" RUNS="${RUNS:-full lora peer-full peer-lora}"
LEXGRAPH="${LEXGRAPH:-.build/release/lexgraph}"
TASK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["task"])' "$DATA/task.json")
case "$TASK" in
  unfair-tos) KIND=(--task multilabel --class-weight balanced); PEER_KIND=(--class-weight balanced) ;;
  clause-types) KIND=(--task classify); PEER_KIND=() ;;
  *) echo "bench_lora_finetune: task $TASK is not set up here (unfair-tos or clause-types)" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
uptime | tee "$OUT/load-before.txt"
common=(--train "$DATA/train.jsonl" --dev "$DATA/dev.jsonl" "${KIND[@]}" --id-field id --pooling cls --epochs "$EPOCHS"
        --batch-size "$BATCH" --max-length "$MAX_LENGTH" --threads "$THREADS")
lora=(--lora-rank "$LORA_RANK" --lora-alpha "$LORA_ALPHA" --lora-targets "$LORA_TARGETS")
for run in full lora; do
  case " $RUNS " in *" $run "*) ;; *) continue ;; esac
  rm -rf "$OUT/$run"
  if [ "$run" = full ]; then extra=(--lr "$FULL_LR"); else extra=(--lr "$LORA_LR" "${lora[@]}"); fi
  echo "== lexgraph finetune ($run)" >&2
  /usr/bin/time -v -o "$OUT/$run.time" "$LEXGRAPH" finetune "${common[@]}" "${extra[@]}" --out "$OUT/$run"
  "$LEXGRAPH" clauses eval --data "$DATA" --run "$OUT/$run" --threads "$THREADS" > "$OUT/$run.eval.txt"
done
peer=(--transformers --epochs "$EPOCHS" --batch "$BATCH" --max-length "$MAX_LENGTH" --threads "$THREADS" --pooling cls "${PEER_KIND[@]}")
case " $RUNS " in *" peer-full "*)
  echo "== PyTorch + transformers (full)" >&2
  /usr/bin/time -v -o "$OUT/peer-full.time" python3 tools/bench_clause_peers.py "$DATA" --out "$OUT/peer-full.json" "${peer[@]}" --lr "$FULL_LR" ;;
esac
case " $RUNS " in *" peer-lora "*)
  echo "== PyTorch + peft (LoRA)" >&2
  /usr/bin/time -v -o "$OUT/peer-lora.time" python3 tools/bench_clause_peers.py "$DATA" --out "$OUT/peer-lora.json" "${peer[@]}" --lr "$LORA_LR" \
    --lora-rank "$LORA_RANK" --lora-alpha "$LORA_ALPHA" --lora-targets "$LORA_TARGETS" ;;
esac
uptime | tee "$OUT/load-after.txt"
python3 - "$OUT" "$DATA" "$TASK" <<'EOF'
import json, os, sys
out, data, task = sys.argv[1:]
train = sum(1 for line in open(os.path.join(data, "train.jsonl")) if line.strip())
keys = ["macro_f1", "micro_f1", "ece"] if task == "unfair-tos" else ["accuracy", "top5", "macro_f1"]

def peak_gb(path):
    for line in open(path):
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1]) / 1e6
def ours(run):
    if not os.path.exists(os.path.join(out, run, "test_metrics.json")):
        return None
    epochs = [json.loads(l) for l in open(os.path.join(out, run, "metrics.jsonl")) if l.strip()]
    m = json.load(open(os.path.join(out, run, "test_metrics.json")))["metrics"]
    return {**{k: m.get(k) for k in keys}, "ex_s": sum(train / e["seconds"] for e in epochs) / len(epochs), "gb": peak_gb(os.path.join(out, run + ".time"))}
def peer(run):
    path = os.path.join(out, run + ".json")
    if not os.path.exists(path):
        return None
    r = json.load(open(path))["runs"][0]
    return {**{k: r["metrics"].get(k) for k in keys}, "ex_s": r["train_examples_per_s"], "gb": peak_gb(os.path.join(out, run + ".time"))}
rows = {"lexgraph full": ours("full"), "lexgraph LoRA": ours("lora"), "PyTorch full": peer("peer-full"), "peft LoRA": peer("peer-lora")}
fmt = lambda v: "n/a" if v is None else f"{v:.3f}"
print(f"\n{task} ({data}), {train} training texts; load average before: {open(os.path.join(out, 'load-before.txt')).read().strip()}")
print("| run | " + " | ".join(keys) + " | examples/s | peak RSS GB |")
print("|---|" + "---|" * (len(keys) + 2))
for name, r in rows.items():
    if r:
        print(f"| {name} | " + " | ".join(fmt(r[k]) for k in keys) + f" | {r['ex_s']:.1f} | {r['gb']:.2f} |")
def ratio(a, b, what):
    if rows[a] and rows[b]:
        print(f"{a} / {b}: throughput {rows[a]['ex_s'] / rows[b]['ex_s']:.2f}x, peak memory {rows[a]['gb'] / rows[b]['gb']:.2f}x")
ratio("lexgraph LoRA", "lexgraph full", "")
ratio("peft LoRA", "PyTorch full", "")
ratio("lexgraph full", "PyTorch full", "")
ratio("lexgraph LoRA", "peft LoRA", "")
print("load average after: " + open(os.path.join(out, "load-after.txt")).read().strip())
EOF
