#!/usr/bin/env python3
"""PyTorch peer numbers for `lexgraph model bench`: MiniLM (BertForSequenceClassification,
2 labels) at batch x seq, forward (eval, no grad) and a full train step (dropout on,
forward + backward + AdamW), for each thread count via torch.set_num_threads.

  python3 tools/bench_model_peer.py --out runs/bench_peer.json
  swift run -c release lexgraph model bench --peer runs/bench_peer.json
"""
import argparse
import json
import os
import statistics
import time

import torch
from transformers import BertForSequenceClassification

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_of(n, fn):
    """Median of n runs after one warm-up, in seconds (as `lexgraph model bench`)."""
    fn()
    runs = []
    for _ in range(max(1, n)):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.environ.get("LEXGRAPH_MODEL", os.path.join(ROOT, "models", "all-minilm-l6-v2")))
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--out")
    args = ap.parse_args()

    torch.manual_seed(1)
    model = BertForSequenceClassification.from_pretrained(args.model, num_labels=2, attn_implementation="eager")
    ids = torch.randint(1000, 21000, (args.batch, args.seq))
    ids[:, 0] = 101
    mask = torch.ones_like(ids)
    labels = torch.arange(args.batch) % 2
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    cfg = model.config
    bt, h, i = args.batch * args.seq, cfg.hidden_size, cfg.intermediate_size
    flops = cfg.num_hidden_layers * (2 * bt * (4 * h * h + 2 * h * i) + 4 * args.batch * args.seq * args.seq * h) + 2 * args.batch * h * h

    def forward():
        model.eval()
        with torch.no_grad():
            model(input_ids=ids, attention_mask=mask)

    def train():
        model.train()
        opt.zero_grad()
        model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
        opt.step()

    results = []
    print(f"torch {torch.__version__}: batch {args.batch} x seq {args.seq}; forward ≈ {flops / 1e9:.1f} GFLOP")
    for n in [int(x) for x in args.threads.split(",")]:
        torch.set_num_threads(n)
        for kind, fn, work in [("forward", forward, flops), ("train", train, 3 * flops)]:
            s = median_of(args.iterations, fn)
            results.append({"kind": kind, "threads": n, "seconds": s, "seq_per_s": args.batch / s, "gflops": work / s / 1e9})
            print(f"threads {n} {kind:7s} {args.batch / s:8.1f} seq/s  {work / s / 1e9:6.1f} GFLOP/s  ({s:.3f} s/step)")
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump({"peer": f"torch {torch.__version__}", "batch": args.batch, "seq": args.seq, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
