#!/usr/bin/env python3
"""Writes the LoRA reference fixtures that Tests/TransformerTests/LoRAReferenceTests.swift
compares against, and checks that an adapter folder lexgraph saved loads in peft.

Peer: PyTorch + transformers + peft (CPU, float32, eager attention, dropout off). The base
is the MiniLM in models/all-minilm-l6-v2 as BertForSequenceClassification (3 labels, the
classifier drawn by torch from seed 0), wrapped by peft's get_peft_model with
LoraConfig(task_type SEQ_CLS, r 2, lora_alpha 6, lora_dropout 0.1, the four attention
projections and both feed-forward ones). lora_A and lora_B are then set to fixed non-zero
values (peft starts B at zero, which would make every check trivial).

Rerun from the package root:   python3 tools/make_lora_fixtures.py
Outputs (Tests/Fixtures/lora/):
  peft-adapter/             the adapters as peft's save_pretrained writes them
                            (adapter_config.json, adapter_model.safetensors)
  lora_reference.json       the batch (ids, types, mask, labels), the loss, peft's version,
                            its state-dict key names, and the trainable parameter names
  lora_reference.safetensors  logits [3, 3] and the gradient of every trainable tensor
                            (lora_A, lora_B, the classifier copy) under peft's key names

Check a folder lexgraph wrote (LoRAReferenceTests writes one and prints its path):
  python3 tools/make_lora_fixtures.py --check DIR
loads DIR with PeftModel.from_pretrained onto the same base and compares its logits on the
fixture batch with the fixture's (the folder holds the fixture's adapters).
"""
import argparse
import json
import os
import sys

# peft keeps target_modules in a set: fix string hashing so adapter_config.json lists them
# in the same order on every run (the fixture is then byte-for-byte reproducible).
if os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})

import peft
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import save_file
from transformers import AutoTokenizer, BertForSequenceClassification
from transformers.utils import logging as hf_logging

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "lora")
MODEL = os.environ.get("LEXGRAPH_MODEL", os.path.join(ROOT, "models", "all-minilm-l6-v2"))
ADAPTER = os.path.join(OUT, "peft-adapter")
TARGETS = ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"]
TEXTS = [
    "The lessee shall indemnify the lessor against all claims.",
    "This agreement is governed by the laws of Delaware.",
    "Either party may terminate on thirty days' written notice.",
]
LABELS = [0, 2, 1]

hf_logging.set_verbosity_error()  # the base has no classifier: its load report is expected
hf_logging.disable_progress_bar()
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)


def base_model():
    torch.manual_seed(0)  # the classifier's initialization
    return BertForSequenceClassification.from_pretrained(MODEL, num_labels=3, attn_implementation="eager").eval()


def fixture_batch():
    tok = AutoTokenizer.from_pretrained(MODEL)
    enc = tok(TEXTS, padding=True, return_tensors="pt")
    return enc["input_ids"], enc["token_type_ids"], enc["attention_mask"]


def make():
    os.makedirs(OUT, exist_ok=True)
    ids, types, mask = fixture_batch()
    labels = torch.tensor(LABELS)
    config = LoraConfig(task_type="SEQ_CLS", r=2, lora_alpha=6, lora_dropout=0.1, target_modules=TARGETS)
    model = get_peft_model(base_model(), config)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_A" in name:
                p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) / p.shape[1] ** 0.5)
            elif "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)
    model.eval()  # dropout off, lora_dropout included
    out = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels)
    out.loss.backward()

    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    model.base_model.model.config.name_or_path = "models/all-minilm-l6-v2"
    model.peft_config["default"].base_model_name_or_path = "models/all-minilm-l6-v2"
    model.save_pretrained(ADAPTER)
    os.remove(os.path.join(ADAPTER, "README.md"))  # peft's model-card template, not part of the adapter
    saved_keys = sorted(_keys(ADAPTER))

    tensors = {"logits": out.logits.detach().clone()}
    for n, p in model.named_parameters():
        if p.requires_grad:
            tensors["grad." + peft_key(n)] = p.grad.detach().clone()
    # Every trainable tensor must be one the adapter file holds.
    missing = sorted(set(peft_key(n) for n in trainable) - set(saved_keys))
    assert not missing, f"trainable tensors not in the saved adapter: {missing}"

    # The folder loads back onto a fresh base and reproduces the logits exactly.
    reloaded = PeftModel.from_pretrained(base_model(), ADAPTER).eval()
    with torch.no_grad():
        again = reloaded(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
    assert torch.equal(again, out.logits.detach()), "peft's own round trip changed the logits"
    # Merged weights (peft merge_and_unload) give the same logits within rounding.
    with torch.no_grad():
        merged = reloaded.merge_and_unload()(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
    merge_delta = (merged - out.logits).abs().max().item()

    meta = {
        "peer": f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}",
        "input_ids": ids.tolist(), "token_type_ids": types.tolist(), "attention_mask": mask.tolist(), "labels": LABELS,
        "loss": out.loss.item(), "rank": config.r, "lora_alpha": config.lora_alpha, "lora_dropout": config.lora_dropout,
        "target_modules": TARGETS, "saved_keys": saved_keys, "trainable": [peft_key(n) for n in trainable],
        "merge_max_abs_logit_delta": merge_delta,
    }
    save_file({k: v.contiguous().float() for k, v in tensors.items()}, os.path.join(OUT, "lora_reference.safetensors"))
    with open(os.path.join(OUT, "lora_reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
    for root, _, files in os.walk(OUT):
        for name in sorted(files):
            path = os.path.join(root, name)
            print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes")
    print(f"loss {out.loss.item():.6f}; {len(trainable)} trainable tensors; merge changes logits by {merge_delta:.2e}")


def peft_key(name):
    """A trainable parameter's key in peft's saved state dict: the adapter name dropped, and
    the classifier copy (`classifier.modules_to_save.default.weight`) under the module's own name."""
    return name.replace(".modules_to_save.default.", ".").replace(".default.", ".")


def _keys(folder):
    from safetensors import safe_open
    with safe_open(os.path.join(folder, "adapter_model.safetensors"), "pt") as f:
        return list(f.keys())


def check(folder):
    """Loads a lexgraph-written folder in peft and compares logits with the fixture's."""
    from safetensors.torch import load_file
    meta = json.load(open(os.path.join(OUT, "lora_reference.json")))
    ref = load_file(os.path.join(OUT, "lora_reference.safetensors"))
    ours = sorted(_keys(folder))
    if ours != sorted(meta["saved_keys"]):
        print(f"key sets differ: only ours {sorted(set(ours) - set(meta['saved_keys']))[:4]}, "
              f"only peft's {sorted(set(meta['saved_keys']) - set(ours))[:4]}")
        return 1
    model = PeftModel.from_pretrained(base_model(), folder).eval()
    ids, types, mask = (torch.tensor(meta[k]) for k in ["input_ids", "token_type_ids", "attention_mask"])
    with torch.no_grad():
        logits = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
    delta = (logits - ref["logits"]).abs().max().item()
    cfg = model.peft_config["default"]
    print(f"peft {peft.__version__} loaded {folder}: r {cfg.r}, alpha {cfg.lora_alpha}, targets {sorted(cfg.target_modules)}, "
          f"modules_to_save {sorted(set(cfg.modules_to_save or []))}; logits max |Δ| vs fixture {delta:.2e}")
    return 0 if delta <= 1e-4 else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", metavar="DIR", help="an adapter folder lexgraph saved")
    args = ap.parse_args()
    sys.exit(check(args.check) if args.check else make())
