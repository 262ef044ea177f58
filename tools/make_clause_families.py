#!/usr/bin/env python3
"""Groups the 394 clause-corpus types into families and writes
graphs/contracts/clause_families.csv (`type,family,basis`, committed; graphs/contracts.yaml
makes a ClauseFamily node per family and an IN_FAMILY edge per type). Standard library
only; rerun it when the corpus or clause_type_links.csv changes.

A family is a connected group of types whose names say they are the same kind of clause,
joined by these links (each type is in exactly one family; a type linked to none is a
family of its own):
- name-variant: the two names are one name written two ways. Names are compared after
  lower-casing, splitting on `-` and `_`, joining spelled-out capitals
  (`r-e-c-i-t-a-l-s` -> recitals), dropping the filler words in FILLER and reducing each
  word to its singular ("Amendments and Waivers" = "Amendment Waiver"; "Change in
  Control" = "Change of Control"; "Time of the Essence" = "Time of Essence"). This
  includes every RELATED name-variant link of graphs/contracts/clause_type_links.csv.
- name-prefix: the BROADER name-prefix links of clause_type_links.csv (tools/
  make_clause_links.py: the longest other type the name starts with at a word boundary,
  "governing-law-and-jurisdiction" -> governing-law, "termination-for-cause" ->
  termination), except those in NOT_SAME_KIND, where the prefix word is used in another
  sense ("use-of-proceeds" is not a "use" clause) or the prefix names no kind of clause
  at all ("other", "general").
- synonym: the pairs in SYNONYMS, names that lawyers use for the same clause although no
  rule above joins them ("Choice of Law" and "Governing Law"), each with its reason.
Every pair in NOT_SAME_KIND and SYNONYMS was checked by reading clauses of both types in
the corpus.

The family key is the slug of its root: the member that is no refinement or synonym of
another member (not the first type of a name-prefix or synonym link), with the fewest
words, then the shortest slug, then the first alphabetically. `basis` says how a type
joins its family: `self` for the root, else the kind of the link that reaches it on a
shortest path from the root (name-variant before name-prefix before synonym).

Usage: python3 tools/make_clause_families.py [DATA_FOLDER]   (default ../shared/data)
Prints the number of families and the 15 largest, for review.
"""
import collections, csv, os, re, sys

csv.field_size_limit(1 << 30)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data")

# Words that do not change which clause a name denotes.
FILLER = {"a", "an", "the", "of", "and", "in", "on", "to", "for", "with", "by", "etc", "certain"}

# Links the rules above would make between different kinds of clause: (type, other type,
# why). Written as the name-prefix or name-variant link they stop.
NOT_SAME_KIND = [
    ("term", "terms", "the Term of an agreement (its duration) vs terms as in defined terms"),
    ("liabilities", "liability", "a representation on undisclosed liabilities vs who is liable for what"),
    ("other-agreements", "other", "'other' names no kind of clause"),
    ("other-benefits", "other", "'other' names no kind of clause"),
    ("other-provisions", "other", "'other' names no kind of clause"),
    ("other-remedies", "other", "'other' names no kind of clause"),
    ("general-provisions", "general", "'general' names no kind of clause"),
    ("waiver-of-jury-trial", "waiver", "the jury-trial waiver is a clause of its own"),
    ("waiver-of-past-defaults", "waiver", "an indenture's holders waiving defaults, not the no-waiver boilerplate"),
    ("notice-of-default", "notice", "a covenant to report defaults, not how notices are given"),
    ("notice-of-defaults", "notice", "a covenant to report defaults, not how notices are given"),
    ("notice-of-redemption", "notice", "the redemption procedure of securities"),
    ("notice-of-termination", "notice", "the right to end the agreement by notice"),
    ("officers-certificate", "officers", "a closing deliverable, not the company's officers"),
    ("compliance-certificate", "compliance", "a reporting deliverable, not compliance with laws"),
    ("use-of-proceeds", "use", "what borrowed money is for, not the use of premises or services"),
    ("payment-of-expenses", "payment", "who bears expenses, not payment mechanics"),
    ("payment-of-obligations", "payment", "a covenant to pay debts and taxes when due"),
    ("payment-of-taxes", "payment", "a tax covenant"),
    ("registration-expenses", "registration", "who bears the costs of a registration"),
    ("security-deposit", "security", "a tenant's deposit under a lease, not collateral"),
    ("parties-in-interest", "parties", "who may enforce the agreement, not who the parties are"),
]

