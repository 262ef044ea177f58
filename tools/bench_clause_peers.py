#!/usr/bin/env python3
"""Peers for the clause tasks (issue 12), run on the files `lexgraph clauses prepare` writes
(DIR/train.jsonl, DIR/dev.jsonl, DIR/test.jsonl, DIR/task.json), scored with the metrics
`lexgraph clauses eval` reports (defined with scikit-learn, the same definitions its
tests check the Swift code against):

- clause-types (single label): accuracy, top-5 accuracy, family accuracy (families from
  graphs/contracts/clause_families.csv, the file the contracts graph's IN_FAMILY edges
  are loaded from), macro-F1 (sklearn, over the labels present).
- cuad (multi-label): per category average precision (sklearn average_precision_score)
  and precision at recall >= 0.8 (the best precision of any threshold reaching it), over
  the test texts; mean and worst over the categories with a test positive.
- unfair-tos (multi-label): macro-F1 over the 8 labels + "Other" (Other predicted when no
  label passes its threshold, LexGLUE's convention), micro-F1 over the 8, and (models
  with probabilities only) ECE over every (text, label) probability, 10 equal-width bins.
  Also reported: micro-F1 with Other as a 9th label, and macro-F1 over the 8.
Multi-label decisions use per-label thresholds tuned on dev: each label's threshold is the
dev score that maximises its dev F1 (predict score >= threshold; ties: the larger
threshold); a label without dev positives keeps the model's natural boundary (0.5 for
probabilities, 0 for SVM margins).

Peers:
  (default) TF-IDF (word 1-2 grams, sublinear tf) + LinearSVC, C chosen on dev (accuracy
      for clause-types, mean AUPR for cuad, macro-F1 for unfair-tos); multi-label is one
      LinearSVC per label, scored by decision_function.
  --transformers: the same MiniLM (models/all-minilm-l6-v2) fine-tuned with PyTorch +
      transformers: AdamW, linear warm-up (10%) and decay, weight decay 0.01, gradient
      clipping 1.0, the epoch with the best dev metric kept (macro-F1 single label,
      micro-F1 at 0.5 multi-label, as `lexgraph finetune` selects); --pooling cls
      (BertForSequenceClassification: pooler + classifier) or mean (mean of the last
      hidden states, no pooler); --class-weight balanced (single label: n / (k * count);
      multi-label: BCE pos_weight = negatives / positives per label). Reports quality and
      training throughput (examples/s per epoch) at --threads CPU threads. With --lora-rank,
      peft LoRA adapters on the attention projections (--lora-targets attention+ffn: the
      feed-forward ones too) and the classifier train, the base frozen.

Usage:
  python3 tools/bench_clause_peers.py DIR [DIR ...] --out runs/peers.json
      [--ours RUN/test_metrics.json ...] [--transformers --epochs 3 --lr 5e-5 ...]
Several DIRs of one task (the unfair-tos folds) are summarised as mean and standard
deviation over folds. --ours prints our figures (from `lexgraph clauses eval`'s
test_metrics.json, matched by task and fold) beside the peer's, with ours / peer.
The output file holds one JSON object for the whole invocation; a table goes to stdout.
"""
import argparse
import csv
import json
import math
import os
import platform
import statistics
import sys
import time
from fractions import Fraction

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, average_precision_score, f1_score,
                             precision_recall_curve, top_k_accuracy_score)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OTHER = "Other"
RECALL_LEVEL = 0.8
N_BINS = 10


# ---------------------------------------------------------------- metrics (shared definitions)

def average_precision(y, s):
    """sklearn's average precision; None (undefined) without a positive."""
    y = np.asarray(y, dtype=int)
    if y.sum() == 0:
        return None
    return float(average_precision_score(y, s))


def precision_at_recall(y, s, level=RECALL_LEVEL):
    """The best precision among the thresholds whose recall is >= level; None without a positive."""
    y = np.asarray(y, dtype=int)
    if y.sum() == 0:
        return None
    precision, recall, _ = precision_recall_curve(y, s)
    return float(precision[recall >= level].max())


