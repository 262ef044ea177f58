#!/usr/bin/env python3
"""Writes the tokenizer reference fixtures in Tests/Fixtures/tokenizer/ from the peer:
Hugging Face `transformers.AutoTokenizer` (the fast, Rust-backed BertTokenizer) loaded from the
local model folder.

- reference.jsonl: one case per line. Real legal texts (SCOTUS facts, CUAD clauses, every ECHR
  article, UNFAIR-ToS sentences) plus hand-written adversarial strings, encoded single, as pairs
  under every truncation strategy, and as padded batches. Each expectation holds ids,
  token_type_ids and attention_mask (as digit strings, one digit per token), offsets (flat
  [start, end, start, end, ...] in Python str indices = Unicode code points) and, for singles,
  the decoded text with and without special tokens. A case the peer rejects holds its error.
- fuzz.jsonl: the same format for 400 seeded random strings built from every character class
  the normalizer and pre-tokenizer treat specially (alone, in pairs, under random truncation).
- normalizer_sweep.json: the peer's normalizer output for every Unicode scalar whose output
  differs from the scalar itself (run-length coded), and its punctuation set.

Selection is deterministic (fixed seed, first N), so a rerun on the same data gives the same file.

Run:  python3 tools/make_tokenizer_fixtures.py [--model models/all-minilm-l6-v2] [--data ../shared/data]
"""
import argparse
import csv
import json
import os
import random
import sys

from transformers import AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
SEED = 20261129

ADVERSARIAL = [
    "",
    "   ",
    "Hello, World!",
    "42 U.S.C. § 1983(a)(2) and 28 U.S.C. §§ 1331–1332",
    "See ¶ 12 — “quoted” and ‘single’ «guillemets» „low“",
    "Café résumé naïve coöperate façade Ångström",
    "cafe\u0301 re\u0301sume\u0301 (combining acute)",
    "ÀÉÎÕÜ ÇÑ ØÆŒ ß ẞ İstanbul ǅungla",
    "中华人民共和国合同法 第一条 and 日本国憲法",
    "Mixed中文text with 한국어 and ひらがな カタカナ",
    "Emoji 😀👍🏽 🥲 🫠 👨‍👩‍👧 in a sentence",
    "zero\u200bwidth\u200cjoiner\u200dand\ufeffBOM\u2060wj",
    "control\x00chars\x01here\x07\x1b[0m and \x7f del \x85 nel",
    "tabs\tand\r\nCRLF\nlines\u2028sep\u2029para\u00a0nbsp\u3000ideo",
    "replacement \ufffd char and soft\u00adhyphen",
    "Ελληνικά κείμενα: Σύνταγμα της Ελλάδας, άρθρο 5",
    "Русский текст: Конституция Российской Федерации, статья 2",
    "Supercalifragilisticexpialidocious " + "x" * 99 + " " + "y" * 100 + " " + "z" * 101,
    "pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism",
    "a" * 120 + "!" + "b" * 5,
    "He said \"don't\" -- it's the plaintiff's (and the defendants') case...",
    "Art. 6 § 1 ECHR; Art. 8(2); Protocol No. 1, Art. 1 — 'P1-1'",
    "x [MASK] y [SEP] z [CLS][PAD][UNK] [mask] [MASK[SEP]]",
    "[MASK] court😀house [SEP] plaintiff☃s v. [CLS]state",
    "<p>Held:&nbsp;the <i>writ</i> is &amp; was dismissed.</p>",
    "e-mail: j.doe@example.com, https://www.law.cornell.edu/uscode/text/42/1983?x=1&y=2",
    "$1,000,000.00 (USD) ≈ €920,000; 10% p.a.; 3½ years; 1st/2nd/3rd",
    "ﬁnancial ﬂow ﬀ (ligatures) ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
    "Ⅳ. Ⅻ roman numerals; ① ② circled; ²³ superscripts; ½ ¼",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea \u0939\u093f\u0928\u094d\u0926\u0940",
    "Plaintiff—Appellant v. Defendant–Appellee … etc.",
    "UPPER lower MiXeD McDONALD O'NEIL",
    "\u1e9b\u0323 \u00c5 \u212b \u2126 \u1e0b\u0323 q\u0307\u0323",
    "newer marks \u0898 \u08d4 format \u0890 \u08e2 letters \u0560 \u0870 \U0001FAE0",
    "ends with space and punctuation ?!. ",
]


