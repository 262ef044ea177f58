#!/usr/bin/env python3
"""Writes the reference fixtures for masked language modelling that
Tests/TransformerTests/MaskedLanguageModelReferenceTests.swift compares against, and checks
a folder Lexgraph saved with `MaskedLanguageModel.save` loads as `BertForMaskedLM`.

Peer: PyTorch + Hugging Face transformers `BertForMaskedLM` (CPU, float32, eager attention,
dropout off), loss = its own `CrossEntropyLoss` over labels with -100 at unmasked tokens.

  python3 tools/make_mlm_fixtures.py                    # rewrite the fixtures
  python3 tools/make_mlm_fixtures.py --check-saved DIR  # DIR: a folder MaskedLanguageModel.save wrote

Outputs (Tests/Fixtures/model/):
  mlm_reference.json, mlm_reference.safetensors
  tiny:   tiny-bert's encoder (Tests/Fixtures/model/tiny-bert) under a BertForMaskedLM head
          initialized by torch (seed 0; the head's values are stored), the padded batch of
          tiny_reference.json with fixed masked labels: loss, logits at the masked positions
          and EVERY parameter's full gradient.
  minilm: the MiniLM in models/all-minilm-l6-v2, which ships no `cls.predictions.*`; its head
          is initialized as lexgraph does (HF _init_weights from SeededGenerator(seed 7):
          xoshiro256** seeded by SplitMix64, Box-Muller normals, ported below), on three legal
          sentences tokenized by the HF tokenizer with a fixed whole-word 80/10/10 masking.
          Stored: loss, logits at the masked positions for 64 vocabulary ids, and for EVERY
          parameter its gradient's L2 norm, sum and dot product with a fixed probe vector
          (cos(0.7 i + 0.3), i the flat index); full gradients of the MLM head's small
          tensors, the decoder bias (all 30,522), every bias and LayerNorm tensor of layers 0
          and 5 and the embeddings, row 0 of every weight matrix, and the word-embedding rows
          of every id in the batch plus 8 ids outside it (reached only through the tied
          decoder). Also the keys HF's own save_pretrained writes for this model.
"""
import argparse
import json
import math
import os
import struct
import sys
import tempfile

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "model")
MINILM = os.environ.get("LEXGRAPH_MODEL", os.path.join(ROOT, "models", "all-minilm-l6-v2"))
HEAD_SEED = 7
HEAD_KEYS = ["cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
             "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias", "cls.predictions.bias"]
SENTENCES = [
    "The appellant contends that the indemnification clause is unenforceable under state law.",
    "Either party may terminate this agreement upon thirty days written notice.",
    "The Court of Appeals affirmed the judgment of the District Court.",
]

torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
M64 = (1 << 64) - 1


class SeededGenerator:
    """Sources/Transformer/SeededGenerator.swift: xoshiro256** seeded through SplitMix64."""

    def __init__(self, seed):
        state, s = seed, []
        for _ in range(4):
            state = (state + 0x9E3779B97F4A7C15) & M64
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            s.append(z ^ (z >> 31))
        self.s = s

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M64

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (self.rotl((s1 * 5) & M64, 7) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self.rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_normal(self):
        u1 = max(float(self.next() >> 11) * 2.0 ** -53, 1e-300)
        u2 = float(self.next() >> 11) * 2.0 ** -53
        return np.float32(math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2))


def lexgraph_head_init(model, seed):
    """BertModel.initialize over the head in layout order: dense ~ N(0, std), the rest 0/1."""
    rng = SeededGenerator(seed)
    std = np.float32(model.config.initializer_range)
    w = model.cls.predictions.transform.dense.weight
    values = np.array([std * rng.next_normal() for _ in range(w.numel())], dtype=np.float32).reshape(w.shape)
    with torch.no_grad():
        w.copy_(torch.from_numpy(values))
        model.cls.predictions.transform.dense.bias.zero_()
        model.cls.predictions.transform.LayerNorm.weight.fill_(1)
        model.cls.predictions.transform.LayerNorm.bias.zero_()
        model.cls.predictions.bias.zero_()


def probe(n):
    return np.cos(0.7 * np.arange(n, dtype=np.float64) + 0.3)


def run(model, ids, types, mask, labels):
    model.zero_grad(set_to_none=True)
    out = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels)
    out.loss.backward()
    return out


