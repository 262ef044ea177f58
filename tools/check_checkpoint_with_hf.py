#!/usr/bin/env python3
"""Checks that a folder Lexgraph saved (`lexgraph model convert SRC DST`, or
BertModel.saveCheckpoint) loads in Hugging Face transformers with no missing or unexpected
weights and computes the same outputs as the source folder.

  python3 tools/check_checkpoint_with_hf.py SRC DST
"""
import sys

import torch
from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification


def load(path):
    config = AutoConfig.from_pretrained(path)
    cls = AutoModelForSequenceClassification if (config.architectures or [""])[0].endswith("ForSequenceClassification") else AutoModel
    model, info = cls.from_pretrained(path, output_loading_info=True, attn_implementation="eager")
    return model.eval(), info


def main(src, dst):
    a, _ = load(src)
    b, info = load(dst)
    problems = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
    if problems:
        sys.exit(f"{dst}: HF loading reported {problems}")
    torch.manual_seed(0)
    ids = torch.randint(1, a.config.vocab_size, (2, 9))
    with torch.no_grad():
        out_a, out_b = a(input_ids=ids), b(input_ids=ids)
    key = "logits" if hasattr(out_a, "logits") and out_a.logits is not None else "last_hidden_state"
    diff = (getattr(out_a, key) - getattr(out_b, key)).abs().max().item()
    print(f"{dst}: loads in transformers as {type(b).__name__}; max |Δ {key}| vs {src} = {diff}")
    if diff > 1e-6:
        sys.exit("outputs differ")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
