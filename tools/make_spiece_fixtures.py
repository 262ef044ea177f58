#!/usr/bin/env python3
"""Trains a small SentencePiece Unigram model on the shared legal corpus with the Python
`sentencepiece` package and writes ALBERT-style model folders holding that `spiece.model` and
no tokenizer.json (Tests/Fixtures/tokenizer-spiece/), with transformers' answers on them: the
Swift side must read the spiece.model itself and give what transformers gives for the folder.

The peer is `AutoTokenizer.from_pretrained(folder)` (config.json says model_type "albert"),
which in transformers 5 reads spiece.model with its SentencePieceExtractor and builds
AlbertTokenizer from the raw piece scores: normalizer Replace ``/'' -> ", NFKD + StripAccents
unless keep_accents, Lowercase when do_lower_case, the model's Precompiled charsmap;
WhitespaceSplit then Metaspace; [CLS] A [SEP] (B [SEP]). (Its AlbertConverter, used to convert
a slow tokenizer, also lowers pieces ending in digit + "," by 100 and collapses " {2,}": the
folder load does neither; the script counts where that would differ.)

- spiece.model: 1,500 pieces, <pad> <unk> [CLS] [SEP] [MASK] at ids 0-4, a user-defined piece
  "1," (what AlbertConverter would demote), and a small custom normalization rule set (below)
  instead of nmt_nfkc, whose ~240 KB charsmap would dwarf the model: the rules still go through
  the precompiled double-array trie (tokenizer-unigram tests the full nmt_nfkc one).
- config.json: {"model_type": "albert"}, so AutoTokenizer knows the folder.
- reference.jsonl: hard strings (quotes, accents, numbers with commas, runs of spaces, CJK,
  emoji, the empty string, the normalization rules), real texts (SCOTUS facts, CUAD, UNFAIR-ToS),
  pairs under every truncation strategy, padded batches and 100 fuzz strings, in
  make_tokenizer_fixtures.py's format.
- sentences.jsonl: 2,000 SCOTUS sentences by digest (see make_bpe_fixtures.py).
- cased/: the same spiece.model with tokenizer_config.json {do_lower_case: false,
  keep_accents: true, add_prefix_space: false, model_max_length: 48} and its own
  reference.jsonl.
- bpe/spiece.model: a tiny BPE SentencePiece model, which an ALBERT tokenizer cannot read.

Deterministic (fixed seeds, sentencepiece trained single-threaded on a fixed slice).

Run:  python3 tools/make_spiece_fixtures.py [--data ../shared/data]
"""
import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import types

import sentencepiece as spm
from transformers import AutoTokenizer
from transformers.convert_slow_tokenizer import AlbertConverter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bpe_fixtures import digest, sentences  # noqa: E402
from make_tokenizer_fixtures import (ADVERSARIAL, ROOT, SEED, encode_case, fuzz_cases,  # noqa: E402
                                     load_data, pair_and_batch_cases)
from make_unigram_fixtures import UNIGRAM_ADVERSARIAL, UNIGRAM_FUZZ_POOL  # noqa: E402

OUT_DIR = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer-spiece")
VOCAB_SIZE = 1500

# SentencePiece normalization rules (source code points -> target code points, hex): spaces,
# a ligature, full-width digits, a Roman numeral, a two-scalar source (A + combining ring ->
# Å) and a deletion (soft hyphen).
RULES = (["A0\t20", "3000\t20", "2002\t20", "FB01\t66 69", "FB02\t66 6C", "2160\t49", "2161\t49 49",
          "41 30A\tC5", "61 30A\tE5", "AD\t", "2019\t27", "201C\t22", "201D\t22"]
         + [f"{0xFF10 + i:X}\t{0x30 + i:X}" for i in range(10)])