# Building blocks of the random strings in fuzz.jsonl: every character class the normalizer and
# pre-tokenizer treat specially, written-out special tokens, and real words.
FUZZ_POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3
    + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    + ["\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\u00a0", "\u3000", "\u2028", " ", " ", " ", " "]
    + list("éèêëàâäôöûüçñÉÈÀÇÑİıßẞǅ") + ["e\u0301", "a\u0308", "\u0301", "\u0323\u0307"]
    + list("中华人民共和国法律日本語한국어ひらがなカタカナ")
    + ["😀", "👍🏽", "👨\u200d👩\u200d👧", "🫠", "\u200d", "\u200b", "\ufeff", "\x00", "\x01", "\x1b", "\ufffd", "\u00ad"]
    + list("ΑΒΓαβγάέΣσςЖжЁёहिन्दीالعربيةעבריתไทย")
    + ["[MASK]", "[SEP]", "[CLS]", "[PAD]", "[UNK]", "[mask]", "##", "##ing"]
    + list("ﬁﬂＡＢＣ１２３ⅣⅫ①²½§¶—–“”‘’«»…€≈")
    + ["\ue000", "\U000f0000", "\u0378", "\u0898", "\u08d4", "\u0890", "\U00011938", "\uf900", "\u2126", "\u212b"]
)
FUZZ_WORDS = ["the", "court", "held", "plaintiff", "unconstitutional", "pneumonoultramicroscopic",
              "antidisestablishmentarianism", "U.S.C.", "§§", "1983(a)(2)", "don't", "it's"]


def fuzz_text(rng, n, pool=FUZZ_POOL):
    parts = []
    for _ in range(n):
        r = rng.random()
        if r < 0.25:
            parts.append(rng.choice(FUZZ_WORDS))
        elif r < 0.3:  # any scalar of the BMP or the next planes
            cp = rng.choice([rng.randint(0x80, 0xFFFF), rng.randint(0x10000, 0x3FFFF)])
            parts.append("" if 0xD800 <= cp <= 0xDFFF else chr(cp))
        elif r < 0.32:
            parts.append("x" * rng.randint(95, 105))  # around max_input_chars_per_word
        else:
            parts.append(rng.choice(pool))
    return "".join(parts)


def fuzz_cases(tok, rng, count, pool=FUZZ_POOL):
    """Random strings, alone and in pairs, under random truncation (lengths 1..30)."""
    cases = []
    for i in range(count):
        text = fuzz_text(rng, rng.randint(0, 40), pool)
        if i % 3 == 0:
            # A non-empty second text: transformers treats tokenizer(text, "") as no pair at all.
            pair = fuzz_text(rng, rng.randint(1, 20), pool)
            strategy = rng.choice(["longest_first", "only_first", "only_second"])
            cases.append(encode_case(tok, f"fuzz-{i}", text, pair=pair, truncation=strategy,
                                     max_length=rng.randint(1, 30), decode=True))
        elif i % 3 == 1:
            cases.append(encode_case(tok, f"fuzz-{i}", text, max_length=rng.randint(1, 30), decode=True))
        else:
            cases.append(encode_case(tok, f"fuzz-{i}", text, truncation="do_not_truncate", max_length=None,
                                     decode=True))
    return cases


def load_data(data):
    csv.field_size_limit(1 << 30)
    with open(os.path.join(data, "scotus", "cases.jsonl")) as f:
        scotus = [json.loads(line) for line in f if line.strip()]
    facts = [(c.get("oyez_id"), c["facts"]) for c in scotus if c.get("facts")]
    with open(os.path.join(data, "clauses", "cuad.tsv")) as f:
        cuad = [r["text"] for r in csv.DictReader(f, delimiter="\t")]
    with open(os.path.join(data, "statutes", "echr_articles_en.json")) as f:
        echr = [(a["id"], a["text"]) for a in json.load(f)]
    with open(os.path.join(data, "clauses", "unfair_tos.tsv")) as f:
        tos = [r["text"] for r in csv.DictReader(f, delimiter="\t")]
    return facts, cuad, echr, tos


