#!/usr/bin/env python3
"""Checks a `lexgraph finetune` run folder against Hugging Face transformers.

Loads RUN/checkpoint with AutoTokenizer + AutoModelForSequenceClassification, recomputes
the dev predictions with PyTorch and compares them with RUN/dev_predictions.jsonl (scores
to 1e-4, predicted labels exactly). Usage:
    python3 tools/check_finetune_checkpoint.py RUN_DIR DEV_FILE [--text-field text] [--max-length N]
"""
import argparse
import csv
import json
import sys

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def read_texts(path, field):
    if path.endswith(".tsv"):
        with open(path, newline="") as f:
            return [row[field] for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    with open(path) as f:
        return [json.loads(line)[field] for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("dev")
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--max-length", type=int, default=None)
    args = ap.parse_args()
    folder = args.run + "/checkpoint"
    config = json.load(open(folder + "/config.json"))
    max_length = args.max_length or config["lexgraph_finetune"]["options"]["maxLength"]
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    texts = read_texts(args.dev, args.text_field)
    ours = [json.loads(line) for line in open(args.run + "/dev_predictions.jsonl")]
    assert len(ours) == len(texts), (len(ours), len(texts))
    multi = model.config.problem_type == "multi_label_classification"
    worst, mismatches = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(texts), 32):
            enc = tokenizer(texts[start:start + 32], truncation=True, max_length=max_length, padding=True, return_tensors="pt")
            logits = model(**enc).logits
            scores = torch.sigmoid(logits) if multi else torch.softmax(logits, -1)
            for row, mine in zip(scores.tolist(), ours[start:start + 32]):
                names = [model.config.id2label[i] for i in range(len(row))]
                worst = max(worst, max(abs(row[i] - mine["scores"][n]) for i, n in enumerate(names)))
                predicted = sorted(n for i, n in enumerate(names) if row[i] > 0.5) if multi else names[max(range(len(row)), key=row.__getitem__)]
                mismatches += predicted != mine["predicted"]
    print(f"{len(texts)} dev items: max |score difference| {worst:.2e}, predicted-label mismatches {mismatches}")
    sys.exit(0 if worst < 1e-4 and mismatches == 0 else 1)


if __name__ == "__main__":
    main()
