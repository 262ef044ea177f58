#!/usr/bin/env python3
"""Writes the reference fixtures for the encoder family beyond BERT (DistilBERT, RoBERTa).

Peer: PyTorch + Hugging Face transformers (CPU, float32, eager attention, dropout off).
Rerun from the package root:  python3 tools/make_encoder_fixtures.py
Outputs (Tests/Fixtures/encoders/), for ARCH in distilbert, roberta:
  tiny-ARCH/{config.json,model.safetensors}  a 2-layer randomly initialized
                                  ARCHForSequenceClassification (hidden 32, 4 heads, 3 labels),
                                  LayerNorm weights and biases perturbed so their gradients
                                  are exercised.
  ARCH_reference.{json,safetensors}  for two padded batches given as ids (single sentences,
                                  and sentence pairs in the architecture's own layout):
                                  logits, single-label cross-entropy loss and the gradient of
                                  every parameter (HF names), plus the last hidden states.
"""
import json
import os

import torch
from safetensors.torch import save_file
from transformers import (DistilBertConfig, DistilBertForSequenceClassification, RobertaConfig,
                          RobertaForSequenceClassification)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "encoders")
VOCAB = 99

torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)


def distilbert():
    config = DistilBertConfig(vocab_size=VOCAB, dim=32, n_layers=2, n_heads=4, hidden_dim=64, max_position_embeddings=64,
                              dropout=0.1, attention_dropout=0.1, seq_classif_dropout=0.2, num_labels=3, pad_token_id=0,
                              attn_implementation="eager")
    # WordPiece layout: [CLS]=2, [SEP]=3, [PAD]=0; pairs are [CLS] a [SEP] b [SEP] (no token types).
    return DistilBertForSequenceClassification(config), dict(cls=[2], sep=[3], mid=[3], pad=0)


def roberta():
    config = RobertaConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                           max_position_embeddings=66, type_vocab_size=1, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                           num_labels=3, pad_token_id=1, bos_token_id=0, eos_token_id=2, attn_implementation="eager")
    # Byte-level BPE layout: <s>=0, </s>=2, <pad>=1; pairs are <s> a </s></s> b </s>.
    return RobertaForSequenceClassification(config), dict(cls=[0], sep=[2], mid=[2, 2], pad=1)


def batch(special, pairs, gen):
    """Four rows of random word ids (5..VOCAB-1) in the architecture's layout, right-padded."""
    rows = []
    for i in range(4):
        a = torch.randint(5, VOCAB, (int(torch.randint(2, 7, (1,), generator=gen)),), generator=gen).tolist()
        if pairs:
            b = torch.randint(5, VOCAB, (int(torch.randint(2, 6, (1,), generator=gen)),), generator=gen).tolist()
            rows.append(special["cls"] + a + special["mid"] + b + special["sep"])
        else:
            rows.append(special["cls"] + a + special["sep"])
    t = max(len(r) for r in rows)
    ids = [r + [special["pad"]] * (t - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (t - len(r)) for r in rows]
    return ids, mask


def make(name, build, seed):
    torch.manual_seed(seed)
    model, special = build()
    model.eval()  # dropout off
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "layer_norm.weight" in n.lower() or "LayerNorm.weight" in n:
                p.add_(0.1 * torch.randn_like(p))
            elif n.endswith(".bias"):
                p.copy_(0.05 * torch.randn_like(p))
    model.save_pretrained(os.path.join(OUT, f"tiny-{name}"), safe_serialization=True)
    gen = torch.Generator().manual_seed(seed + 1)
    tensors, meta = {}, {"peer": f"torch {torch.__version__}", "architecture": name}
    base = getattr(model, model.base_model_prefix)
    for tag, pairs in (("single", False), ("pair", True)):
        ids, mask = batch(special, pairs, gen)
        labels = torch.randint(0, 3, (4,), generator=gen)
        ids_t, mask_t = torch.tensor(ids), torch.tensor(mask)
        model.zero_grad()
        out = model(input_ids=ids_t, attention_mask=mask_t, labels=labels)
        out.loss.backward()
        with torch.no_grad():
            hidden = base(input_ids=ids_t, attention_mask=mask_t).last_hidden_state
        tensors[f"{tag}.logits"] = out.logits.detach().clone()
        tensors[f"{tag}.last_hidden_state"] = hidden.clone()
        for n, p in model.named_parameters():
            tensors[f"{tag}.grad.{n}"] = p.grad.detach().clone()
        meta[tag] = {"input_ids": ids, "attention_mask": mask, "labels": labels.tolist(), "loss": out.loss.item()}
    meta["parameters"] = [n for n, _ in model.named_parameters()]
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(OUT, f"{name}_reference.safetensors"))
    with open(os.path.join(OUT, f"{name}_reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{name}: {len(meta['parameters'])} parameters; losses single {meta['single']['loss']:.6f} pair {meta['pair']['loss']:.6f}")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make("distilbert", distilbert, 4321)
    make("roberta", roberta, 8765)
