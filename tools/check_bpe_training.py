#!/usr/bin/env python3
"""Checks `lexgraph tokenizer train` against Hugging Face `tokenizers` on the whole corpus the
fixture tokenizer was trained on (SCOTUS facts, CUAD, ECHR articles, UNFAIR-ToS; see
make_bpe_fixtures.py): both train a byte-level BPE with the same settings on the same texts,
and every token id and merge must be equal. Prints the counts and both training times.

Run:  python3 tools/check_bpe_training.py [--data ../shared/data] [--binary .build/release/lexgraph]
                                          [--vocab-size 4000]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from tokenizers import ByteLevelBPETokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bpe_fixtures import SPECIALS  # noqa: E402
from make_tokenizer_fixtures import ROOT, load_data  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "lexgraph"))
    ap.add_argument("--vocab-size", type=int, default=4000)
    args = ap.parse_args()
    facts, cuad, echr, tos = load_data(args.data)
    # The corpus reader refuses blank texts and control characters; the check keeps the
    # texts both sides can read.
    texts = [t for t in [t for _, t in facts] + cuad + [t for _, t in echr] + tos
             if t.strip() and not any(ord(c) < 32 and c not in "\t\n\r" for c in t)]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.jsonl")
        with open(corpus, "w") as f:
            for t in texts:
                f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        start = time.time()
        bpe = ByteLevelBPETokenizer(add_prefix_space=False, trim_offsets=True)
        bpe.train_from_iterator(texts, vocab_size=args.vocab_size, min_frequency=2, special_tokens=SPECIALS,
                                show_progress=False)
        peer_seconds = time.time() - start
        peer = json.loads(bpe.to_str())["model"]
        start = time.time()
        subprocess.run([args.binary, "tokenizer", "train", corpus, "--vocab-size", str(args.vocab_size),
                        "--out", os.path.join(tmp, "ours")], check=True)
        our_seconds = time.time() - start
        with open(os.path.join(tmp, "ours", "tokenizer.json")) as f:
            ours = json.load(f)["model"]
    same_vocab = ours["vocab"] == peer["vocab"]
    same_merges = [list(m) for m in ours["merges"]] == [list(m) for m in peer["merges"]]
    print(f"{len(texts)} texts; vocabulary {len(ours['vocab'])} vs {len(peer['vocab'])}: "
          f"{'identical' if same_vocab else 'DIFFERENT'}; merges {len(ours['merges'])} vs {len(peer['merges'])}: "
          f"{'identical' if same_merges else 'DIFFERENT'}")
    print(f"training time (whole command vs train_from_iterator): {our_seconds:.1f} s vs {peer_seconds:.1f} s")
    sys.exit(0 if same_vocab and same_merges else 1)


if __name__ == "__main__":
    main()
