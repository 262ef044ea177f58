#!/usr/bin/env python3
"""Checks a `lexgraph finetune --lora-rank` run folder against peft and transformers (run
by hand; the Swift tests never need Python):

- RUN/checkpoint/adapter loads with `PeftModel.from_pretrained` onto the base model folder
  the run trained from, with no missing or unexpected adapter weights;
- RUN/checkpoint (the adapters merged) loads in transformers as an ordinary
  BertForSequenceClassification;
- both give the probabilities the run saved for the dev set (RUN/dev_predictions.jsonl,
  rounded to 1e-6) on the first N dev texts, and each other's logits.

  python3 tools/check_lora_run_with_peft.py RUN [--count 64]

[CLS] pooling only (a mean-pooling head is not a transformers class).
"""
import argparse
import json
import os
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run")
    ap.add_argument("--count", type=int, default=64)
    args = ap.parse_args()
    checkpoint = os.path.join(args.run, "checkpoint")
    config = json.load(open(os.path.join(checkpoint, "config.json")))
    record = config["lexgraph_finetune"]
    if config.get("lexgraph_pooling", "cls") != "cls":
        sys.exit("mean-pooling runs are not a transformers class; this check covers [CLS] pooling")
    if not record["options"].get("lora"):
        sys.exit(f"{args.run} is not a LoRA run (no options.lora in its record)")
    base_dir = record["inputs"]["modelDirectory"]
    labels = [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
    kwargs = dict(num_labels=len(labels), problem_type=config["problem_type"], attn_implementation="eager")

    base = AutoModelForSequenceClassification.from_pretrained(base_dir, **kwargs)
    peft_model = PeftModel.from_pretrained(base, os.path.join(checkpoint, "adapter")).eval()
    merged, info = AutoModelForSequenceClassification.from_pretrained(checkpoint, output_loading_info=True, **kwargs)
    merged.eval()
    problems = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
    if problems:
        sys.exit(f"{checkpoint}: transformers reported {problems}")

    fields = record["inputs"]["fields"]
    rows = [json.loads(line) for line in open(record["inputs"]["devPath"]) if line.strip()][:args.count]
    saved = [json.loads(line) for line in open(os.path.join(args.run, "dev_predictions.jsonl"))][:args.count]
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    pair = fields.get("pair")
    enc = tokenizer([r[fields["text"]] for r in rows], [r[pair] for r in rows] if pair else None, truncation=True,
                    max_length=record["options"]["maxLength"], padding=True, return_tensors="pt")
    with torch.no_grad():
        a = peft_model(**enc).logits
        b = merged(**enc).logits
    multi = config["problem_type"] == "multi_label_classification"
    probabilities = lambda z: torch.sigmoid(z) if multi else torch.softmax(z, dim=1)
    expected = torch.tensor([[s["scores"][name] for name in labels] for s in saved], dtype=torch.float64)
    d_peft = (probabilities(a).double() - expected).abs().max().item()
    d_merged = (probabilities(b).double() - expected).abs().max().item()
    d_logits = (a - b).abs().max().item()
    print(f"{args.run}: {len(rows)} dev texts; peft adapters vs saved probabilities max |Δ| {d_peft:.2e}, "
          f"merged checkpoint (transformers) vs saved {d_merged:.2e}, peft vs merged logits {d_logits:.2e}")
    if max(d_peft, d_merged) > 1e-4:
        sys.exit("outputs differ")


if __name__ == "__main__":
    main()