SPIECE_ADVERSARIAL = [
    "",
    "``Quoted like this'' and `single' quotes, ''twice'' ``` ''' `` ''",
    "1,000 and 12,345,678.90; 3, 4,5 1,2,3 11,000 21, 31,",
    "two  spaces,   three,\t\ttabs \n\n newlines\u3000ideographic\u00a0nbsp   end   ",
    "Café naïve résumé ÅNGSTRÖM Ångström Å a\u030a Straße ΣΟΦΙΑ Ǆ",
    "ﬁnal ﬂow Ⅰ Ⅱ １２３ soft\u00adhyphen ‘curly’ “double”",
    "中华人民共和国合同法 第一条 日本国憲法 한국어 ひらがな",
    "Emoji 😀👍🏽 👨‍👩‍👧 🇺🇸 in a sentence",
    "[CLS] x [SEP] [MASK] y[MASK]z <pad><unk> [mask]",
    "1, 1,, ,1, 1,1, x1, 11,",
]


def train(corpus, tmp, model_type, vocab_size, rules):
    text = os.path.join(tmp, f"corpus-{model_type}.txt")
    with open(text, "w") as f:
        for t in corpus:
            f.write(" ".join(t.split()) + "\n")
    kw = {}
    if rules:
        tsv = os.path.join(tmp, "rules.tsv")
        with open(tsv, "w") as f:
            f.write("\n".join(RULES) + "\n")
        kw["normalization_rule_tsv"] = tsv
    else:
        kw["normalization_rule_name"] = "identity"
    # Relative names: the trainer spec records its input and prefix, so a temporary folder's
    # random name would change the model's bytes from run to run.
    cwd = os.getcwd()
    os.chdir(tmp)
    kw = {k: os.path.basename(v) for k, v in kw.items()}
    prefix = f"spiece-{model_type}"
    try:
        spm.SentencePieceTrainer.train(
            input=os.path.basename(text), model_prefix=prefix, model_type=model_type, vocab_size=vocab_size,
            pad_id=0, unk_id=1, bos_id=-1, eos_id=-1, control_symbols=["[CLS]", "[SEP]", "[MASK]"],
            user_defined_symbols=["1,"] if model_type == "unigram" else [],
            character_coverage=0.9995, input_sentence_size=20000, shuffle_input_sentence=False,
            max_sentence_length=8192, num_threads=1, minloglevel=2, **kw)
    finally:
        os.chdir(cwd)
    return os.path.join(tmp, prefix + ".model")


def folder(path, model, tokenizer_config=None):
    os.makedirs(path, exist_ok=True)
    shutil.copy(model, os.path.join(path, "spiece.model"))
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump({"model_type": "albert"}, f)
        f.write("\n")
    if tokenizer_config is not None:
        with open(os.path.join(path, "tokenizer_config.json"), "w") as f:
            json.dump(tokenizer_config, f, indent=2)
            f.write("\n")
    tok = AutoTokenizer.from_pretrained(path)
    assert type(tok).__name__ == "AlbertTokenizer", type(tok)
    assert not os.path.exists(os.path.join(path, "tokenizer.json"))
    return tok