# Names lawyers use for the same clause: (type, the type it is the same clause as, why).
SYNONYMS = [
    ("choice-of-law", "governing-law", "the clause choosing the law that governs the agreement"),
    ("applicable-law", "governing-law", "the clause choosing the law that governs the agreement"),
    ("consent-to-jurisdiction", "jurisdiction", "submission to the courts of a place"),
    ("submission-to-jurisdiction", "jurisdiction", "submission to the courts of a place"),
    ("complete-agreement", "entire-agreement", "the merger (integration) clause"),
    ("integration", "entire-agreement", "the merger (integration) clause"),
    ("partial-invalidity", "severability", "an invalid provision leaves the rest in force"),
    ("section-headings", "headings", "headings do not affect interpretation"),
    ("descriptive-headings", "headings", "headings do not affect interpretation"),
    ("effect-of-headings", "headings", "headings do not affect interpretation"),
    ("captions", "headings", "headings do not affect interpretation"),
    ("defined-terms", "definitions", "the clause defining the agreement's terms"),
    ("guaranty", "guarantee", "two spellings of one word"),
    ("indemnity", "indemnification", "the duty to indemnify"),
    ("right-of-setoff", "set-off", "the right to set off amounts owed"),
    ("counterparts", "execution-in-counterparts", "signing in counterparts"),
    ("confidential-information", "confidentiality", "the duty to keep information confidential"),
    ("tax-withholding", "withholding-taxes", "the same words in another order"),
    ("no-third-party-beneficiaries", "third-party-beneficiaries", "both say who besides the parties benefits (no one)"),
    ("no-waiver", "waiver", "the clause saying forbearance is no waiver"),
    ("no-assignment", "assignment", "the clause restricting assignment"),
    ("assignability", "assignment", "the clause restricting assignment"),
    ("dispute-resolution", "disputes", "how disputes are resolved"),
    ("environmental-laws", "environmental-matters", "the environmental representation"),
    ("employee-benefit-plans", "employee-benefits", "the employee benefit plans representation"),
    ("binding-effect", "successors-and-assigns", "the agreement binds successors and assigns"),
    ("grant-of-security-interest", "security-interest", "the grant of a security interest in collateral"),
    ("general-provisions", "miscellaneous", "the two usual headings of the boilerplate section"),
    ("expenses", "costs-and-expenses", "who bears the costs and expenses"),
]

KIND_ORDER = {"name-variant": 0, "name-prefix": 1, "synonym": 2}


def slug(name):
    return re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")


def singular(w):
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        return w[:-1]
    return w


def words(name):
    """The words of a name, with spelled-out capitals (r-e-c-i-t-a-l-s) joined."""
    out, run = [], ""
    for w in re.split(r"[^0-9a-z]+", name.lower()):
        if not w:
            continue
        if len(w) == 1:
            run += w
            continue
        if run:
            out.append(run)
            run = ""
        out.append(w)
    if run:
        out.append(run)
    return out


def normal(name):
    return tuple(singular(w) for w in words(name) if w not in FILLER)


