#!/usr/bin/env python3
"""PyTorch peer numbers for `lexgraph bench model`: MiniLM (BertForSequenceClassification,
2 labels; another folder's own architecture, e.g. DistilBERT or RoBERTa, through
AutoModelForSequenceClassification) at batch x seq, forward (eval, no grad) and a full train step (dropout on,
forward + backward + AdamW), for each thread count via torch.set_num_threads.

`lexgraph bench model` runs this script itself, once per measurement in a fresh process
(`--child forward|train --threads N`), and reads the JSON line it prints last:
  {"kind": ..., "threads": N, "seconds": median s/step, "seq_per_s": ..., "max_rss_kib": peak RSS}
With --lora-rank R there is a third kind, `lora`: the same train step with peft LoRA
adapters of rank R (alpha 2R, dropout 0.1) on query, key, value and attention.output.dense,
the base frozen and AdamW over the adapters and classifier only.
With --mlm there is a kind `mlm`: a BertForMaskedLM train step (the MLM head initialized as
transformers does when the checkpoint lacks it) with the masks `lexgraph bench model --mlm`
uses: every token at flat position p with p % 7 == 3 (not a row's [CLS]) replaced by [MASK] (103) and labelled.
Run standalone it loops over all thread counts and kinds in one process:
  python3 tools/bench_model_peer.py [--out runs/bench_peer.json]
With --profile it also prints, per thread count and kind, PyTorch's own operator profile
(torch.profiler, self CPU time per aten op, ms per step) to set beside
`lexgraph bench model --profile`'s per-step breakdown of ours.
"""
import argparse
import json
import os
import resource
import statistics
import time

import torch
from transformers import AutoModelForSequenceClassification, BertForMaskedLM
from transformers.utils import logging as hf_logging

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_of(n, fn):
    """Median of n runs after one warm-up, in seconds (as `lexgraph bench model`)."""
    fn()
    runs = []
    for _ in range(max(1, n)):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def print_profile(fn, iterations, top=14):
    """torch.profiler over `iterations` steps: the ops with the most self CPU time, in ms
    per step and share of the profiled total."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(max(1, iterations)):
            fn()
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in rows)
    for e in rows[:top]:
        print(f"    {e.self_cpu_time_total / 1000 / iterations:8.1f} ms  {100 * e.self_cpu_time_total / total:5.1f}%  {e.key} (x{e.count // max(1, iterations)})")
    print(f"    {total / 1000 / iterations:8.1f} ms          all ops (self CPU, profiler overhead included)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.environ.get("LEXGRAPH_MODEL", os.path.join(ROOT, "models", "all-minilm-l6-v2")))
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--child", choices=["forward", "train", "lora", "mlm"], help="time only this kind (one thread count) and print one JSON line")
    ap.add_argument("--mlm", action="store_true", help="also time a BertForMaskedLM train step")
    ap.add_argument("--lora-rank", type=int, default=0, help="also time a LoRA (peft) train step of this rank")
    ap.add_argument("--out")
    ap.add_argument("--profile", action="store_true", help="also print torch.profiler's self CPU time per op (ms per step)")
    args = ap.parse_args()

    hf_logging.set_verbosity_error()  # the missing-classifier load report is expected
    hf_logging.disable_progress_bar()
    torch.manual_seed(1)
    # The folder's own architecture (BERT, DistilBERT, RoBERTa), as lexgraph reads it.
    model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=2, attn_implementation="eager")
    ids = torch.randint(1000, 21000, (args.batch, args.seq))
    ids[:, 0] = 101
    mask = torch.ones_like(ids)
    labels = torch.arange(args.batch) % 2
    cfg = model.config
    bt, h, i = args.batch * args.seq, cfg.hidden_size, getattr(cfg, "intermediate_size", None) or cfg.hidden_dim  # DistilBERT: hidden_dim
    flops = cfg.num_hidden_layers * (2 * bt * (4 * h * h + 2 * h * i) + 4 * args.batch * args.seq * args.seq * h) + 2 * args.batch * h * h
    opt = None

    def forward():
        model.eval()
        with torch.no_grad():
            model(input_ids=ids, attention_mask=mask)

    def train():
        nonlocal opt
        if opt is None:
            opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
        model.train()
        opt.zero_grad()
        model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
        opt.step()

    lora_model = None

    def lora():
        nonlocal opt, lora_model
        if lora_model is None:
            from peft import LoraConfig, get_peft_model
            config = LoraConfig(task_type="SEQ_CLS", r=args.lora_rank, lora_alpha=2 * args.lora_rank, lora_dropout=0.1,
                                target_modules=["query", "key", "value", "attention.output.dense"])
            lora_model = get_peft_model(model, config)
            opt = torch.optim.AdamW([p for p in lora_model.parameters() if p.requires_grad], lr=1e-4)
        lora_model.train()
        opt.zero_grad()
        lora_model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
        opt.step()

    mlm_state = {}

    def mlm():
        if not mlm_state:
            torch.manual_seed(1)
            m = BertForMaskedLM.from_pretrained(args.model, attn_implementation="eager")
            flat = torch.arange(args.batch * args.seq)
            chosen = ((flat % 7 == 3) & (flat % args.seq != 0)).view(args.batch, args.seq)
            mlm_state.update(model=m, ids=ids.masked_fill(chosen, 103), labels=ids.masked_fill(~chosen, -100),
                             opt=torch.optim.AdamW(m.parameters(), lr=1e-5))
        m, o = mlm_state["model"], mlm_state["opt"]
        m.train()
        o.zero_grad()
        m(input_ids=mlm_state["ids"], attention_mask=mask, labels=mlm_state["labels"]).loss.backward()
        o.step()

    kinds = [("forward", forward, flops), ("train", train, 3 * flops)]
    if args.mlm or args.child == "mlm":
        kinds.append(("mlm", mlm, 3 * flops))
    if args.lora_rank > 0 or args.child == "lora":
        kinds.append(("lora", lora, 3 * flops))  # last: it wraps the model
    if args.child:
        n = int(args.threads)
        torch.set_num_threads(n)
        fn = dict((k, f) for k, f, _ in kinds)[args.child]
        s = median_of(args.iterations, fn)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(json.dumps({"kind": args.child, "threads": n, "seconds": s, "seq_per_s": args.batch / s, "max_rss_kib": float(rss)}))
        return

    results = []
    print(f"torch {torch.__version__}: batch {args.batch} x seq {args.seq}; forward ≈ {flops / 1e9:.1f} GFLOP")
    for n in [int(x) for x in args.threads.split(",")]:
        torch.set_num_threads(n)
        for kind, fn, work in kinds:
            s = median_of(args.iterations, fn)
            results.append({"kind": kind, "threads": n, "seconds": s, "seq_per_s": args.batch / s, "gflops": work / s / 1e9})
            print(f"threads {n} {kind:7s} {args.batch / s:8.1f} seq/s  {work / s / 1e9:6.1f} GFLOP/s  ({s:.3f} s/step)")
            if args.profile:
                print_profile(fn, args.iterations)
    print(f"peak RSS (whole run) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump({"peer": f"torch {torch.__version__}", "batch": args.batch, "seq": args.seq, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
