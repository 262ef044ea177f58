#!/usr/bin/env python3
"""The peer of `lexgraph label simulate`: the same simulation with scikit-learn's
LogisticRegression (class_weight="balanced") as the model and small-text 1.4's query
strategies (LeastConfidence, BreakingTies, PredictionEntropy, greedy_coreset), on the
very embeddings Lexgraph cached in OUT (embeddings-train/dev.safetensors), labels mapped
as Lexgraph maps them (no label: Other; several: the first, sorted).

    pip install small-text scikit-learn safetensors
    python3 tools/active_learning_peer.py --task runs/data/unfair-tos-1 --out runs/al-unfair-tos-1 \
        --seeds 3 --rounds 30 --k 20

Prints one Markdown table in the layout of OUT/summary.md (AUC, AUC minus random, labels to
95% of full-data macro-F1, seconds per round) and writes OUT/peer-curves.csv.
"""
import argparse
import json
import time

import numpy as np
from safetensors.numpy import load_file
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from small_text.query_strategies import BreakingTies, LeastConfidence, PredictionEntropy
from small_text.query_strategies.coresets import greedy_coreset


class Fixed:
    """What small-text's strategies read from a classifier: the probabilities of the pool."""

    def __init__(self, proba):
        self.proba = proba

    def predict_proba(self, dataset):
        return self.proba[np.asarray(dataset)]


def labels(task, split, classes, multi):
    out = []
    for line in open(f"{task}/{split}.jsonl"):
        item = json.loads(line)
        label = (sorted(item["label"])[0] if item["label"] else "Other") if multi else item["label"]
        out.append(classes.index(label))
    return np.array(out)


def fit(x, y, seed):
    model = LogisticRegression(class_weight="balanced", max_iter=2000, C=10.0, random_state=seed)
    model.fit(x, y)
    return model


def macro_f1(model, x, y):
    return f1_score(y, model.predict(x), average="macro")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--task", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--strategies", default="random,least-confidence,margin,entropy,kcenter")
    args = parser.parse_args()
    info = json.load(open(f"{args.task}/task.json"))
    multi = info["task"] != "clause-types"
    classes = list(info["labels"]) + (["Other"] if multi and "Other" not in info["labels"] else [])
    xt = load_file(f"{args.out}/embeddings-train.safetensors")["embeddings"]
    xd = load_file(f"{args.out}/embeddings-dev.safetensors")["embeddings"]
    yt, yd = labels(args.task, "train", classes, multi), labels(args.task, "dev", classes, multi)
    strategies = args.strategies.split(",")
    scorers = {"least-confidence": LeastConfidence(), "margin": BreakingTies(), "entropy": PredictionEntropy()}
    rows, full = [], []
    for s in range(args.seeds):
        seed = args.seed + s
        full.append(macro_f1(fit(xt, yt, seed), xd, yd))
        rng = np.random.default_rng(seed)
        initial = rng.choice(len(yt), size=args.k, replace=False)
        for name in strategies:
            labelled = list(initial)
            for r in range(args.rounds + 1):
                start = time.time()
                # A class with one labelled example still fits; LogisticRegression needs two classes.
                model = fit(xt[labelled], yt[labelled], seed) if len(set(yt[labelled])) > 1 else None
                f1 = macro_f1(model, xd, yd) if model else f1_score(yd, np.full(len(yd), yt[labelled][0]), average="macro")
                if r < args.rounds:
                    taken = set(labelled)
                    unlabelled = np.array([i for i in range(len(yt)) if i not in taken])
                    if name == "random" or (model is None and name != "kcenter"):
                        picks = rng.choice(unlabelled, size=args.k, replace=False)
                    elif name == "kcenter":
                        # small-text indexes picks by position among the unlabelled.
                        order = np.concatenate([unlabelled, np.array(labelled)])
                        pos = greedy_coreset(xt[order], np.arange(len(unlabelled)), np.arange(len(unlabelled), len(order)), args.k,
                                             distance_metric="euclidean", normalized=True)
                        picks = unlabelled[pos]
                    else:
                        proba = model.predict_proba(xt[unlabelled])
                        full_proba = np.zeros((len(unlabelled), len(classes)), dtype=np.float64)
                        full_proba[:, model.classes_] = proba
                        # small-text's score(): lower is picked first for every strategy.
                        score = scorers[name].score(Fixed(full_proba), np.arange(len(unlabelled)), np.arange(len(unlabelled)), None, None)
                        picks = unlabelled[np.argsort(score, kind="stable")[: args.k]]
                    seconds = time.time() - start
                    rows.append((name, seed, r, len(labelled), f1, seconds))
                    labelled += list(picks)
                else:
                    rows.append((name, seed, r, len(labelled), f1, time.time() - start))
    with open(f"{args.out}/peer-curves.csv", "w") as f:
        f.write("strategy,seed,round,labels,macro_f1,seconds\n")
        for row in rows:
            f.write("%s,%d,%d,%d,%.4f,%.4f\n" % row)
    full_mean = float(np.mean(full))
    target = 0.95 * full_mean
    print(f"peer: scikit-learn LogisticRegression (balanced, C=10) full-data macro-F1 {full_mean * 100:.1f} (95%: {target * 100:.1f})")
    print("| strategy | auc | auc_minus_random | labels_to_95pct_full | share_of_train | final_macro_f1 | seconds_per_round |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    area = {}
    for name in strategies:
        mine = [r for r in rows if r[0] == name]
        per_seed = []
        for s in range(args.seeds):
            curve = [(r[3], r[4]) for r in mine if r[1] == args.seed + s]
            a = sum((b[0] - c[0]) * (b[1] + c[1]) / 2 for c, b in zip(curve, curve[1:])) / (curve[-1][0] - curve[0][0])
            per_seed.append(a)
        area[name] = float(np.mean(per_seed))
        mean_curve = [(x, np.mean([r[4] for r in mine if r[2] == i])) for i, x in enumerate(sorted({r[3] for r in mine}))]
        reach = next((x for x, y in mean_curve if y >= target), None)
        share = f"{100 * reach / len(yt):.1f}%" if reach else ""
        print(f"| {name} | {area[name] * 100:.1f} | {(area[name] - area.get('random', area[name])) * 100:+.1f} | "
              f"{reach if reach else 'not reached'} | {share} | {mean_curve[-1][1] * 100:.1f} | {np.mean([r[5] for r in mine]):.3f} |")


if __name__ == "__main__":
    main()
