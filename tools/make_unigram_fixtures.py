#!/usr/bin/env python3
"""Trains a small SentencePiece Unigram model (ALBERT's kind) on the shared legal corpus with the
Python `sentencepiece` package, converts it with transformers (AlbertTokenizerFast from the
spiece.model) and writes the Swift tokenizer's reference fixtures from that peer into
Tests/Fixtures/tokenizer-unigram/. No ALBERT tokenizer ships here, so the peer and the Swift
side read the same files this script writes.

- tokenizer.json, tokenizer_config.json: the trained model (2,000 pieces, nmt_nfkc
  normalization, ALBERT's <pad> <unk> [CLS] [SEP] [MASK] at ids 0-4) converted by
  AlbertTokenizerFast and saved as AutoTokenizer then loads it (lowercasing, accents
  stripped, the precompiled charsmap). The spiece.model itself is not kept: tokenizer.json
  holds all of it.
- reference.jsonl: real texts (SCOTUS facts, CUAD, every ECHR article, UNFAIR-ToS), the
  adversarial strings of the WordPiece fixtures and SentencePiece-specific ones, pairs under
  every truncation strategy and padded batches, in make_tokenizer_fixtures.py's format.
- fuzz.jsonl: 200 seeded random strings from the WordPiece fuzz pool plus ALBERT's special
  tokens, quotes the normalizer rewrites (`` ''), "▁" and whitespace runs.
- sentences.jsonl: 10,000 sentences of the SCOTUS facts as [line of scotus/cases.jsonl,
  start, length, digest] (see make_bpe_fixtures.py: the texts stay in the shared data).
- normalizer_sweep.json: for every Unicode scalar c, the peer's normalized form of c (the
  whole normalizer sequence, Precompiled included) and the offsets of the tokens of
  "a" + c + "b", as one digest per block of 4,096 scalars (see sweep()).

Selection is deterministic (fixed seeds), so a rerun gives the same files.

Run:  python3 tools/make_unigram_fixtures.py [--data ../shared/data]
"""
import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import types

import sentencepiece as spm
from transformers import AlbertTokenizerFast, AutoTokenizer
from transformers.convert_slow_tokenizer import AlbertConverter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bpe_fixtures import digest, sentences  # noqa: E402
from make_tokenizer_fixtures import (ADVERSARIAL, FUZZ_POOL, ROOT, SEED, encode_case,  # noqa: E402
                                     fuzz_cases, load_data, pair_and_batch_cases)

OUT_DIR = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer-unigram")
VOCAB_SIZE = 2000
SPECIALS = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]

UNIGRAM_ADVERSARIAL = [
    "``Quoted'' text, `single' and ''double'' ``` '''",
    "x [MASK] y[MASK]z  [MASK]\t[MASK] [CLS][SEP]<pad><unk> [mask] <PAD> [MASK",
    "   leading and trailing   ",
    "a\n\nb\n \nc \n d\t\te\r\n\r\nf",
    "\u00a0nbsp\u00a0 \u3000ideo\u3000 \u2028\u2029 \x85nel \u200bzw\u200b \ufeffbom",
    "1234567890 12,345.67 ３４５ ٣٤٥ ⅣⅫ ½ ① ㎏ ﬁ ﬀ Å Å",
    "Café naïve résumé Ångström ŒUVRE Straße İstanbul ΣΟΦΙΑ ǅ Ǆ",
    "▁▁already▁metaspace ▁ x▁y",
    "x" * 300,
    " " * 50 + "spaces",
    "e\u0301 a\u0323\u0302 \u0301lead Z\u0308\u0351\u0310 👍🏽 👨‍👩‍👧 🇺🇸 ก้ำ 한국어 日本語",
    "tab\t\t\ttabs and\u000bvertical\u000cform \u0000nul \u007fdel \u00adshy",
]
UNIGRAM_FUZZ_POOL = FUZZ_POOL + SPECIALS + ["``", "''", "`", "'", "▁", "  ", "\n\n", " \u3000", "ﬁ", "\u0301"] * 2


def train(corpus, folder):
    with tempfile.TemporaryDirectory() as tmp:
        text = os.path.join(tmp, "corpus.txt")
        with open(text, "w") as f:
            for t in corpus:
                f.write(" ".join(t.split()) + "\n")
        spm.SentencePieceTrainer.train(
            input=text, model_prefix=os.path.join(tmp, "spiece"), model_type="unigram", vocab_size=VOCAB_SIZE,
            pad_id=0, unk_id=1, bos_id=-1, eos_id=-1, control_symbols=["[CLS]", "[SEP]", "[MASK]"],
            character_coverage=0.9995, input_sentence_size=20000, shuffle_input_sentence=False,
            max_sentence_length=8192, num_threads=2, minloglevel=2, seed_sentencepiece_size=200000)
        # transformers 5's AlbertTokenizerFast(vocab_file=...) no longer reads the pieces: convert
        # them with its AlbertConverter (vocabulary, scores, precompiled charsmap), as for ALBERT.
        sp = spm.SentencePieceProcessor(model_file=os.path.join(tmp, "spiece.model"))
        slow = types.SimpleNamespace(vocab_file=os.path.join(tmp, "spiece.model"), keep_accents=False,
                                     do_lower_case=True, convert_tokens_to_ids=sp.piece_to_id)
        tok = AlbertTokenizerFast(tokenizer_object=AlbertConverter(slow).converted())
        tok.model_max_length = 512
        os.makedirs(folder, exist_ok=True)
        tok.save_pretrained(folder)
    # Loading the folder rebuilds part of the pipeline (transformers 5: WhitespaceSplit before
    # Metaspace, no " {2,}" Replace): the tokenizer.json written is the one the peer runs.
    peer = AutoTokenizer.from_pretrained(folder)
    with open(os.path.join(folder, "tokenizer.json"), "w") as f:
        f.write(peer.backend_tokenizer.to_str())
    again = AutoTokenizer.from_pretrained(folder)
    assert again.backend_tokenizer.to_str() == peer.backend_tokenizer.to_str(), "tokenizer.json is not the peer's"
    return again