def tune_threshold(y, s, fallback):
    """The dev score maximising the label's F1 when used as threshold (score >= t), ties
    to the larger threshold; `fallback` without a positive. F1 compared exactly."""
    y = np.asarray(y, dtype=int)
    s = np.asarray(s, dtype=float)
    positives = int(y.sum())
    if positives == 0:
        return float(fallback)
    order = np.argsort(-s, kind="mergesort")
    best, best_f1 = None, Fraction(-1)
    tp = fp = 0
    i = 0
    while i < len(order):
        t = s[order[i]]
        while i < len(order) and s[order[i]] == t:
            if y[order[i]]:
                tp += 1
            else:
                fp += 1
            i += 1
        f1 = Fraction(2 * tp, tp + fp + positives)
        if f1 > best_f1:  # thresholds are visited from the largest: ties keep the larger
            best, best_f1 = float(t), f1
    return best


def tune_thresholds(gold_hot, scores, fallback):
    return [tune_threshold(gold_hot[:, l], scores[:, l], fallback) for l in range(gold_hot.shape[1])]


def with_other(hot):
    """Append the Other column: 1 where a row has no label."""
    return np.hstack([hot, (hot.sum(axis=1) == 0).astype(int)[:, None]])


def ece(y, p):
    """Expected calibration error over 10 uniform bins: the prediction fixtures'
    definition (tools/make_prediction_fixtures.py), from sklearn's calibration_curve."""
    from make_prediction_fixtures import ece as sklearn_ece
    return sklearn_ece(np.asarray(y, dtype=int), np.asarray(p, dtype=float))

def single_label_metrics(gold, scores, labels, families=None):
    """gold: class indices; scores: [n, k] (higher = more likely)."""
    gold = np.asarray(gold)
    predicted = np.argmax(scores, axis=1)  # first of tied maxima, as our argmax
    out = {
        "accuracy": float(accuracy_score(gold, predicted)),
        "top5": float(top_k_accuracy_score(gold, scores, k=min(5, len(labels)), labels=list(range(len(labels))))),
        "macro_f1": float(f1_score(gold, predicted, average="macro", zero_division=0)),
    }
    if families is not None:
        fam = [families.get(name) for name in labels]
        missing = [name for name, f in zip(labels, fam) if f is None]
        if missing:
            raise SystemExit(f"no family for {len(missing)} type(s), e.g. {missing[:5]}")
        out["family_accuracy"] = float(np.mean([fam[g] == fam[p] for g, p in zip(gold, predicted)]))
    per_label = []
    for i, name in enumerate(labels):
        tp = int(np.sum((gold == i) & (predicted == i)))
        support, predicted_n = int(np.sum(gold == i)), int(np.sum(predicted == i))
        per_label.append({"label": name, "support": support, "predicted": predicted_n,
                          "f1": (2 * tp / (support + predicted_n)) if support + predicted_n else 0.0})
    return out, per_label


def retrieval_metrics(gold_hot, scores, labels):
    """CUAD: per category AUPR and precision at 80% recall; mean and worst over the
    categories with a positive."""
    per_label, aps, pars = [], [], []
    for l, name in enumerate(labels):
        ap = average_precision(gold_hot[:, l], scores[:, l])
        par = precision_at_recall(gold_hot[:, l], scores[:, l])
        per_label.append({"label": name, "support": int(gold_hot[:, l].sum()), "aupr": ap, "p_at_r80": par})
        if ap is not None:
            aps.append((ap, name))
            pars.append((par, name))
    out = {
        "aupr_mean": float(np.mean([a for a, _ in aps])) if aps else None,
        "aupr_worst": min(aps)[0] if aps else None,
        "p_at_r80_mean": float(np.mean([p for p, _ in pars])) if pars else None,
        "p_at_r80_worst": min(pars)[0] if pars else None,
        "scored_categories": len(aps),
    }
    if aps:
        out["aupr_worst_label"] = min(aps)[1]
        out["p_at_r80_worst_label"] = min(pars)[1]
    return out, per_label


def threshold_metrics(gold_hot, scores, thresholds, probabilities):
    """Multi-label decisions at per-label thresholds: micro/macro F1 over the labels and
    with Other; ECE when the scores are probabilities."""
    predicted = (scores >= np.asarray(thresholds)[None, :]).astype(int)
    g9, p9 = with_other(gold_hot), with_other(predicted)
    out = {
        "macro_f1": float(f1_score(g9, p9, average="macro", zero_division=0)),
        "micro_f1": float(f1_score(gold_hot, predicted, average="micro", zero_division=0)),
        "micro_f1_labels": float(f1_score(gold_hot, predicted, average="micro", zero_division=0)),
        "micro_f1_with_other": float(f1_score(g9, p9, average="micro", zero_division=0)),
        "macro_f1_labels": float(f1_score(gold_hot, predicted, average="macro", zero_division=0)),
    }
    out["ece"] = ece(gold_hot.ravel(), scores.ravel()) if probabilities else None
    per = f1_score(gold_hot, predicted, average=None, zero_division=0)
    return out, predicted, [float(x) for x in per]


