#!/usr/bin/env python3
"""Links the SCDB court codes (caseSource / caseOrigin, labels in
scdb/scdb_codebook.json `caseSource_caseOrigin`) to the courts-db hierarchy
(graph-seeds/courts.json) and writes graphs/scotus/scdb_court_links.csv, which
graphs/scotus.yaml reads: one SAME_AS or PART_OF edge from `scdb:court:{scdb_code}` to
`court:{court_id}` per row. Standard library only; rerun it when either file changes.

A link is made only by one of the rules below, each matching the SCDB label and the
courts-db NAME exactly after the stated normalisation (no similarity scores); a code
that no rule links is listed with the reason. Only federal courts-db entries that are
not bankruptcy courts take part. Rows are written only for codes that occur as
caseSource or caseOrigin in scotus/scdb_cases.csv (the scotus graph makes a node for
those codes only; a row for any other code would be a dangling edge).

SAME_AS (the code and the courts-db entry denote the same court):
- us-court-of-appeals: "U.S. Court of Appeals, Ninth Circuit" -> the one courts-db
  court named "(United States) Court of Appeals for the Ninth Circuit" (also D.C. and
  Federal: "District of Columbia Circuit" is courts-db's "D.C. Circuit").
- us-district-court: "California Southern U.S. District Court" -> the one federal
  district court whose courts-db name gives the same place and the same direction
  ("District Court, S.D. California", "United States District Court for the Southern
  District of California", "United States District Court, Oklahoma Eastern"); a label
  without a direction ("Iowa U.S. District Court") -> the undivided district ("...for
  the District of Iowa", "District Court, D. Iowa"). Place names are compared as
  written, after PLACE_ALIASES.
- us-circuit-court-of-district: "Connecticut U.S. Circuit for the District of
  Connecticut" -> the one courts-db court named "U.S. Circuit Court for the District of
  Connecticut" (the pre-1912 federal circuit courts).
- special-court: the federal courts in SPECIAL_COURTS, one by one, each with why.

PART_OF (the code names a group of courts that courts-db keeps apart, all of them
within one courts-db court):
- us-circuit-courts: "Alabama U.S. Circuit Court for (all) District(s) of Alabama" and
  the 1790s "Eastern/Middle/Southern Circuit (of the United States)" lump several
  U.S. Circuit Courts; each is PART_OF courts-db `uscirct` ("United States Circuit
  Courts").

Usage: python3 tools/link_scdb_courts.py [--data DIR] [--out FILE]
       (defaults: ../shared/data, graphs/scotus/scdb_court_links.csv)
"""
import argparse, csv, json, os, re, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DIRECTIONS = ["Northern", "Southern", "Eastern", "Western", "Middle", "Central"]
DIRECTION_LETTER = {d[0]: d for d in DIRECTIONS}

# SCDB place names that courts-db writes differently (SCDB -> courts-db).
PLACE_ALIASES = {"District Of Columbia": "District of Columbia", "District of Orleans": "Orleans"}

# SCDB code -> (courts-db ids, why). Each id's courts-db name is written to the CSV
# next to the SCDB label so a reviewer sees both.
SPECIAL_COURTS = {
    1: (["ccpa"], "same name (Court of Customs and Patent Appeals)"),
    2: (["cit"], "same name (Court of International Trade)"),
    4: (["cma", "armfor"], "one court renamed in 1994; courts-db keeps one entry per name, the code covers both"),
    6: (["cavc"], "same name (Court of Veterans Appeals); courts-db's entry also covers its later name"),
    7: (["cusc"], "same name (U.S. Customs Court)"),
    9: (["tax"], "same name (U.S. Tax Court)"),
    10: (["tecoa"], "same name (Temporary Emergency Court of Appeals)"),
    14: (["com"], "same name (U.S. Commerce Court)"),
    18: (["eca"], "same name (Emergency Court of Appeals)"),
    19: (["dcd"], "the Supreme Court of the District of Columbia (created 1863) was renamed the District Court "
                  "for the District of Columbia in 1936; courts-db's dcd starts in 1863"),
    440: (["circtddc"], "same court (courts-db: U.S. Circuit Court for the District of District of Columbia)"),
}

