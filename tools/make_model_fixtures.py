#!/usr/bin/env python3
"""Writes the reference fixtures the Swift Transformer tests compare against.

Peer: PyTorch + Hugging Face transformers (CPU, float32, eager attention, deterministic).
Rerun from the package root:  python3 tools/make_model_fixtures.py
Outputs (Tests/Fixtures/model/):
  minilm_reference.{json,safetensors}  real all-MiniLM-L6-v2 on legal sentences (padded batch
                                       with a sentence pair): last hidden states, pooler output,
                                       mean-pooled embeddings.
  tiny-bert/{config.json,model.safetensors}  a 2-layer randomly initialized
                                       BertForSequenceClassification (bert.-prefixed names).
  tiny_reference.{json,safetensors}    for tiny-bert on a padded batch with token types:
                                       logits, losses and every parameter's gradient for
                                       single-label / multi-label / regression heads and for an
                                       additive attention bias; one AdamW step; a 3-step loop with
                                       warm-up/decay schedule and gradient clipping.
"""
import json
import os

import torch
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer, BertConfig, BertForSequenceClassification
from transformers.optimization import get_linear_schedule_with_warmup

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "model")
MODEL = os.environ.get("LEXGRAPH_MODEL", os.path.join(ROOT, "models", "all-minilm-l6-v2"))

torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)


def minilm_fixture():
    tok = AutoTokenizer.from_pretrained(MODEL)
    model = AutoModel.from_pretrained(MODEL, attn_implementation="eager").eval()
    singles = [
        "The court held that the contract was void for lack of consideration.",
        "Section 12 of the Act was repealed in 2019.",
        "The appellant's motion to dismiss is denied.",
    ]
    pair = ("Is the lessee liable for repairs?", "The lease places the duty to repair on the landlord.")
    first = singles + [pair[0]]
    second = [None, None, None, pair[1]]
    enc = [tok(a, b) if b else tok(a) for a, b in zip(first, second)]
    t = max(len(e["input_ids"]) for e in enc)
    ids, types, mask = [], [], []
    for e in enc:
        n = len(e["input_ids"])
        ids.append(e["input_ids"] + [0] * (t - n))
        types.append(e["token_type_ids"] + [0] * (t - n))
        mask.append([1] * n + [0] * (t - n))
    with torch.no_grad():
        out = model(input_ids=torch.tensor(ids), token_type_ids=torch.tensor(types), attention_mask=torch.tensor(mask))
    hidden = out.last_hidden_state.float()
    m = torch.tensor(mask, dtype=torch.float32).unsqueeze(-1)
    mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    save_file({"last_hidden_state": hidden.contiguous(), "pooler_output": out.pooler_output.contiguous(),
               "mean_pooled": mean.contiguous()}, os.path.join(OUT, "minilm_reference.safetensors"))
    with open(os.path.join(OUT, "minilm_reference.json"), "w") as f:
        json.dump({"texts": [[a, b] if b else [a] for a, b in zip(first, second)], "input_ids": ids,
                   "token_type_ids": types, "attention_mask": mask, "peer": f"torch {torch.__version__}"}, f, indent=1)


def tiny_config(problem_type):
    return BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                      max_position_embeddings=64, type_vocab_size=2, hidden_dropout_prob=0.1,
                      attention_probs_dropout_prob=0.1, num_labels=3, problem_type=problem_type,
                      attn_implementation="eager")


def grads_of(model, prefix):
    return {f"{prefix}.{n}": p.grad.detach().clone() for n, p in model.named_parameters()}