def cases_for(tok, data, rng, real=True):
    facts, cuad, _, tos = data
    cases = []
    for i, text in enumerate(ADVERSARIAL + UNIGRAM_ADVERSARIAL + SPIECE_ADVERSARIAL):
        cases.append(encode_case(tok, f"adversarial-{i}", text, truncation="do_not_truncate",
                                 max_length=None, decode=True))
    for i, text in enumerate(SPIECE_ADVERSARIAL[1:8]):
        cases.append(encode_case(tok, f"no-special-{i}", text, truncation="do_not_truncate",
                                 max_length=None, add_special_tokens=False, decode=True))
    # truncation=True without max_length: the folder's model_max_length decides.
    cases.append(encode_case(tok, "default-max-length", facts[0][1][:400], max_length=None))
    chosen = [(i, t[:500]) for i, t in rng.sample(facts, 20)]
    for ml in (1, 2, 3, 17):
        cases.append(encode_case(tok, f"single-max{ml}", chosen[0][1], max_length=ml))
    if real:
        for i, (oyez_id, text) in enumerate(chosen):
            cases.append(encode_case(tok, f"scotus-{oyez_id}", text, max_length=128, decode=(i % 4 == 0)))
        for i, text in enumerate(t[:500] for t in rng.sample(cuad, 20)):
            cases.append(encode_case(tok, f"cuad-{i}", text, max_length=128, decode=(i % 4 == 0)))
        for i, text in enumerate(rng.sample(tos, 10)):
            cases.append(encode_case(tok, f"tos-{i}", text, decode=True))
    short = lambda texts: [t[:600] for t in texts]
    cases += pair_and_batch_cases(tok, rng, [(i, t[:600]) for i, t in facts], short(cuad), short(tos),
                                  [t[:400] for _, t in chosen[:3]], SPIECE_ADVERSARIAL[1],
                                  lengths=[8, 16, 24, 32, 64, 4, 5, 6])
    cases += fuzz_cases(tok, random.Random(SEED + 2), 100, UNIGRAM_FUZZ_POOL + ["1,", ",", "1", "  "] * 3)
    return cases


def write_cases(path, cases):
    with open(path, "w") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")


def converter_differences(model, tok, cases):
    """How many single-text cases AlbertConverter's pipeline (the slow-tokenizer conversion)
    would tokenize differently from the folder load the fixtures record."""
    sp = spm.SentencePieceProcessor(model_file=model)
    slow = types.SimpleNamespace(vocab_file=model, keep_accents=False, do_lower_case=True,
                                 convert_tokens_to_ids=sp.piece_to_id)
    conv = AlbertConverter(slow).converted()
    texts = [c["text"] for c in cases if c["kind"] == "encode" and "pair" not in c]
    return sum(1 for t in texts if conv.encode(t).ids != tok(t)["input_ids"]), len(texts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    args = ap.parse_args()
    facts, cuad, echr, tos = load_data(args.data)
    corpus = [t for _, t in facts] + cuad + [t for _, t in echr] + tos
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        unigram = train(corpus, tmp, "unigram", VOCAB_SIZE, rules=True)
        bpe = train(corpus[:300], tmp, "bpe", 200, rules=False)
        os.makedirs(os.path.join(OUT_DIR, "bpe"))
        shutil.copy(bpe, os.path.join(OUT_DIR, "bpe", "spiece.model"))

        tok = folder(OUT_DIR, unigram)
        tok.model_max_length = 10 ** 9  # the reference cases say their lengths
        cases = cases_for(tok, (facts, cuad, echr, tos), random.Random(SEED))
        write_cases(os.path.join(OUT_DIR, "reference.jsonl"), cases)
        with open(os.path.join(OUT_DIR, "sentences.jsonl"), "w") as f:
            for line, start, length, text in sentences(args.data, 2_000, random.Random(SEED + 3)):
                enc = tok(text, return_offsets_mapping=True)
                f.write(json.dumps([line, start, length, digest(enc["input_ids"], enc["offset_mapping"])]) + "\n")
        differ, total = converter_differences(unigram, tok, cases)

        cased = folder(os.path.join(OUT_DIR, "cased"), unigram,
                       {"do_lower_case": False, "keep_accents": True, "add_prefix_space": False, "model_max_length": 48})
        cased_cases = cases_for(cased, (facts, cuad, echr, tos), random.Random(SEED + 5), real=False)
        write_cases(os.path.join(OUT_DIR, "cased", "reference.jsonl"), cased_cases)

    sizes = {p: os.path.getsize(os.path.join(OUT_DIR, p)) for p in ("spiece.model", "bpe/spiece.model")}
    print(f"wrote {len(cases)} + {len(cased_cases)} cases, 2,000 sentences, models {sizes} to {OUT_DIR}; "
          f"AlbertConverter's pipeline would differ on {differ} of {total} single texts", file=sys.stderr)


if __name__ == "__main__":
    main()