# SCDB codes no rule can link, with why (checked against courts.json by hand).
NOT_LINKED = {
    3: "one code for two courts courts-db keeps apart (cc United States Court of Claims, uscfc Court of Federal Claims)",
    5: "one code for the four service Courts of Military Review courts-db keeps apart, with no common parent",
    12: "courts-db has no U.S. Court for China",
    13: "courts-db has no U.S. Consular Courts",
    15: "generic territorial court: the territory is not coded",
    16: "generic territorial court: the territory is not coded",
    17: "generic territorial court: the territory is not coded",
    20: "generic bankruptcy court: the district is not coded",
    300: "generic state court: SCDB codes the state in a separate variable (caseSourceState), not in this code",
    301: "generic state court: SCDB codes the state in a separate variable (caseSourceState), not in this code",
    302: "generic state court: SCDB codes the state in a separate variable (caseSourceState), not in this code",
    601: "courts-db has no Court of Private Land Claims",
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    p.add_argument("--out", default=os.path.join(root, "graphs", "scotus", "scdb_court_links.csv"))
    return p.parse_args()


def code(v):
    v = v.strip()
    return int(float(v)) if v else None


def district_key(name):
    """(place, direction or None) of a courts-db federal district court name, or None."""
    d = "|".join(DIRECTIONS)
    patterns = [
        (rf"^United States District Court for the (?:({d}) )?District of (.+)$", lambda m: (m[2], m[1])),
        (rf"^United States District Court ({d}) District of (.+)$", lambda m: (m[2], m[1])),
        (r"^District Court, ([NSEWMC])\.D\. (.+)$", lambda m: (m[2], DIRECTION_LETTER[m[1]])),
        (r"^District Court, D\. (.+)$", lambda m: (m[1], None)),
        (r"^District Court, (.+)$", lambda m: (m[1], None)),
        (rf"^United States District Court, (.+?)(?: ({d}))?$", lambda m: (m[1], m[2])),
    ]
    for pattern, key in patterns:
        m = re.match(pattern, name)
        if m:
            return key(m)
    return None


def main():
    args = parse_args()
    codebook = json.load(open(os.path.join(args.data, "scdb/scdb_codebook.json"), encoding="utf-8"))
    labels = {int(k): v for k, v in codebook["caseSource_caseOrigin"].items()}
    courts = json.load(open(os.path.join(args.data, "graph-seeds/courts.json"), encoding="utf-8"))
    by_id = {c["id"]: c for c in courts}
    with open(os.path.join(args.data, "scotus/scdb_cases.csv"), newline="", encoding="utf-8") as f:
        used = {code(r[c]) for r in csv.DictReader(f) for c in ("caseSource", "caseOrigin")} - {None}

    federal = [c for c in courts if c.get("system") == "federal" and c.get("type") != "bankruptcy"]
    names = lambda c: c["name"].strip()

    def index(key_of):
        out = {}
        for c in federal:
            k = key_of(names(c))
            if k is not None:
                out.setdefault(k, []).append(c["id"])
        return out

    appeals = index(lambda n: (m := re.match(r"^(?:United States )?Court of Appeals for the (.+) Circuit$", n)) and m[1])
    districts = index(district_key)
    circuit_courts = index(lambda n: (m := re.match(r"^U\.S\. Circuit Court for the District of (.+)$", n)) and m[1])
    for c in federal:
        if c.get("type") == "trial" and names(c).startswith(("United States District Court", "District Court")) and district_key(names(c)) is None:
            print(f"note: courts-db district court not understood: {c['id']} {names(c)!r}", file=sys.stderr)

    links, unlinked = [], {}

    def one(table, key, what):
        ids = table.get(key, [])
        if len(ids) == 1:
            return ids[0], None
        if not ids:
            return None, f"courts-db has no {what}"
        return None, f"courts-db has {len(ids)} courts for {what}: {', '.join(ids)}"

    for scdb_code, label in sorted(labels.items()):
        def link(court_id, relation, rule):
            links.append((scdb_code, relation, court_id, label, names(by_id[court_id]), rule))

        if scdb_code in SPECIAL_COURTS:
            ids, _ = SPECIAL_COURTS[scdb_code]
            for court_id in ids:
                link(court_id, "SAME_AS", "special-court")
            continue
        if scdb_code in NOT_LINKED:
            unlinked[scdb_code] = NOT_LINKED[scdb_code]
            continue
        if m := re.match(r"^U\.S\. Court of Appeals, (.+?) Circuit\b", label):
            circuit = "D.C." if m[1] == "District of Columbia" else m[1]
            court_id, why = one(appeals, circuit, f"Court of Appeals for the {circuit} Circuit")
            if court_id:
                link(court_id, "SAME_AS", "us-court-of-appeals")
            else:
                unlinked[scdb_code] = why
            continue
        m = re.match(rf"^(.+?) (?:({'|'.join(DIRECTIONS)}) )?U\.S\. Distr\w* Court(?: \(.*\))?$", label) \
            or re.match(r"^U\.S\. District Court for the ()(.+)$", label)
        if m:
            place, direction = (m[2], None) if m[1] == "" else (m[1], m[2])
            place = PLACE_ALIASES.get(place, place)
            what = f"federal district court for {place}" + (f", {direction}" if direction else " (undivided)")
            court_id, why = one(districts, (place, direction), what)
            if court_id:
                link(court_id, "SAME_AS", "us-district-court")
            else:
                unlinked[scdb_code] = why
            continue
        if m := re.match(r"^(.+?) U\.S\. Circuit(?: Court)? for the District of (.+)$", label):
            court_id, why = one(circuit_courts, m[2], f"U.S. Circuit Court for the District of {m[2]}")
            if court_id:
                link(court_id, "SAME_AS", "us-circuit-court-of-district")
            else:
                unlinked[scdb_code] = why
            continue
        if re.match(r"^.+ U\.S\. Circuit(?: Court)? for \(all\) District\(s\) of .+$", label) \
                or re.match(r"^(Eastern|Middle|Southern) Circuit \(of the United States\)$", label):
            link("uscirct", "PART_OF", "us-circuit-courts")
            continue
        unlinked[scdb_code] = "no rule matches the label"

    rows = [r for r in links if r[0] in used]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["scdb_code", "relation", "court_id", "scdb_label", "court_name", "rule"])
        w.writerows(rows)

    linked_codes = {r[0] for r in links}
    print(f"SCDB court codes: {len(labels)} in the codebook, {len(used)} used by scdb_cases.csv")
    print(f"linked: {len(linked_codes)} codes ({len({r[0] for r in links if r[1] == 'SAME_AS'})} SAME_AS, "
          f"{len({r[0] for r in links if r[1] == 'PART_OF'})} PART_OF); "
          f"{len({r[0] for r in rows})} of them used, written as {len(rows)} rows to {os.path.relpath(args.out, root)}")
    for rule in sorted({r[5] for r in links}):
        print(f"  {rule}: {sum(1 for r in links if r[5] == rule)} rows")
    print(f"not linked: {len(unlinked)} codes ({len(set(unlinked) & used)} used)")
    for scdb_code, why in sorted(unlinked.items()):
        print(f"  {scdb_code}{'' if scdb_code in used else ' (unused)'} {labels[scdb_code]!r}: {why}")
    missing = used - set(labels)
    if missing:
        print(f"codes used but not in the codebook (no link): {sorted(missing)}")


if __name__ == "__main__":
    main()