def digits(values):
    return "".join(str(v) for v in values)


def flat(offsets):
    out = []
    for a, b in offsets:
        out += [a, b]
    return out


def expectation(enc, index=None):
    pick = (lambda k: enc[k]) if index is None else (lambda k: enc[k][index])
    return {
        "ids": pick("input_ids"),
        "type_ids": digits(pick("token_type_ids")),
        "attention_mask": digits(pick("attention_mask")),
        "offsets": flat(pick("offset_mapping")),
    }


def call_kwargs(truncation, max_length, padding=None, add_special_tokens=True):
    # Type ids asked for explicitly: RoBERTa-style tokenizers leave them out by default.
    kw = {"return_offsets_mapping": True, "return_token_type_ids": True, "add_special_tokens": add_special_tokens}
    kw["truncation"] = truncation
    if max_length is not None:
        kw["max_length"] = max_length
    if padding is not None:
        kw["padding"] = padding
    return kw


def encode_case(tok, case_id, text, pair=None, truncation="longest_first", max_length=512,
                add_special_tokens=True, decode=False):
    case = {"id": case_id, "kind": "encode", "text": text, "truncation": truncation,
            "max_length": max_length}
    if pair is not None:
        case["pair"] = pair
    if not add_special_tokens:
        case["add_special_tokens"] = False
    try:
        enc = tok(text, pair, **call_kwargs(truncation, max_length, add_special_tokens=add_special_tokens))
    except Exception as e:  # the peer refuses: the Swift side must refuse too
        case["error"] = str(e)
        return case
    case["expect"] = expectation(enc)
    if decode:
        case["expect"]["decoded"] = tok.decode(enc["input_ids"])
        case["expect"]["decoded_skip_special"] = tok.decode(enc["input_ids"], skip_special_tokens=True)
    return case


def batch_case(tok, case_id, texts, pairs, truncation, max_length, padding):
    case = {"id": case_id, "kind": "batch", "texts": texts, "truncation": truncation,
            "max_length": max_length, "padding": padding}
    if pairs is not None:
        case["pairs"] = pairs
    enc = tok(texts, pairs, **call_kwargs(truncation, max_length, padding=padding))
    case["expect"] = [expectation(enc, i) for i in range(len(texts))]
    return case


def sweep(tok):
    """Run-length coded peer normalizer output per scalar, and the peer's punctuation set."""
    norm = tok.backend_tokenizer.normalizer
    pre = tok.backend_tokenizer.pre_tokenizer
    # [start, end, kind] runs: kind "drop" (-> ""), "space" (-> " "), "wrap" (c -> " c "), or
    # [start, end, "map", [output per scalar in start...end]].
    runs = []
    punctuation = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        out = norm.normalize_str(c)
        if out == c:
            kind = None
        elif out == "":
            kind = "drop"
        elif out == " ":
            kind = "space"
        elif out == " " + c + " ":
            kind = "wrap"
        else:
            kind = "map"
        if kind is not None:
            if runs and runs[-1][2] == kind and runs[-1][1] == cp - 1:
                runs[-1][1] = cp
                if kind == "map":
                    runs[-1][3].append(out)
            else:
                runs.append([cp, cp, kind, [out]] if kind == "map" else [cp, cp, kind])
        if len(pre.pre_tokenize_str("a" + c + "a")) == 3:
            if punctuation and punctuation[-1][1] == cp - 1:
                punctuation[-1][1] = cp
            else:
                punctuation.append([cp, cp])
    return {"runs": runs, "punctuation": punctuation}


