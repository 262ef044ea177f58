#!/usr/bin/env python3
"""Checks a Longformer folder that `lexgraph model longformer SRC DST` wrote, in Hugging Face
transformers: DST loads as a Longformer with no missing, unexpected or mismatched weights,
and on sequences inside its attention window (global attention on the first token) it
computes what SRC (the BERT or RoBERTa folder it was made from) computes.

  python3 tools/check_longformer_conversion.py SRC DST
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
    if b.config.model_type != "longformer":
        sys.exit(f"{dst}: model_type {b.config.model_type}, expected longformer")
    # A bare LongformerModel has a pooler the converted encoder does not carry (as RobertaModel's).
    problems = {k: [n for n in v if "pooler" not in n] for k, v in info.items() if k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
    problems = {k: v for k, v in problems.items() if v}
    if problems:
        sys.exit(f"{dst}: HF loading reported {problems}")
    t = min(b.config.attention_window) // 2 + 1  # every token within every window
    torch.manual_seed(0)
    pad = a.config.pad_token_id if a.config.pad_token_id is not None else 0
    ids = torch.randint(3, a.config.vocab_size, (2, t))
    ids[ids == pad] = pad + 1
    with torch.no_grad():
        out_a, out_b = a(input_ids=ids), b(input_ids=ids, global_attention_mask=(torch.arange(t) == 0).long().expand(2, t))
    key = "logits" if getattr(out_a, "logits", None) is not None else "last_hidden_state"
    diff = (getattr(out_a, key) - getattr(out_b, key)).abs().max().item()
    print(f"{dst}: loads in transformers as {type(b).__name__}; on {t} tokens max |Δ {key}| vs {src} ({type(a).__name__}) = {diff:.2e}")
    if diff > 1e-5:
        sys.exit("outputs differ")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