def task_metrics(task, gold, scores, labels, thresholds=None, probabilities=False, families=None):
    """The task's test metrics and per-label details (gold: indices or a multi-hot matrix)."""
    if task == "clause-types":
        return single_label_metrics(gold, scores, labels, families)
    metrics, per_label = {}, [{"label": name, "support": int(gold[:, l].sum())} for l, name in enumerate(labels)]
    if task == "cuad":
        metrics, per_label = retrieval_metrics(gold, scores, labels)
    if thresholds is not None:
        extra, _, f1s = threshold_metrics(gold, scores, thresholds, probabilities)
        if task == "cuad":  # F1 at the tuned thresholds: context, not the task's figure
            metrics["micro_f1"], metrics["macro_f1_labels"] = extra["micro_f1"], extra["macro_f1_labels"]
        else:  # unfair-tos: micro_f1 counts Other as a ninth label, as LexGLUE does
            metrics.update(extra)
            metrics["micro_f1"] = metrics.pop("micro_f1_with_other")
        for row, t, f in zip(per_label, thresholds, f1s):
            row["threshold"], row["f1"] = t, f
    return metrics, per_label


# ---------------------------------------------------------------- data

def read_task(directory):
    with open(os.path.join(directory, "task.json")) as f:
        info = json.load(f)
    task = info["task"]
    if task not in ("clause-types", "cuad", "unfair-tos"):
        raise SystemExit(f"{directory}/task.json: unknown task {task!r}")
    labels = [name for name in info["labels"] if not (task == "unfair-tos" and name == OTHER)]
    splits = {}
    for split in ("train", "dev", "test"):
        path = os.path.join(directory, split + ".jsonl")
        rows = []
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                gold = row["label"]
                names = gold if isinstance(gold, list) else [gold]
                for name in names:
                    if name not in labels:
                        raise SystemExit(f"{path}:{number}: label {name!r} is not among the task's labels in task.json")
                rows.append({"id": row.get("id"), "text": row["text"], "label": gold, "line": number})
        splits[split] = rows
    return info, task, labels, splits


def gold_of(rows, task, labels):
    index = {name: i for i, name in enumerate(labels)}
    if task == "clause-types":
        return np.array([index[r["label"]] for r in rows])
    hot = np.zeros((len(rows), len(labels)), dtype=int)
    for i, r in enumerate(rows):
        for name in r["label"]:
            hot[i, index[name]] = 1
    return hot


def read_families(path):
    if not path or not os.path.exists(path):
        return None
    with open(path, newline="", encoding="utf-8") as f:
        return {row["type"]: row["family"] for row in csv.DictReader(f)}


# ---------------------------------------------------------------- peer 1: TF-IDF + LinearSVC

def tfidf_svm(task, labels, splits, cs, families, min_df):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    start = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=min_df)
    x = {"train": vectorizer.fit_transform([r["text"] for r in splits["train"]])}
    for split in ("dev", "test"):
        x[split] = vectorizer.transform([r["text"] for r in splits[split]])
    gold = {split: gold_of(rows, task, labels) for split, rows in splits.items()}
    key = {"clause-types": "accuracy", "cuad": "aupr_mean", "unfair-tos": "macro_f1"}[task]

    def fit(c):
        if task == "clause-types":
            model = LinearSVC(C=c)
            model.fit(x["train"], gold["train"])
            return model
        # A label without training positives gets a constant (never chosen) column.
        model = OneVsRestClassifier(LinearSVC(C=c))
        model.fit(x["train"], gold["train"])
        return model

    def scores(model, split):
        s = model.decision_function(x[split])
        if task == "clause-types":
            # Classes absent from train never win (sklearn's top-k refuses infinite scores).
            full = np.full((s.shape[0], len(labels)), s.min() - 1.0)
            full[:, model.classes_] = s
            return full
        return s

    tried, best = [], None
    for c in cs:
        model = fit(c)
        dev_scores = scores(model, "dev")
        thresholds = None if task == "clause-types" else tune_thresholds(gold["dev"], dev_scores, 0.0)
        dev_metrics, _ = task_metrics(task, gold["dev"], dev_scores, labels, thresholds, families=families)
        tried.append({"C": c, "dev": dev_metrics})
        if best is None or dev_metrics[key] > best[0]:
            best = (dev_metrics[key], c, model, thresholds, dev_metrics)
    _, c, model, thresholds, dev_metrics = best
    test_scores = scores(model, "test")
    metrics, per_label = task_metrics(task, gold["test"], test_scores, labels, thresholds, families=families)
    return {
        "peer": "tfidf-linearsvc",
        "settings": {"ngram_range": [1, 2], "sublinear_tf": True, "min_df": min_df, "C": c, "C_tried": cs,
                     "selected_on": "dev " + key, "features": len(vectorizer.vocabulary_)},
        "metrics": metrics, "dev_metrics": dev_metrics, "C_search": tried,
        "thresholds": None if thresholds is None else dict(zip(labels, thresholds)),
        "per_label": per_label, "seconds": time.perf_counter() - start,
    }