def pair_and_batch_cases(tok, rng, facts, cuad, tos, first_texts, odd_text, lengths):
    """Pairs under every strategy and each of `lengths`, then padded batches (of
    `first_texts`, a CUAD clause, the empty string and `odd_text`; of pairs; untruncated)."""
    cases = []
    strategies = ["longest_first", "only_first", "only_second", "do_not_truncate"]
    firsts = rng.sample(cuad, 40)
    seconds = rng.sample(tos, 20) + [t for _, t in rng.sample(facts, 20)]
    for i in range(44):
        strategy = strategies[i % 4]
        ml = lengths[(i // 4) % len(lengths)] if strategy != "do_not_truncate" or i % 8 == 3 else None
        a, b = (firsts[i % 40], seconds[i % 40]) if i % 3 else (seconds[i % 40], firsts[i % 40])
        cases.append(encode_case(tok, f"pair-{i}-{strategy}-{ml}", a, pair=b, truncation=strategy,
                                 max_length=ml, decode=(i % 5 == 0)))
    batch_texts = first_texts + [cuad[0], "", odd_text]
    cases.append(batch_case(tok, "batch-longest", batch_texts, None, "longest_first", 64, "longest"))
    cases.append(batch_case(tok, "batch-max_length", batch_texts, None, "longest_first", 48, "max_length"))
    cases.append(batch_case(tok, "batch-untruncated-longest", [tos[1], tos[2], cuad[5]], None,
                            "do_not_truncate", None, "longest"))
    cases.append(batch_case(tok, "batch-pairs", [firsts[0], firsts[1], firsts[2]],
                            [seconds[0], seconds[21], ""], "longest_first", 40, "max_length"))
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "all-minilm-l6-v2"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    args = ap.parse_args()
    tok = AutoTokenizer.from_pretrained(args.model)
    tok.model_max_length = 10 ** 9  # let long texts through un-truncated when asked, without warnings
    facts, cuad, echr, tos = load_data(args.data)
    rng = random.Random(SEED)
    cases = []

    # Real texts, the realistic setting: truncation at 512.
    markup = [f for f in facts if any(s in f[1] for s in ("<", "&", "\u00a0", "\\", "\u201c"))][:15]
    chosen = markup + rng.sample([f for f in facts if f not in markup], 95)
    for i, (oyez_id, text) in enumerate(chosen):
        cases.append(encode_case(tok, f"scotus-{oyez_id}", text, decode=(i % 4 == 0)))
    longest = sorted(facts, key=lambda f: -len(f[1]))[:3]
    for oyez_id, text in longest:  # un-truncated long inputs (> 512 tokens)
        cases.append(encode_case(tok, f"scotus-{oyez_id}-full", text, truncation="do_not_truncate",
                                 max_length=None))
    for i, text in enumerate(rng.sample(cuad, 120)):
        cases.append(encode_case(tok, f"cuad-{i}", text, decode=(i % 4 == 0)))
    for i, (art_id, text) in enumerate(echr):
        cases.append(encode_case(tok, f"echr-{art_id}", text, decode=(i % 3 == 0)))
    for i, text in enumerate(rng.sample(tos, 30)):
        cases.append(encode_case(tok, f"tos-{i}", text, decode=True))
    for i, text in enumerate(ADVERSARIAL):
        cases.append(encode_case(tok, f"adversarial-{i}", text, truncation="do_not_truncate",
                                 max_length=None, decode=True))
    for i, text in enumerate(ADVERSARIAL[:6]):
        cases.append(encode_case(tok, f"no-special-{i}", text, truncation="do_not_truncate",
                                 max_length=None, add_special_tokens=False))
    # Single-text truncation edges, including lengths below the two special tokens.
    edge_text = chosen[0][1]
    for ml in (1, 2, 3, 5, 17):
        cases.append(encode_case(tok, f"single-max{ml}", edge_text, max_length=ml))
    cases.append(encode_case(tok, "single-only_second", edge_text, truncation="only_second", max_length=16))

    cases += pair_and_batch_cases(tok, rng, facts, cuad, tos, [t for _, t in chosen[:3]], ADVERSARIAL[8],
                                  lengths=[8, 16, 24, 32, 64, 128, 512, 3, 4, 5])

    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "reference.jsonl"), "w") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    fuzz = fuzz_cases(tok, random.Random(SEED + 1), 400)
    with open(os.path.join(OUT_DIR, "fuzz.jsonl"), "w") as f:
        for case in fuzz:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT_DIR, "normalizer_sweep.json"), "w") as f:
        json.dump(sweep(tok), f, ensure_ascii=False, separators=(",", ":"))
    errors = sum(1 for c in cases if "error" in c)
    print(f"wrote {len(cases)} cases ({errors} peer errors) and {len(fuzz)} fuzz cases to {OUT_DIR}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