def sweep(tok):
    """Per block of 4,096 scalars, a digest of every scalar's normalized form and piece
    offsets: the first 16 hex digits of sha256 over "cp:normalized:start,end,...;" lines."""
    norm = tok.backend_tokenizer.normalizer
    backend = tok.backend_tokenizer
    blocks = []
    for block in range(0, 0x110000, 4096):
        h = hashlib.sha256()
        for cp in range(block, block + 4096):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            c = chr(cp)
            enc = backend.encode("a" + c + "b", add_special_tokens=False)
            offs = ",".join(str(x) for pair in enc.offsets for x in pair)
            h.update(f"{cp}:{norm.normalize_str(c)}:{offs};".encode())
        blocks.append(h.hexdigest()[:16])
    return {"probe": "a{c}b", "block": 4096, "digests": blocks}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--skip-sweep", action="store_true")
    args = ap.parse_args()
    facts, cuad, echr, tos = load_data(args.data)
    corpus = [t for _, t in facts] + cuad + [t for _, t in echr] + tos
    tok = train(corpus, OUT_DIR)
    tok.model_max_length = 10 ** 9
    rng = random.Random(SEED)
    cases = []
    chosen = [(i, t[:500]) for i, t in rng.sample(facts, 30)]
    for i, (oyez_id, text) in enumerate(chosen):
        cases.append(encode_case(tok, f"scotus-{oyez_id}", text, max_length=128, decode=(i % 4 == 0)))
    longest = sorted(facts, key=lambda f: -len(f[1]))[0]
    cases.append(encode_case(tok, f"scotus-{longest[0]}-full", longest[1], truncation="do_not_truncate",
                             max_length=None))
    for i, text in enumerate(t[:500] for t in rng.sample(cuad, 30)):
        cases.append(encode_case(tok, f"cuad-{i}", text, max_length=128, decode=(i % 4 == 0)))
    for i, (art_id, text) in enumerate(echr):
        cases.append(encode_case(tok, f"echr-{art_id}", text[:300], max_length=96, decode=(i % 3 == 0)))
    for i, text in enumerate(rng.sample(tos, 20)):
        cases.append(encode_case(tok, f"tos-{i}", text, decode=True))
    for i, text in enumerate(ADVERSARIAL + UNIGRAM_ADVERSARIAL):
        cases.append(encode_case(tok, f"adversarial-{i}", text, truncation="do_not_truncate",
                                 max_length=None, decode=True))
    for i, text in enumerate(UNIGRAM_ADVERSARIAL[:7]):
        cases.append(encode_case(tok, f"no-special-{i}", text, truncation="do_not_truncate",
                                 max_length=None, add_special_tokens=False, decode=True))
    edge_text = chosen[0][1]
    for ml in (1, 2, 3, 4, 5, 17):
        cases.append(encode_case(tok, f"single-max{ml}", edge_text, max_length=ml))
    short = lambda texts: [t[:600] for t in texts]
    cases += pair_and_batch_cases(tok, rng, [(i, t[:600]) for i, t in facts], short(cuad), short(tos), [t[:400] for _, t in chosen[:3]], UNIGRAM_ADVERSARIAL[1],
                                  lengths=[8, 16, 24, 32, 64, 128, 4, 5, 6])
    with open(os.path.join(OUT_DIR, "reference.jsonl"), "w") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    fuzz = fuzz_cases(tok, random.Random(SEED + 2), 200, UNIGRAM_FUZZ_POOL)
    with open(os.path.join(OUT_DIR, "fuzz.jsonl"), "w") as f:
        for case in fuzz:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT_DIR, "sentences.jsonl"), "w") as f:
        for line, start, length, text in sentences(args.data, 10_000, random.Random(SEED + 3)):
            enc = tok(text, return_offsets_mapping=True)
            f.write(json.dumps([line, start, length, digest(enc["input_ids"], enc["offset_mapping"])]) + "\n")
    if not args.skip_sweep:
        with open(os.path.join(OUT_DIR, "normalizer_sweep.json"), "w") as f:
            json.dump(sweep(tok), f, separators=(",", ":"), ensure_ascii=False)
    errors = sum(1 for c in cases if "error" in c)
    print(f"wrote {len(cases)} cases ({errors} peer errors), {len(fuzz)} fuzz cases, 10,000 sentences and "
          f"the normalizer sweep to {OUT_DIR}", file=sys.stderr)


if __name__ == "__main__":
    main()