def tiny(tensors, meta):
    tiny_meta = json.load(open(os.path.join(OUT, "tiny_reference.json")))
    torch.manual_seed(0)
    model, info = BertForMaskedLM.from_pretrained(os.path.join(OUT, "tiny-bert"), output_loading_info=True, attn_implementation="eager")
    model.eval()
    assert sorted(info["missing_keys"]) == sorted(HEAD_KEYS) or set(info["missing_keys"]) <= set(HEAD_KEYS + ["cls.predictions.decoder.bias"]), info
    with torch.no_grad():  # a head of torch's own random values, stored (small)
        g = torch.Generator().manual_seed(0)
        for name in HEAD_KEYS:
            p = model.get_parameter(name)
            p.copy_(torch.randn(p.shape, generator=g) * 0.5 + (1 if name.endswith("LayerNorm.weight") else 0))
    ids = torch.tensor(tiny_meta["input_ids"])
    types = torch.tensor(tiny_meta["token_type_ids"])
    mask = torch.tensor(tiny_meta["attention_mask"])
    labels = torch.full_like(ids, -100)
    corrupted = ids.clone()
    picks = [(0, 1, 4), (0, 3, None), (1, 2, 4), (1, 5, 7), (2, 1, None), (2, 2, 4)]  # (row, col, replacement or kept)
    for r, c, rep in picks:
        assert mask[r, c] == 1
        labels[r, c] = ids[r, c]
        if rep is not None:
            corrupted[r, c] = rep
    out = run(model, corrupted, types, mask, labels)
    rows = [r * ids.shape[1] + c for r, c, _ in picks]
    tensors["tiny.logits"] = out.logits.detach().reshape(-1, model.config.vocab_size)[rows].clone()
    for name in HEAD_KEYS:
        tensors[f"tiny.head.{name}"] = model.get_parameter(name).detach().clone()
    no_grad = []
    for n, p in model.named_parameters():
        if p.grad is None:
            no_grad.append(n)
        else:
            tensors[f"tiny.grad.{n}"] = p.grad.detach().clone()
    meta["tiny"] = {"input_ids": corrupted.tolist(), "token_type_ids": types.tolist(), "attention_mask": mask.tolist(),
                    "labels": labels.tolist(), "positions": rows, "loss": out.loss.item(), "no_grad": no_grad,
                    "parameters": [n for n, _ in model.named_parameters()]}


def minilm_batch(tokenizer):
    enc = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    ids = enc["input_ids"].clone()
    labels = torch.full_like(ids, -100)
    rng = np.random.RandomState(5)
    vocab = tokenizer.convert_ids_to_tokens(list(range(tokenizer.vocab_size)))
    kinds = []
    for b in range(ids.shape[0]):
        words = []  # lists of positions: a token and its ## pieces
        for t in range(ids.shape[1]):
            tok = vocab[ids[b, t]]
            if ids[b, t] in tokenizer.all_special_ids:
                continue
            if tok.startswith("##") and words and words[-1][-1] == t - 1:
                words[-1].append(t)
            else:
                words.append([t])
        multi = [w for w in words if len(w) > 1]
        chosen = [w for w in words if rng.rand() < 0.2] + multi[:1]  # at least one multi-piece word, whole
        for w in chosen:
            for t in w:
                if labels[b, t] != -100:
                    continue
                labels[b, t] = ids[b, t]
                kind = ["mask", "mask", "mask", "random", "keep"][len(kinds) % 5]
                kinds.append(kind)
                if kind == "mask":
                    ids[b, t] = tokenizer.mask_token_id
                elif kind == "random":
                    ids[b, t] = int(rng.randint(1000, tokenizer.vocab_size))
    return ids, enc["token_type_ids"], enc["attention_mask"], labels, kinds


