#!/usr/bin/env python3
"""Derives the clause-type links of the contracts graph from the type NAMES only, and
writes them to graphs/contracts/clause_type_links.csv (committed; curators may edit it).

Rules (a link is made only when the names say so):
- BROADER (clause-corpus type -> clause-corpus type): the longest other type name that
  the type's name starts with at a word boundary ("governing-law-and-jurisdiction" ->
  "governing-law", "termination-for-cause" -> "termination"). basis = name-prefix.
- RELATED (clause-corpus type <-> clause-corpus type): singular/plural variants
  ("notice" / "notices", "amendment" / "amendments"). basis = name-variant.
- RELATED (CUAD category or UNFAIR-ToS category -> clause-corpus type): same name as a
  slug, up to a plural ("Governing Law" -> governing-law, "Third Party Beneficiary" ->
  third-party-beneficiaries; basis = same-name), or the corpus type is the last words of
  the category ("Anti-Assignment" -> assignment, "Cap On Liability" -> liability;
  basis = name-suffix), leaving out generic words (GENERIC below).

Usage: python3 tools/make_clause_links.py [DATA_FOLDER]   (default ../shared/data)
"""
import csv, os, re, sys

csv.field_size_limit(1 << 30)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data")


def slug(name):
    return re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")


def singular(s):
    if s.endswith("ies"):
        return s[:-3] + "y"
    if s.endswith("s") and not s.endswith("ss"):
        return s[:-1]
    return s


corpus = sorted({r["clause_type"] for r in csv.DictReader(open(os.path.join(data, "clauses/clause_types_395.csv"), newline=""))})
cuad = sorted({r["category"] for r in csv.DictReader(open(os.path.join(data, "clauses/cuad.tsv"), newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)})
unfair = sorted({r["label"] for r in csv.DictReader(open(os.path.join(data, "clauses/unfair_tos.tsv"), newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)})
slugs = {slug(t): t for t in corpus}
# Names too generic to say two clause types are about the same thing ("Other" in
# UNFAIR-ToS means "not unfair"; "No-Solicit Of Employees" is not about employees).
GENERIC = {"other", "exception", "employee", "service", "duration"}

rows = []
for t in corpus:
    s = slug(t)
    parents = [p for p in slugs if p != s and s.startswith(p + "-")]
    if parents:
        p = max(parents, key=len)
        rows.append(("clause-corpus", t, "BROADER", "clause-corpus", slugs[p], "name-prefix"))
for s, t in sorted(slugs.items()):
    other = s + "s"
    if other in slugs:
        rows.append(("clause-corpus", t, "RELATED", "clause-corpus", slugs[other], "name-variant"))
for source, names in (("cuad", cuad), ("unfair-tos", unfair)):
    for name in names:
        s = slug(name)
        same = [c for c in slugs if singular(c) == singular(s) and singular(s) not in GENERIC]
        for c in same:
            rows.append((source, name, "RELATED", "clause-corpus", slugs[c], "same-name"))
        if same:
            continue
        words = s.split("-")
        for i in range(1, len(words)):
            tail = "-".join(words[i:])
            hits = [c for c in slugs if singular(c) == singular(tail) and singular(tail) not in GENERIC]
            if hits:
                for c in hits:
                    rows.append((source, name, "RELATED", "clause-corpus", slugs[c], "name-suffix"))
                break

out = os.path.join(root, "graphs", "contracts", "clause_type_links.csv")
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["from_source", "from_name", "relation", "to_source", "to_name", "basis"])
    w.writerows(rows)
print(f"{len(rows)} links -> {out}")
