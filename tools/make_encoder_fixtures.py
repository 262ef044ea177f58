#!/usr/bin/env python3
"""Writes the reference fixtures for the encoder family beyond BERT (DistilBERT, RoBERTa, ALBERT).

Peer: PyTorch + Hugging Face transformers (CPU, float32, eager attention, dropout off).
Rerun from the package root:  python3 tools/make_encoder_fixtures.py [ARCH ...]   (default: all)
Outputs (Tests/Fixtures/encoders/), for ARCH in distilbert, roberta, albert:
  tiny-ARCH/{config.json,model.safetensors}  a 2-layer randomly initialized
                                  ARCHForSequenceClassification (hidden 32, 4 heads, 3 labels),
                                  LayerNorm weights and biases perturbed so their gradients
                                  are exercised.
  ARCH_reference.{json,safetensors}  for two padded batches given as ids (single sentences,
                                  and sentence pairs in the architecture's own layout):
                                  logits, single-label cross-entropy loss and the gradient of
                                  every parameter (HF names), plus the last hidden states.
ALBERT's classifier has 3 layers sharing one weight set (their gradients sum in it), an
embedding_size (16) below hidden_size (32) and gelu_new; its pairs carry token_type_ids.
Its reference also holds `single.gelu_logits`: the same weights with hidden_act "gelu".
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import (AlbertConfig, AlbertForSequenceClassification, DistilBertConfig, DistilBertForSequenceClassification, RobertaConfig,
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


def albert():
    config = AlbertConfig(vocab_size=VOCAB, embedding_size=16, hidden_size=32, num_hidden_layers=3, num_attention_heads=4,
                          intermediate_size=64, max_position_embeddings=64, type_vocab_size=2, hidden_act="gelu_new",
                          hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, classifier_dropout_prob=0.1, num_labels=3,
                          pad_token_id=0, bos_token_id=2, eos_token_id=3, attn_implementation="eager")
    # SentencePiece layout: [CLS]=2, [SEP]=3, <pad>=0; pairs are [CLS] a [SEP] b [SEP] with token types 0…0 1…1.
    return AlbertForSequenceClassification(config), dict(cls=[2], sep=[3], mid=[3], pad=0, types=True)


def batch(special, pairs, gen):
    """Four rows of random word ids (5..VOCAB-1) in the architecture's layout, right-padded,
    and their token types (None where the architecture's tokenizer gives none)."""
    rows, types = [], []
    for i in range(4):
        a = torch.randint(5, VOCAB, (int(torch.randint(2, 7, (1,), generator=gen)),), generator=gen).tolist()
        if pairs:
            b = torch.randint(5, VOCAB, (int(torch.randint(2, 6, (1,), generator=gen)),), generator=gen).tolist()
            rows.append(special["cls"] + a + special["mid"] + b + special["sep"])
            types.append([0] * (len(special["cls"] + a + special["mid"])) + [1] * len(b + special["sep"]))
        else:
            rows.append(special["cls"] + a + special["sep"])
            types.append([0] * len(rows[-1]))
    t = max(len(r) for r in rows)
    ids = [r + [special["pad"]] * (t - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (t - len(r)) for r in rows]
    types = [r + [0] * (t - len(r)) for r in types] if special.get("types") else None
    return ids, mask, types


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
        ids, mask, types = batch(special, pairs, gen)
        labels = torch.randint(0, 3, (4,), generator=gen)
        inputs = dict(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask))
        if types is not None:
            inputs["token_type_ids"] = torch.tensor(types)
        model.zero_grad()
        out = model(**inputs, labels=labels)
        out.loss.backward()
        with torch.no_grad():
            hidden = base(**inputs).last_hidden_state
        tensors[f"{tag}.logits"] = out.logits.detach().clone()
        tensors[f"{tag}.last_hidden_state"] = hidden.clone()
        for n, p in model.named_parameters():
            tensors[f"{tag}.grad.{n}"] = p.grad.detach().clone()
        meta[tag] = {"input_ids": ids, "attention_mask": mask, "labels": labels.tolist(), "loss": out.loss.item()}
        if types is not None:
            meta[tag]["token_type_ids"] = types
        if name == "albert" and tag == "single":
            # The activation is a config value: the same weights with the exact (erf) GELU.
            from transformers.activations import ACT2FN
            for group in base.encoder.albert_layer_groups:
                for layer in group.albert_layers:
                    layer.activation = ACT2FN["gelu"]
            with torch.no_grad():
                tensors["single.gelu_logits"] = model(**inputs).logits.clone()
            for group in base.encoder.albert_layer_groups:
                for layer in group.albert_layers:
                    layer.activation = ACT2FN[model.config.hidden_act]
    meta["parameters"] = [n for n, _ in model.named_parameters()]
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(OUT, f"{name}_reference.safetensors"))
    with open(os.path.join(OUT, f"{name}_reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{name}: {len(meta['parameters'])} parameters; losses single {meta['single']['loss']:.6f} pair {meta['pair']['loss']:.6f}")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    builders = {"distilbert": (distilbert, 4321), "roberta": (roberta, 8765), "albert": (albert, 2468)}
    for arch in sys.argv[1:] or builders:
        build, seed = builders[arch]
        make(arch, build, seed)