def tiny_fixture():
    torch.manual_seed(1234)
    model = BertForSequenceClassification(tiny_config("single_label_classification")).eval()  # eval: dropout off
    # Non-trivial LayerNorm and bias values so their gradients are exercised, not only defaults.
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "LayerNorm.weight" in n:
                p.add_(0.1 * torch.randn_like(p))
            elif n.endswith(".bias"):
                p.copy_(0.05 * torch.randn_like(p))
    model.save_pretrained(os.path.join(OUT, "tiny-bert"), safe_serialization=True)
    state = {n: p.detach().clone() for n, p in model.named_parameters()}

    b, t = 3, 10
    lengths = [10, 7, 4]
    ids = torch.randint(1, 99, (b, t))
    mask = torch.zeros(b, t, dtype=torch.long)
    types = torch.zeros(b, t, dtype=torch.long)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1
        ids[i, n:] = 0
        types[i, n // 2:n] = 1
    ids[:, 0] = 2  # a [CLS]-like first token
    labels = torch.tensor([0, 2, 1])
    multi = torch.tensor([[1, 0, 1], [0, 0, 1], [1, 1, 0]], dtype=torch.float32)
    reg = torch.randn(b, 3)
    tensors, meta = {}, {"input_ids": ids.tolist(), "token_type_ids": types.tolist(), "attention_mask": mask.tolist(),
                         "labels": labels.tolist(), "multi_label_targets": multi.flatten().tolist(),
                         "regression_targets": reg.flatten().tolist(), "peer": f"torch {torch.__version__}"}

    def run(problem, target, tag, attention_mask):
        model.config.problem_type = problem
        model.zero_grad()
        out = model(input_ids=ids, token_type_ids=types, attention_mask=attention_mask, labels=target)
        out.loss.backward()
        tensors[f"{tag}.logits"] = out.logits.detach().clone()
        tensors.update(grads_of(model, f"{tag}.grad"))
        meta[f"{tag}_loss"] = out.loss.item()

    run("single_label_classification", labels, "single", mask)
    run("multi_label_classification", multi, "multi", mask)
    run("regression", reg, "regression", mask)

    # Additive attention bias [B, T, T] (a visibility matrix: 0 visible, -10000 hidden, plus small
    # soft biases), given to torch as an extended 4D float mask together with the padding.
    bias = 0.3 * torch.randn(b, t, t)
    hidden_pairs = torch.rand(b, t, t) < 0.25
    bias[hidden_pairs] = -10000.0
    for i in range(t):
        bias[:, i, i] = 0.0  # every token sees itself
    tensors["attention_bias"] = bias.clone()
    padding = (1.0 - mask.float())[:, None, None, :] * -1e9
    extended = bias[:, None, :, :] + padding
    model.config.problem_type = "single_label_classification"
    model.zero_grad()
    out = model.bert(input_ids=ids, token_type_ids=types, attention_mask=extended)
    tensors["bias.last_hidden_state"] = out.last_hidden_state.detach().clone()
    run("single_label_classification", labels, "bias", extended)

    # One AdamW step from the single-label gradients, two param groups as the HF Trainer
    # makes them (no decay for biases and LayerNorm).
    adam = {"lr": 1e-3, "betas": [0.9, 0.98], "eps": 1e-6, "weight_decay": 0.1}
    meta["adamw"] = adam

    def groups():
        decay = [p for n, p in model.named_parameters() if not (n.endswith(".bias") or "LayerNorm" in n)]
        nodecay = [p for n, p in model.named_parameters() if n.endswith(".bias") or "LayerNorm" in n]
        return [{"params": decay, "weight_decay": adam["weight_decay"]}, {"params": nodecay, "weight_decay": 0.0}]

    model.config.problem_type = "single_label_classification"
    model.zero_grad()
    model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels).loss.backward()
    opt = torch.optim.AdamW(groups(), lr=adam["lr"], betas=tuple(adam["betas"]), eps=adam["eps"])
    opt.step()
    tensors.update({f"adamw_step1.{n}": p.detach().clone() for n, p in model.named_parameters()})

    # Three more updates as a training loop would do them: fresh optimizer on the original
    # weights, schedule with 1 warm-up step over 4 total, clipping at max norm 0.5.
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(state[n])
    opt = torch.optim.AdamW(groups(), lr=adam["lr"], betas=tuple(adam["betas"]), eps=adam["eps"])
    sched = get_linear_schedule_with_warmup(opt, num_warmup_steps=1, num_training_steps=4)
    loop = {"warmup_steps": 1, "total_steps": 4, "max_grad_norm": 0.5, "steps": 3, "learning_rates": [], "grad_norms": [], "losses": []}
    for _ in range(3):
        model.zero_grad()
        loss = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels).loss
        loss.backward()
        loop["losses"].append(loss.item())
        loop["grad_norms"].append(torch.nn.utils.clip_grad_norm_(model.parameters(), loop["max_grad_norm"]).item())
        loop["learning_rates"].append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    meta["loop"] = loop
    tensors.update({f"loop_final.{n}": p.detach().clone() for n, p in model.named_parameters()})

    save_file({k: v.contiguous().float() for k, v in tensors.items()}, os.path.join(OUT, "tiny_reference.safetensors"))
    with open(os.path.join(OUT, "tiny_reference.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    minilm_fixture()
    tiny_fixture()
    for root, _, files in os.walk(OUT):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes")
