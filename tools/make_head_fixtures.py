#!/usr/bin/env python3
"""Writes the reference fixtures for the fine-tuning head extensions (mean pooling, class
weights) that Tests/TransformerTests/HeadReferenceTests.swift compares against.

Peer: PyTorch + Hugging Face transformers (CPU, float32, eager attention, dropout off) and
scikit-learn's compute_class_weight. Reuses tiny-bert and the padded batch that
tools/make_model_fixtures.py wrote (run that first if they are missing).
Rerun from the package root:  python3 tools/make_head_fixtures.py
Outputs (Tests/Fixtures/model/):
  head_reference.json          the batch's targets, class weights, losses; which gradients
                               torch leaves as None (the pooler under mean pooling)
  head_reference.safetensors   logits and every parameter's gradient per case:
    mean_single    sentence-transformers mean pooling (mask-aware mean of the last hidden
                   states), classifier, CrossEntropyLoss: pooler unused
    cls_weighted   BERT pooler head, CrossEntropyLoss(weight=balanced class weights)
    mean_pos       mean pooling, BCEWithLogitsLoss(pos_weight=n_neg/n_pos capped at 100)
  and two loss-only cases on given logits (loss + dLoss/dlogits):
    ce_ignore      weighted cross-entropy with an ignore_index (-100) row
    bce_extreme    pos_weight BCE on logits up to +-30 (the stable form)
"""
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file
from sklearn.utils.class_weight import compute_class_weight
from transformers import BertForSequenceClassification

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "model")
MAX_POS_WEIGHT = 100.0  # ClassWeights.maxPositiveWeight

torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)


def positive_weights(targets):
    """torch's recommended pos_weight n_neg / n_pos per label, capped; 1 without positives."""
    pos = targets.sum(0)
    neg = targets.shape[0] - pos
    w = torch.where(pos > 0, neg / pos.clamp(min=1), torch.ones_like(pos))
    return w.clamp(max=MAX_POS_WEIGHT)


def main():
    meta_in = json.load(open(os.path.join(OUT, "tiny_reference.json")))
    model = BertForSequenceClassification.from_pretrained(os.path.join(OUT, "tiny-bert"), attn_implementation="eager").eval()
    ids = torch.tensor(meta_in["input_ids"])
    types = torch.tensor(meta_in["token_type_ids"])
    mask = torch.tensor(meta_in["attention_mask"])
    labels = torch.tensor(meta_in["labels"])
    multi = torch.tensor(meta_in["multi_label_targets"], dtype=torch.float32).view(len(labels), -1)
    num_labels = model.config.num_labels

    # Training sets the weights are computed from (not the batch): skewed on purpose.
    train_classes = [0] * 9 + [1] * 3 + [2] * 1
    class_weights = compute_class_weight("balanced", classes=np.arange(num_labels), y=np.array(train_classes))
    g = torch.Generator().manual_seed(7)
    train_multi = torch.zeros(205, num_labels)
    train_multi[torch.randperm(205, generator=g)[:100], 0] = 1  # 100 positives: 1.05
    train_multi[17, 1] = 1                                       # 1 positive: 204, capped at 100
    # label 2: no positives: 1
    pos_weight = positive_weights(train_multi)

    tensors = {}
    meta = {"peer": f"torch {torch.__version__}, scikit-learn compute_class_weight", "labels": labels.tolist(),
            "multi_label_targets": multi.flatten().tolist(), "train_classes": train_classes,
            "train_multi_label_targets": train_multi.tolist(), "class_weights": class_weights.tolist(),
            "pos_weight": pos_weight.tolist(), "max_pos_weight": MAX_POS_WEIGHT}

    def head_logits(pooling):
        if pooling == "cls":
            return model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
        hidden = model.bert(input_ids=ids, token_type_ids=types, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)  # sentence-transformers Pooling(mean)
        return model.classifier(model.dropout(mean))

    def run(tag, pooling, loss_fn, target):
        model.zero_grad(set_to_none=True)
        logits = head_logits(pooling)
        loss = loss_fn(logits, target)
        loss.backward()
        tensors[f"{tag}.logits"] = logits.detach().clone()
        no_grad = []
        for n, p in model.named_parameters():
            if p.grad is None:
                no_grad.append(n)
                tensors[f"{tag}.grad.{n}"] = torch.zeros_like(p)
            else:
                tensors[f"{tag}.grad.{n}"] = p.grad.detach().clone()
        meta[f"{tag}_loss"] = loss.item()
        meta[f"{tag}_no_grad"] = no_grad

    cw = torch.tensor(class_weights, dtype=torch.float32)
    run("mean_single", "mean", torch.nn.CrossEntropyLoss(), labels)
    run("cls_weighted", "cls", torch.nn.CrossEntropyLoss(weight=cw), labels)
    run("mean_pos", "mean", torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight), multi)

    # Loss-only cases on given logits.
    logits = (torch.randn(4, 3, generator=g) * 3).requires_grad_()
    target = torch.tensor([0, -100, 2, 1])
    loss = torch.nn.CrossEntropyLoss(weight=cw, ignore_index=-100)(logits, target)
    loss.backward()
    tensors["ce_ignore.logits"] = logits.detach().clone()
    tensors["ce_ignore.dlogits"] = logits.grad.clone()
    meta["ce_ignore_labels"] = target.tolist()
    meta["ce_ignore_loss"] = loss.item()

    logits = torch.tensor([[-30.0, -5.0, 0.0, 5.0, 30.0], [30.0, 5.0, -0.5, -5.0, -30.0]], requires_grad=True)
    target = torch.tensor([[1.0, 1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0, 1.0]])
    pw = torch.tensor([100.0, 3.0, 0.5, 1.0, 2.0])
    loss = torch.nn.BCEWithLogitsLoss(pos_weight=pw)(logits, target)
    loss.backward()
    tensors["bce_extreme.logits"] = logits.detach().clone()
    tensors["bce_extreme.targets"] = target
    tensors["bce_extreme.pos_weight"] = pw
    tensors["bce_extreme.dlogits"] = logits.grad.clone()
    meta["bce_extreme_loss"] = loss.item()

    save_file({k: v.contiguous().float() for k, v in tensors.items()}, os.path.join(OUT, "head_reference.safetensors"))
    with open(os.path.join(OUT, "head_reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
    for name in ["head_reference.json", "head_reference.safetensors"]:
        path = os.path.join(OUT, name)
        print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