def minilm(tensors, meta):
    tokenizer = AutoTokenizer.from_pretrained(MINILM)
    model, info = BertForMaskedLM.from_pretrained(MINILM, output_loading_info=True, attn_implementation="eager")
    model.eval()
    assert set(HEAD_KEYS) <= set(info["missing_keys"]), f"MiniLM now ships an MLM head? {info}"
    lexgraph_head_init(model, HEAD_SEED)
    assert model.cls.predictions.decoder.weight.data_ptr() == model.bert.embeddings.word_embeddings.weight.data_ptr(), "decoder not tied"
    ids, types, mask, labels, kinds = minilm_batch(tokenizer)
    out = run(model, ids, types, mask, labels)
    t = ids.shape[1]
    positions = [int(i) for i in (labels.flatten() != -100).nonzero().flatten()]
    vocab_probe = sorted(set(int(x) for x in labels.flatten() if x != -100) | set(range(0, 30522, 997)))[:64]
    logits = out.logits.detach().reshape(-1, model.config.vocab_size)[positions][:, vocab_probe]
    tensors["minilm.logits"] = logits.clone()
    stats = {}
    for n, p in model.named_parameters():
        g = p.grad.detach().double().flatten().numpy()
        stats[n] = {"norm": float(np.sqrt((g * g).sum())), "sum": float(g.sum()), "probe": float(g @ probe(g.size)), "count": int(g.size)}
    grads = dict(model.named_parameters())
    full = [n for n in grads if n.startswith("cls.") and n != "cls.predictions.transform.dense.weight"]
    full += [n for n in grads if grads[n].dim() == 1 and (n.startswith("bert.embeddings.") or ".layer.0." in n or ".layer.5." in n)]
    for n in dict.fromkeys(full):
        tensors[f"minilm.grad.{n}"] = grads[n].grad.detach().clone()
    row0 = [n for n, p in grads.items() if p.dim() == 2 and n != "bert.embeddings.word_embeddings.weight"
            and not (".layer." in n and ".layer.0." not in n and ".layer.5." not in n)]
    for n in row0:
        tensors[f"minilm.grad_row0.{n}"] = grads[n].grad[0].detach().clone()
    label_ids = sorted(set(int(x) for x in labels.flatten() if x != -100))
    input_ids = [i for i in sorted(set(int(x) for x in ids.flatten())) if i not in label_ids]
    used = label_ids + input_ids[:: max(1, len(input_ids) // 8)][:8]
    outside = [i for i in range(2000, 30522, 3571) if i not in set(int(x) for x in ids.flatten())][:8]
    rows = used + outside
    tensors["minilm.grad_rows.bert.embeddings.word_embeddings.weight"] = grads["bert.embeddings.word_embeddings.weight"].grad[rows].detach().clone()
    tensors["minilm.head.dense_weight_first16"] = model.cls.predictions.transform.dense.weight.detach().flatten()[:16].clone()
    with tempfile.TemporaryDirectory() as tmp:  # the keys transformers itself writes for this model
        model.save_pretrained(tmp)
        saved_keys = sorted(safetensors_keys(os.path.join(tmp, "model.safetensors")))
    meta["minilm"] = {"sentences": SENTENCES, "input_ids": ids.tolist(), "token_type_ids": types.tolist(), "attention_mask": mask.tolist(),
                      "labels": labels.tolist(), "replacements": kinds, "positions": positions, "vocab_probe": vocab_probe,
                      "word_embedding_rows": rows, "rows_outside_batch": outside, "loss": out.loss.item(), "head_seed": HEAD_SEED,
                      "gradient_stats": stats, "full_gradients": list(dict.fromkeys(full)), "first_rows": row0, "hf_saved_keys": saved_keys,
                      "sequence_length": t}


def safetensors_keys(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return [k for k in json.loads(f.read(n)) if k != "__metadata__"]


def check_saved(folder):
    """A folder MaskedLanguageModel.save wrote: loads as BertForMaskedLM with nothing missing or
    unexpected, its tokenizer loads, and (when it holds the unchanged MiniLM with the seed-7
    head, as the Swift test saves it) its loss on the fixture batch is the fixture's."""
    config = json.load(open(os.path.join(folder, "config.json")))
    assert config["architectures"] == ["BertForMaskedLM"], config["architectures"]
    model, info = BertForMaskedLM.from_pretrained(folder, output_loading_info=True, attn_implementation="eager")
    problems = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs")}
    if problems:
        sys.exit(f"{folder}: HF loading reported {problems}")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    meta = json.load(open(os.path.join(OUT, "mlm_reference.json")))["minilm"]
    model.eval()
    with torch.no_grad():
        out = model(input_ids=torch.tensor(meta["input_ids"]), token_type_ids=torch.tensor(meta["token_type_ids"]),
                    attention_mask=torch.tensor(meta["attention_mask"]), labels=torch.tensor(meta["labels"]))
    print(f"{folder}: loads as {type(model).__name__} with no missing/unexpected/mismatched keys; tokenizer {type(tokenizer).__name__}; "
          f"loss on the fixture batch {out.loss.item():.6f} (fixture {meta['loss']:.6f}, |Δ| {abs(out.loss.item() - meta['loss']):.2e})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-saved", metavar="DIR")
    args = parser.parse_args()
    if args.check_saved:
        check_saved(args.check_saved)
        return
    tensors, meta = {}, {"peer": f"torch {torch.__version__}, transformers BertForMaskedLM"}
    import transformers
    meta["peer"] += f" {transformers.__version__}"
    tiny(tensors, meta)
    minilm(tensors, meta)
    save_file({k: v.contiguous().float() for k, v in tensors.items()}, os.path.join(OUT, "mlm_reference.safetensors"))
    with open(os.path.join(OUT, "mlm_reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
    for name in ["mlm_reference.json", "mlm_reference.safetensors"]:
        path = os.path.join(OUT, name)
        print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