# ---------------------------------------------------------------- peer 2: PyTorch + transformers

def transformers_peer(task, labels, splits, args, families):
    import torch
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    multi = task != "clause-types"
    k = len(labels)
    tokenizer = AutoTokenizer.from_pretrained(args.model)

    class MeanPooled(torch.nn.Module):
        """Mean of the last hidden states over real tokens (sentence-transformers), no pooler."""
        def __init__(self):
            super().__init__()
            self.bert = AutoModel.from_pretrained(args.model, add_pooling_layer=False)
            self.dropout = torch.nn.Dropout(self.bert.config.hidden_dropout_prob)
            self.classifier = torch.nn.Linear(self.bert.config.hidden_size, k)

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.classifier(self.dropout(pooled))

    if args.pooling == "mean":
        model = MeanPooled()
    else:
        hf = AutoModelForSequenceClassification.from_pretrained(
            args.model, num_labels=k, problem_type="multi_label_classification" if multi else "single_label_classification")
        model = hf
    if args.lora_rank:
        # peft LoRA on the same projections `lexgraph finetune --lora-rank` adapts; SEQ_CLS trains the classifier too.
        from peft import LoraConfig, get_peft_model
        targets = ["query", "key", "value", "attention.output.dense"] + (["intermediate.dense", "output.dense"] if args.lora_targets == "attention+ffn" else [])
        model = get_peft_model(model, LoraConfig(task_type="SEQ_CLS" if args.pooling == "cls" else None, r=args.lora_rank, lora_alpha=args.lora_alpha,
                                                 lora_dropout=args.lora_dropout, target_modules=targets,
                                                 modules_to_save=None if args.pooling == "cls" else ["classifier"]))

    def logits_of(batch):
        out = model(**batch)
        return out if torch.is_tensor(out) else out.logits

    def encode(rows):
        return tokenizer([r["text"] for r in rows], truncation=True, max_length=args.max_length, padding=True, return_tensors="pt")

    gold = {split: gold_of(rows, task, labels) for split, rows in splits.items()}
    train_rows = splits["train"]
    if multi:
        target_all = torch.tensor(gold["train"], dtype=torch.float32)
        pos = target_all.sum(0)
        pos_weight = ((len(train_rows) - pos) / pos.clamp(min=1)) if args.class_weight == "balanced" else None
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    else:
        target_all = torch.tensor(gold["train"], dtype=torch.long)
        weight = None
        if args.class_weight == "balanced":
            counts = torch.bincount(target_all, minlength=k).float()
            weight = len(train_rows) / (k * counts.clamp(min=1))
        loss_fn = torch.nn.CrossEntropyLoss(weight=weight)

    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(d in n for d in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(d in n for d in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=args.lr)
    steps_per_epoch = math.ceil(len(train_rows) / args.batch)
    total = steps_per_epoch * args.epochs
    warmup = int(round(0.1 * total))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: step / max(1, warmup) if step < warmup else max(0.0, (total - step) / max(1, total - warmup)))

    def predict(rows):
        model.eval()
        out = []
        with torch.no_grad():
            for i in range(0, len(rows), 64):
                out.append(logits_of(dict(encode(rows[i:i + 64]))).float())
        model.train()
        z = torch.cat(out)
        return (torch.sigmoid(z) if multi else torch.softmax(z, dim=1)).numpy().astype(float)

    def dev_selection(probabilities):
        if multi:
            predicted = (probabilities > 0.5).astype(int)
            return float(f1_score(gold["dev"], predicted, average="micro", zero_division=0))
        return float(f1_score(gold["dev"], probabilities.argmax(1), average="macro", zero_division=0))

    generator = np.random.default_rng(args.seed)
    epochs, best = [], None
    model.train()
    for epoch in range(args.epochs):
        order = generator.permutation(len(train_rows))
        start = time.perf_counter()
        losses = []
        for b in range(steps_per_epoch):
            idx = order[b * args.batch:(b + 1) * args.batch]
            batch = dict(encode([train_rows[i] for i in idx]))
            loss = loss_fn(logits_of(batch), target_all[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        seconds = time.perf_counter() - start
        dev_probabilities = predict(splits["dev"])
        score = dev_selection(dev_probabilities)
        epochs.append({"epoch": epoch + 1, "train_loss": float(np.mean(losses)), "seconds": seconds,
                       "examples_per_s": len(train_rows) / seconds, "dev_selection": score})
        print(f"  epoch {epoch + 1}: loss {np.mean(losses):.4f}, dev {score:.4f}, {len(train_rows) / seconds:.1f} examples/s", file=sys.stderr)
        if best is None or score > best[0]:
            best = (score, epoch + 1, {n: t.detach().clone() for n, t in model.state_dict().items()}, dev_probabilities)
    _, best_epoch, state, dev_probabilities = best
    model.load_state_dict(state)
    test_probabilities = predict(splits["test"])
    thresholds = tune_thresholds(gold["dev"], dev_probabilities, 0.5) if multi else None
    dev_metrics, _ = task_metrics(task, gold["dev"], dev_probabilities, labels, thresholds, probabilities=True, families=families)
    metrics, per_label = task_metrics(task, gold["test"], test_probabilities, labels, thresholds, probabilities=True, families=families)
    return {
        "peer": "pytorch-transformers",
        "settings": {"model": args.model, "epochs": args.epochs, "lr": args.lr, "batch": args.batch, "max_length": args.max_length,
                     "pooling": args.pooling, "class_weight": args.class_weight, "seed": args.seed, "threads": args.threads,
                     "torch": torch.__version__, "best_epoch": best_epoch,
                     "lora": None if not args.lora_rank else {"rank": args.lora_rank, "alpha": args.lora_alpha, "dropout": args.lora_dropout,
                                                              "targets": args.lora_targets}},
        "metrics": metrics, "dev_metrics": dev_metrics, "epochs": epochs,
        "train_examples_per_s": statistics.mean(e["examples_per_s"] for e in epochs),
        "thresholds": None if thresholds is None else dict(zip(labels, thresholds)),
        "per_label": per_label,
    }


# ---------------------------------------------------------------- report

HEADLINE = {
    "clause-types": ["accuracy", "top5", "family_accuracy", "macro_f1"],
    "cuad": ["aupr_mean", "aupr_worst", "p_at_r80_mean", "p_at_r80_worst"],
    "unfair-tos": ["macro_f1", "micro_f1", "ece", "micro_f1_labels", "macro_f1_labels"],
}


def fmt(x):
    return "n/a" if x is None else f"{x:.3f}"


def group_key(run):
    """Runs summarised together: one task (and heading setting) over its folds."""
    return run["task"] + (" with headings" if run.get("keep_headings") else "")


def summarise(runs):
    """Per task (and heading setting): mean and standard deviation over the runs (folds)
    of each headline metric."""
    out = {}
    for key in dict.fromkeys(group_key(r) for r in runs):
        mine = [r for r in runs if group_key(r) == key]
        entry = {"runs": len(mine), "folds": [r["fold"] for r in mine]}
        for metric in HEADLINE[mine[0]["task"]]:
            values = [r["metrics"].get(metric) for r in mine if r["metrics"].get(metric) is not None]
            if values:
                entry[metric] = {"mean": statistics.mean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0}
        out[key] = entry
    return out


def read_ours(paths):
    ours = []
    for path in paths:
        with open(path) as f:
            record = json.load(f)
        ours.append({"path": path, "task": record["task"], "fold": record.get("fold"),
                     "keep_headings": bool(record.get("keep_headings")), "metrics": record["metrics"]})
    return ours


def same_split(ours, peer):
    return (ours["task"], ours["fold"], bool(ours.get("keep_headings"))) == (peer["task"], peer["fold"], bool(peer.get("keep_headings")))


def print_table(runs, ours):
    for r in runs:
        title = group_key(r) + (f" fold {r['fold']}" if r["fold"] is not None else "") + f" ({r['peer']}, {r['data']})"
        print(title)
        mine = next((o for o in ours if same_split(o, r)), None)
        header = f"  {'metric':<22}{'peer':>10}" + (f"{'ours':>10}{'ours/peer':>11}" if mine else "")
        print(header)
        for key in HEADLINE[r["task"]]:
            peer = r["metrics"].get(key)
            line = f"  {key:<22}{fmt(peer):>10}"
            if mine:
                value = mine["metrics"].get(key)
                ratio = (value / peer) if (value is not None and peer) else None
                line += f"{fmt(value):>10}{fmt(ratio):>11}"
            print(line)
        extra = r.get("train_examples_per_s")
        if extra:
            print(f"  training throughput {extra:.1f} examples/s")
    summary = summarise(runs)
    for key, entry in summary.items():
        if entry["runs"] > 1:
            cells = ", ".join(f"{k} {v['mean']:.3f} ± {v['sd']:.3f}" for k, v in entry.items() if isinstance(v, dict))
            print(f"{key}: mean ± sd over {entry['runs']} folds: {cells}")
    return summary


def ratios(runs, ours):
    out = []
    for o in ours:
        r = next((r for r in runs if same_split(o, r)), None)
        if r is None:
            continue
        for key in HEADLINE[o["task"]]:
            a, b = o["metrics"].get(key), r["metrics"].get(key)
            if a is not None and b is not None:
                out.append({"task": o["task"], "fold": o["fold"], "keep_headings": o["keep_headings"], "metric": key, "ours": a, "peer": b, "ratio": a / b if b else None})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", help="prepared task folders (task.json, train/dev/test.jsonl)")
    ap.add_argument("--out", required=True, help="JSON file to write (one object for the invocation)")
    ap.add_argument("--ours", nargs="*", default=[], help="test_metrics.json files of `lexgraph clauses eval`")
    ap.add_argument("--families", default=os.path.join(ROOT, "graphs", "contracts", "clause_families.csv"))
    ap.add_argument("--c", default="0.1,0.3,1,3,10", help="LinearSVC C values tried on dev")
    ap.add_argument("--min-df", type=int, default=1)
    ap.add_argument("--transformers", action="store_true", help="fine-tune MiniLM with PyTorch + transformers instead")
    ap.add_argument("--model", default=os.environ.get("LEXGRAPH_MODEL", os.path.join(ROOT, "models", "all-minilm-l6-v2")))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--pooling", choices=["cls", "mean"], default="cls")
    ap.add_argument("--class-weight", choices=["none", "balanced"], default="none")
    ap.add_argument("--lora-rank", type=int, help="--transformers: train peft LoRA adapters of this rank (and the classifier) instead")
    ap.add_argument("--lora-alpha", type=float, default=8)
    ap.add_argument("--lora-dropout", type=float, default=0.0)
    ap.add_argument("--lora-targets", choices=["attention", "attention+ffn"], default="attention")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, help="use only the first N rows of each split (smoke tests)")
    args = ap.parse_args()

    families_all = read_families(args.families)
    runs = []
    for directory in args.dirs:
        info, task, labels, splits = read_task(directory)
        if args.limit:
            splits = {k: v[:args.limit] for k, v in splits.items()}
        families = families_all if task == "clause-types" else None
        print(f"{task} fold {info.get('fold')}: {', '.join(f'{k} {len(v)}' for k, v in splits.items())}, {len(labels)} labels", file=sys.stderr)
        if args.transformers:
            result = transformers_peer(task, labels, splits, args, families)
        else:
            result = tfidf_svm(task, labels, splits, [float(c) for c in args.c.split(",")], families, args.min_df)
        result.update({"task": task, "fold": info.get("fold"), "keep_headings": info.get("keep_headings"),
                       "data": os.path.abspath(directory), "counts": {k: len(v) for k, v in splits.items()},
                       "families": args.families if families else None})
        runs.append(result)
    ours = read_ours(args.ours)
    summary = print_table(runs, ours)
    record = {"generator": "tools/bench_clause_peers.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
              "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
              "runs": runs, "summary": summary, "ours": ours, "ratios": ratios(runs, ours)}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(record, f, indent=1)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
