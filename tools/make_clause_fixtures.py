#!/usr/bin/env python3
"""Reference values for the clause-task readers and splits (ContractReviewTests), computed
independently of Lexgraph with Python's csv module from the shared data and the committed
split files; writes Tests/Fixtures/clauses/expected_real.json. Standard library only.

Per task: the number of data records and of items (clause-types: one per record; cuad and
unfair-tos: one per unique text), every label name (cuad: the categories; unfair-tos:
the labels other than "Other"), the item counts of train/dev/test (unfair-tos: for each
test fold k, dev = fold k % 5 + 1, train = the rest), and a few sample items (first,
middle, last, the one with the most rows, the first with several labels, with any, with none):
id (the graph key of the item's first row), rows, sorted labels, the text's length in
Unicode scalars and its first 60 characters.

Usage: python3 tools/make_clause_fixtures.py [DATA_FOLDER]   (default ../shared/data)
"""
import collections, csv, json, os, sys

csv.field_size_limit(1 << 30)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data")
splits = os.path.join(root, "graphs", "contracts", "splits")

TASKS = {
    "clause-types": ("clauses/clause_types_395.csv", "clause_types_395.csv", "clause-corpus"),
    "cuad": ("clauses/cuad.tsv", "cuad.csv", "cuad"),
    "unfair-tos": ("clauses/unfair_tos.tsv", "unfair_tos.csv", "unfair-tos"),
}


def read(path, tsv):
    with open(path, newline="", encoding="utf-8") as f:
        if tsv:
            return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        return list(csv.DictReader(f))


def items_of(task, rows):
    """[(text, [rows], set(labels))] in order of first row, and the label names."""
    items, index, names = [], {}, set()
    for row, r in enumerate(rows, 1):
        if task == "clause-types":
            text, label, positive = r["clause_text"], r["clause_type"], True
        elif task == "cuad":
            text, label, positive = r["text"], r["category"], r["label"] == "Yes"
        else:
            text, label = r["text"], r["label"]
            positive = label != "Other"
        if task != "unfair-tos" or positive:
            names.add(label)
        if task != "clause-types" and text in index:
            i = index[text]
            items[i][1].append(row)
        else:
            i = len(items)
            items.append((text, [row], set()))
            index[text] = i
        if positive:
            items[i][2].add(label)
    return items, sorted(names)


def sample(prefix, item):
    text, rows, labels = item
    return {"id": f"clause:{prefix}:{rows[0]}", "rows": rows, "labels": sorted(labels),
            "length": len(text), "start": text[:60]}


out = {}
for task, (data_file, split_file, prefix) in TASKS.items():
    rows = read(os.path.join(data, data_file), tsv=data_file.endswith(".tsv"))
    items, names = items_of(task, rows)
    assignment = {int(r["row"]): r["split" if "split" in r else "fold"] for r in read(os.path.join(splits, split_file), tsv=False)}
    entry = {"records": len(rows), "items": len(items), "labels": names}
    if task == "unfair-tos":
        folds = {}
        for k in range(1, 6):
            dev = k % 5 + 1
            counts = collections.Counter()
            for _, item_rows, _ in items:
                f = int(assignment[item_rows[0]])
                counts["test" if f == k else "dev" if f == dev else "train"] += 1
            folds[str(k)] = {s: counts[s] for s in ("train", "dev", "test")}
        entry["folds"] = folds
    else:
        counts = collections.Counter(assignment[item_rows[0]] for _, item_rows, _ in items)
        entry["splits"] = {s: counts[s] for s in ("train", "dev", "test")}
    picks = [0, len(items) // 2, len(items) - 1, max(range(len(items)), key=lambda i: (len(items[i][1]), -i))]
    several = next((i for i, it in enumerate(items) if len(it[2]) > 1), None)
    some = next((i for i, it in enumerate(items) if it[2]), None)
    none = next((i for i, it in enumerate(items) if not it[2]), None)
    picks += [i for i in (several, some, none) if i is not None]
    entry["samples"] = [sample(prefix, items[i]) for i in dict.fromkeys(picks)]
    out[task] = entry

path = os.path.join(root, "Tests", "Fixtures", "clauses", "expected_real.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, indent=1, sort_keys=True, ensure_ascii=False)
    f.write("\n")
for task, e in out.items():
    print(task, e["records"], "records,", e["items"], "items,", len(e["labels"]), "labels,", e.get("splits") or e.get("folds"))
