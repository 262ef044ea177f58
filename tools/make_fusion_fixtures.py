#!/usr/bin/env python3
"""Writes the reference fixture for K-BERT style inputs: explicit position ids (soft
positions) and a 3-D [B, T, T] 0/1 visibility matrix as the attention mask.

Peer: PyTorch + Hugging Face transformers `BertModel` (CPU, float32, eager attention).
Rerun from the package root:  python3 tools/make_fusion_fixtures.py
Outputs (Tests/Fixtures/fusion/):
  tiny-bert/{config.json,model.safetensors}  a 2-layer randomly initialized BertModel.
  kbert_reference.json         input ids, token types, position ids, the visibility matrix
                               and the loss weights' seed; the peer's versions.
  kbert_reference.safetensors  last hidden state, pooler output, the loss weights R [B,T,H]
                               and S [B,H], and the gradient of every parameter for
                               loss = sum(last_hidden_state * R) + sum(pooler_output * S).
HF (up to v4) turned a 3-D 0/1 mask into an additive (1 - mask) * finfo(float32).min, which
this script passes as a 4-D float mask (v5 takes 4-D masks as given); the Swift side
gives the same visibility as an additive bias of (1 - visible) * -10000, which softmax makes
identical in float32 (exp(-10000) underflows to 0).
"""
import json
import os

import torch
import transformers
from safetensors.torch import save_file
from transformers import BertConfig, BertModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "fusion")

torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)


def main():
    os.makedirs(OUT, exist_ok=True)
    config = BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                        max_position_embeddings=40, type_vocab_size=2, hidden_dropout_prob=0.1,
                        attention_probs_dropout_prob=0.1, attn_implementation="eager")
    torch.manual_seed(4321)
    model = BertModel(config).eval()  # eval: dropout off
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "LayerNorm.weight" in n:
                p.add_(0.1 * torch.randn_like(p))
            elif n.endswith(".bias"):
                p.copy_(0.05 * torch.randn_like(p))
    model.save_pretrained(os.path.join(OUT, "tiny-bert"), safe_serialization=True)

    # Two K-BERT rows. Row 0: text [CLS] a b c [SEP] (positions 0..4) then a branch of 3
    # tokens anchored at token 2 (soft positions 3,4,5) and a branch of 2 anchored at [CLS]
    # (positions 1,2). Row 1: text of 6 tokens, one branch of 2 anchored at token 1, then 2
    # padding slots (visible to nobody, seeing only themselves so softmax stays defined).
    t = 10
    rows = [
        {"text": 5, "branches": [(2, 3), (0, 2)]},
        {"text": 6, "branches": [(1, 2)]},
    ]
    ids = torch.randint(5, 99, (2, t))
    types = torch.zeros(2, t, dtype=torch.long)
    pos = torch.zeros(2, t, dtype=torch.long)
    vis = torch.zeros(2, t, t)
    for b, r in enumerate(rows):
        n = r["text"]
        ids[b, 0] = 2
        ids[b, n - 1] = 3
        pos[b, :n] = torch.arange(n)
        vis[b, :n, :n] = 1  # text sees text
        cursor = n
        for anchor, length in r["branches"]:
            span = list(range(cursor, cursor + length))
            for k, i in enumerate(span):
                pos[b, i] = pos[b, anchor] + 1 + k
                types[b, i] = 1
            for i in span:
                for j in span:
                    vis[b, i, j] = 1  # a branch sees itself
                vis[b, i, anchor] = 1  # and its anchor
                vis[b, anchor, i] = 1  # the anchor sees its branch
            cursor += length
        for i in range(cursor, t):  # padding
            ids[b, i] = 0
            pos[b, i] = 0
            vis[b, i, i] = 1
    # transformers 5 no longer expands 3-D masks itself; give it the 4-D additive form its
    # get_extended_attention_mask made of one, (1 - visible) * finfo(float32).min.
    extended = (1.0 - vis[:, None, :, :]) * torch.finfo(torch.float32).min
    out = model(input_ids=ids, token_type_ids=types, position_ids=pos, attention_mask=extended)
    torch.manual_seed(99)
    r_weights = torch.randn_like(out.last_hidden_state)
    s_weights = torch.randn_like(out.pooler_output)
    # Padding rows' outputs are meaningless: give them no weight.
    for b, r in enumerate(rows):
        used = r["text"] + sum(length for _, length in r["branches"])
        r_weights[b, used:] = 0
    loss = (out.last_hidden_state * r_weights).sum() + (out.pooler_output * s_weights).sum()
    loss.backward()
    tensors = {"last_hidden_state": out.last_hidden_state.detach(), "pooler_output": out.pooler_output.detach(),
               "R": r_weights, "S": s_weights}
    tensors.update({f"grad.{n}": p.grad.detach().clone() for n, p in model.named_parameters()})
    save_file({k: v.contiguous().float() for k, v in tensors.items()}, os.path.join(OUT, "kbert_reference.safetensors"))
    meta = {"input_ids": ids.tolist(), "token_type_ids": types.tolist(), "position_ids": pos.tolist(),
            "visibility": vis.long().tolist(), "loss": loss.item(),
            "peer": f"torch {torch.__version__}, transformers {transformers.__version__}"}
    with open(os.path.join(OUT, "kbert_reference.json"), "w") as f:
        json.dump(meta, f)
    for root, _, files in os.walk(OUT):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
