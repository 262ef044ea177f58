#!/usr/bin/env python3
"""Writes the committed splits of the three clause tasks to graphs/contracts/splits/
(standard library only; seed 42; a rerun on the same data writes the same bytes).

Rows are data record numbers, 1-based, header excluded: the `_row` of the contracts
recipe (`clause:clause-corpus:{row}`, `clause:cuad:{row}`, `clause:unfair-tos:{row}`).
The files are read as the recipe reads them: clause_types_395.csv as quoted CSV,
cuad.tsv and unfair_tos.tsv as tab-separated text with no quoting.

- clause_types_395.csv -> `row,split` (train/dev/test): stratified by clause type. Each
  type's rows are shuffled and the first round(10%) go to test, the next round(10%) to
  dev, the rest to train (a type of 50 clauses: 40/5/5; of 15: 11/2/2). No clause text
  occurs twice in this file, so the split is also text-disjoint.
- cuad.tsv -> `row,split`: by unique text (every row of one text gets that text's
  split), 80/10/10 of the 6,663 texts. So that every category has held-out positives,
  texts are stratified by their rarest positive category (the category with the fewest
  positive texts among those the text is a Yes for; texts with no Yes row form one more
  group) and each group is cut 80/10/10 like a clause type above.
- unfair_tos.tsv -> `row,fold` (1..5): by unique text, stratified by label set (the
  non-"Other" labels of the text's rows; all-Other is the empty set). Each label set's
  texts are shuffled and dealt to folds 1..5 in turn, the dealing continuing from one
  label set to the next, so fold sizes differ by at most one and a label set with at
  least five texts is in every fold. For test fold k, dev is fold (k % 5) + 1 and train
  the other three (the plan's convention; lexgraph clauses prepare applies it).

Usage: python3 tools/make_clause_splits.py [DATA_FOLDER]   (default ../shared/data)
"""
import collections, csv, os, random, sys

SEED = 42
csv.field_size_limit(1 << 30)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data")
out_dir = os.path.join(root, "graphs", "contracts", "splits")


def records(path, tsv):
    with open(os.path.join(data, path), newline="", encoding="utf-8") as f:
        if tsv:
            return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        return list(csv.DictReader(f))


def share(n):
    """round(n / 10), halves up (Python's round() would round 2.5 to 2)."""
    return (n + 5) // 10


def cut(rng, items):
    """Shuffles `items` (in place) and assigns test, dev, train as described above."""
    rng.shuffle(items)
    k = share(len(items))
    return {item: ("test" if i < k else "dev" if i < 2 * k else "train") for i, item in enumerate(items)}


def write(name, header, assignment):
    path = os.path.join(out_dir, name)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in sorted(assignment):
            w.writerow([row, assignment[row]])
    return path


def report(name, assignment, groups=None):
    counts = collections.Counter(assignment.values())
    line = ", ".join(f"{k} {counts[k]}" for k in sorted(counts))
    print(f"{name}: {len(assignment)} rows ({line})" + (f"; {groups}" if groups else ""))


def clause_types():
    rows = records("clauses/clause_types_395.csv", tsv=False)
    by_type = collections.defaultdict(list)
    for row, r in enumerate(rows, 1):
        by_type[r["clause_type"]].append(row)
    rng = random.Random(SEED)
    split = {}
    for t in sorted(by_type):
        split.update(cut(rng, by_type[t]))
    write("clause_types_395.csv", ["row", "split"], split)
    report("clause_types_395.csv", split, f"{len(by_type)} types")


def cuad():
    rows = records("clauses/cuad.tsv", tsv=True)
    rows_of = collections.defaultdict(list)   # text -> its rows, in file order
    positives = collections.defaultdict(set)  # text -> categories with a Yes row
    for row, r in enumerate(rows, 1):
        rows_of[r["text"]].append(row)
        if r["label"] == "Yes":
            positives[r["text"]].add(r["category"])
    texts = sorted(rows_of, key=lambda t: rows_of[t][0])
    size = collections.Counter(c for t in texts for c in positives[t])
    groups = collections.defaultdict(list)
    for t in texts:
        cats = positives[t]
        groups[min(cats, key=lambda c: (size[c], c)) if cats else ""].append(t)
    rng = random.Random(SEED)
    text_split = {}
    for g in sorted(groups):
        text_split.update(cut(rng, groups[g]))
    split = {row: text_split[t] for t in texts for row in rows_of[t]}
    write("cuad.csv", ["row", "split"], split)
    texts_per = collections.Counter(text_split.values())
    report("cuad.csv", split, "unique texts " + ", ".join(f"{k} {texts_per[k]}" for k in sorted(texts_per)))
    held = {s: collections.Counter(c for t in texts if text_split[t] == s for c in positives[t]) for s in ("dev", "test")}
    worst = min(size, key=lambda c: (held["test"][c], c))
    print(f"  fewest positive test texts: {worst} ({held['test'][worst]} of {size[worst]}); "
          f"fewest dev: {min(held['dev'][c] for c in size)}")


def unfair():
    rows = records("clauses/unfair_tos.tsv", tsv=True)
    rows_of = collections.defaultdict(list)
    labels = collections.defaultdict(set)
    for row, r in enumerate(rows, 1):
        rows_of[r["text"]].append(row)
        if r["label"] != "Other":
            labels[r["text"]].add(r["label"])
    texts = sorted(rows_of, key=lambda t: rows_of[t][0])
    groups = collections.defaultdict(list)
    for t in texts:
        groups[tuple(sorted(labels[t]))].append(t)
    rng = random.Random(SEED)
    text_fold, dealt = {}, 0
    for g in sorted(groups):
        items = groups[g]
        rng.shuffle(items)
        for t in items:
            text_fold[t] = dealt % 5 + 1
            dealt += 1
    fold = {row: text_fold[t] for t in texts for row in rows_of[t]}
    write("unfair_tos.csv", ["row", "fold"], fold)
    texts_per = collections.Counter(text_fold.values())
    report("unfair_tos.csv", fold, "unique texts " + ", ".join(f"fold {k} {texts_per[k]}" for k in sorted(texts_per))
           + f"; {len(groups)} label sets")


os.makedirs(out_dir, exist_ok=True)
clause_types()
cuad()
unfair()