def main():
    with open(os.path.join(data, "clauses/clause_types_395.csv"), newline="", encoding="utf-8") as f:
        types = sorted({r["clause_type"] for r in csv.DictReader(f)})
    by_slug = {slug(t): t for t in types}
    with open(os.path.join(root, "graphs/contracts/clause_type_links.csv"), newline="") as f:
        corpus_links = [l for l in csv.DictReader(f) if l["from_source"] == l["to_source"] == "clause-corpus"]

    def known(name, where):
        if name not in by_slug.values():
            sys.exit(f"make_clause_families.py: {where} names '{name}', which is no clause-corpus type")
        return name

    blocked = set()
    for a, b, _ in NOT_SAME_KIND:
        blocked.add(frozenset((known(a, "NOT_SAME_KIND"), known(b, "NOT_SAME_KIND"))))

    links = []  # (type, other, kind); for name-prefix and synonym, `other` is the broader/canonical one
    groups = collections.defaultdict(list)
    for t in types:
        groups[normal(t)].append(t)
    for members in groups.values():
        for other in members[1:]:
            links.append((other, members[0], "name-variant"))
    for l in corpus_links:
        a, b = by_slug[slug(l["from_name"])], by_slug[slug(l["to_name"])]
        if l["relation"] == "RELATED" and normal(a) != normal(b):
            links.append((a, b, "name-variant"))  # never happens today: the CSV's variants are plurals
        elif l["relation"] == "BROADER":
            links.append((a, b, "name-prefix"))
    for a, b, _ in SYNONYMS:
        links.append((known(a, "SYNONYMS"), known(b, "SYNONYMS"), "synonym"))
    links = [l for l in links if frozenset(l[:2]) not in blocked]
    # A NOT_SAME_KIND entry must stop a link some rule makes, else it is stale.
    made = set()
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                made.add(frozenset((a, b)))
    made |= {frozenset((by_slug[slug(l["from_name"])], by_slug[slug(l["to_name"])])) for l in corpus_links}
    stale = [sorted(p) for p in blocked if p not in made]
    if stale:
        sys.exit(f"make_clause_families.py: NOT_SAME_KIND entries no rule links: {stale}")

    neighbours = collections.defaultdict(list)
    refined = set()  # types that are a refinement or synonym of another
    for a, b, kind in links:
        neighbours[a].append((b, kind))
        neighbours[b].append((a, kind))
        if kind != "name-variant":
            refined.add(a)

    family, basis = {}, {}
    for t in types:
        if t in family:
            continue
        component, stack = {t}, [t]
        while stack:
            for n, _ in neighbours[stack.pop()]:
                if n not in component:
                    component.add(n)
                    stack.append(n)
        candidates = [m for m in component if m not in refined] or list(component)
        head = min(candidates, key=lambda m: (len(normal(m)), len(slug(m)), slug(m)))
        key = slug(head)
        # Breadth-first from the root, taking the strongest kind of link first at each step.
        basis[head] = "self"
        family[head] = key
        frontier = [head]
        while frontier:
            reached = {}
            for u in frontier:
                for v, kind in neighbours[u]:
                    if v not in family and (v not in reached or KIND_ORDER[kind] < KIND_ORDER[reached[v]]):
                        reached[v] = kind
            for v, kind in reached.items():
                family[v], basis[v] = key, kind
            frontier = sorted(reached)

    joined = [(a, b) for a, b, _ in NOT_SAME_KIND if family[a] == family[b]]
    if joined:
        sys.exit(f"make_clause_families.py: NOT_SAME_KIND pairs still joined through other links: {joined}")

    out = os.path.join(root, "graphs", "contracts", "clause_families.csv")
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["type", "family", "basis"])
        for t in types:
            w.writerow([t, family[t], basis[t]])

    members = collections.defaultdict(list)
    for t in types:
        members[family[t]].append(t)
    sizes = collections.Counter(len(m) for m in members.values())
    print(f"{len(types)} types in {len(members)} families -> {out}")
    print("families by size: " + ", ".join(f"{n} of {s}" for s, n in sorted(sizes.items())))
    print("links: " + ", ".join(f"{k} {sum(1 for l in links if l[2] == k)}" for k in KIND_ORDER))
    print("the 15 largest:")
    for key, m in sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:15]:
        print(f"  {key} ({len(m)}): " + ", ".join(f"{t} [{basis[t]}]" for t in m if t != by_slug.get(key)))


main()
