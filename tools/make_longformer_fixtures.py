#!/usr/bin/env python3
"""Writes the reference fixtures for Longformer (sliding-window + global attention).

Peer: PyTorch + Hugging Face transformers (CPU, float32, dropout off).
Rerun from the package root:  python3 tools/make_longformer_fixtures.py
Outputs (Tests/Fixtures/encoders/):
  tiny-longformer/{config.json,model.safetensors}  a 2-layer randomly initialized
        LongformerForSequenceClassification (hidden 32, 4 heads, 3 labels, attention_window
        [8, 4]: one-sided windows 4 and 2), LayerNorm weights and biases perturbed so their
        gradients are exercised, global projections different from the local ones.
  longformer_reference.{json,safetensors}  for two padded batches given as ids, lengths not a
        multiple of the window (transformers pads them to 8 internally):
          "single": default global attention (the first token, as the classifier sets it);
          "global": pairs <s> a </s></s> b </s> with an explicit global_attention_mask of
                    1 to 3 tokens per row (inside and outside each other's windows);
        logits, single-label cross-entropy loss, the gradient of every parameter (HF names)
        and the last hidden states of the base model under the same global mask.
"""
import json
import os

import torch
from safetensors.torch import save_file
from transformers import LongformerConfig, LongformerForSequenceClassification

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "encoders")
VOCAB = 99
SEED = 1357

torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)


def build():
    config = LongformerConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                              max_position_embeddings=66, type_vocab_size=1, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                              attention_window=[8, 4], num_labels=3, pad_token_id=1, bos_token_id=0, eos_token_id=2, sep_token_id=2)
    return LongformerForSequenceClassification(config)


def batch(pairs, gen):
    """Four right-padded rows of random word ids (5..VOCAB-1) in RoBERTa's layout, with
    their global masks (pairs: <s>, plus 0 to 2 random tokens of the row)."""
    rows, globals_ = [], []
    for i in range(4):
        a = torch.randint(5, VOCAB, (int(torch.randint(4, 18, (1,), generator=gen)),), generator=gen).tolist()
        if pairs:
            b = torch.randint(5, VOCAB, (int(torch.randint(3, 9, (1,), generator=gen)),), generator=gen).tolist()
            row = [0] + a + [2, 2] + b + [2]
        else:
            row = [0] + a + [2]
        g = [0] * len(row)
        g[0] = 1
        if pairs:
            for j in torch.randint(1, len(row), (i % 3,), generator=gen).tolist():
                g[j] = 1
        rows.append(row)
        globals_.append(g)
    t = max(len(r) for r in rows)
    ids = [r + [1] * (t - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (t - len(r)) for r in rows]
    globals_ = [g + [0] * (t - len(g)) for g in globals_]
    return ids, mask, globals_


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(SEED)
    model = build()
    model.eval()  # dropout off
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "LayerNorm.weight" in n:
                p.add_(0.1 * torch.randn_like(p))
            elif n.endswith(".bias"):
                p.copy_(0.05 * torch.randn_like(p))
    model.save_pretrained(os.path.join(OUT, "tiny-longformer"), safe_serialization=True)
    gen = torch.Generator().manual_seed(SEED + 1)
    tensors, meta = {}, {"peer": f"torch {torch.__version__}", "architecture": "longformer"}
    for tag, pairs in (("single", False), ("global", True)):
        ids, mask, globals_ = batch(pairs, gen)
        labels = torch.randint(0, 3, (4,), generator=gen)
        inputs = dict(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask))
        if pairs:
            inputs["global_attention_mask"] = torch.tensor(globals_)
        model.zero_grad()
        out = model(**inputs, labels=labels)
        out.loss.backward()
        with torch.no_grad():
            base = dict(inputs, global_attention_mask=torch.tensor(globals_))
            hidden = model.longformer(**base).last_hidden_state
        tensors[f"{tag}.logits"] = out.logits.detach().clone()
        tensors[f"{tag}.last_hidden_state"] = hidden.clone()
        for n, p in model.named_parameters():
            tensors[f"{tag}.grad.{n}"] = p.grad.detach().clone()
        meta[tag] = {"input_ids": ids, "attention_mask": mask, "labels": labels.tolist(), "loss": out.loss.item()}
        if pairs:
            meta[tag]["global_attention_mask"] = globals_
    meta["parameters"] = [n for n, _ in model.named_parameters()]
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(OUT, "longformer_reference.safetensors"))
    with open(os.path.join(OUT, "longformer_reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"longformer: {len(meta['parameters'])} parameters; losses single {meta['single']['loss']:.6f} global {meta['global']['loss']:.6f}")


if __name__ == "__main__":
    main()
