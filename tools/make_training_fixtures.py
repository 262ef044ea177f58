#!/usr/bin/env python3
"""Trains WordPiece and SentencePiece Unigram tokenizers with Hugging Face `tokenizers` on the
400 legal texts of Tests/Fixtures/tokenizer-bpe/train-corpus.jsonl (SCOTUS facts, CUAD, ECHR,
UNFAIR-ToS, drawn from the shared data by make_bpe_fixtures.py) and writes what
`lexgraph tokenizer train --kind wordpiece|unigram` must reproduce into
Tests/Fixtures/tokenizer-training/.

The peer's trainers are not deterministic: they walk Rust hash maps whose order changes from
process to process. WordPiece gives the `##` characters their ids in that order, and since
merges of equal count are ranked by ids, the later merges change too. Unigram's last step
gives the characters that EM dropped their penalised scores in hash order, and its E-step
sums sentences in hash order (last-digit differences). So the script runs each trainer
RUNS times, each in a fresh process, and keeps every run:

- wordpiece/run-N.txt: the vocabulary (BertWordPieceTokenizer.train_from_iterator, 1,000
  tokens, min_frequency 2, limit_alphabet 1000, BERT's special tokens), one token a line.
- unigram/run-N.json: the tokenizer.json of a Unigram trained with UnigramTrainer (1,000
  pieces, ALBERT's special tokens <pad> <unk> [CLS] [SEP] [MASK], unk <unk>) behind ALBERT's
  pipeline without the SentencePiece charsmap: the quote Replaces, NFKD, StripAccents,
  Lowercase, runs of spaces to one; WhitespaceSplit + Metaspace; [CLS] $A [SEP] / [CLS] $A
  [SEP] $B:1 [SEP]:1.
- meta.json: the peer's version and settings.

Run:  python3 tools/make_training_fixtures.py   (needs `pip install tokenizers`)
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Tests/Fixtures/tokenizer-bpe/train-corpus.jsonl")
OUT_DIR = os.path.join(ROOT, "Tests/Fixtures/tokenizer-training")
RUNS = 3
VOCAB = 1000
ALBERT_SPECIALS = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]


def texts():
    with open(CORPUS, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def train_wordpiece(out):
    from tokenizers import BertWordPieceTokenizer
    wp = BertWordPieceTokenizer()
    wp.train_from_iterator(texts(), vocab_size=VOCAB, min_frequency=2, limit_alphabet=1000, show_progress=False)
    vocab = json.loads(wp.to_str())["model"]["vocab"]
    with open(out, "w", encoding="utf-8") as f:
        for token, _ in sorted(vocab.items(), key=lambda kv: kv[1]):
            f.write(token + "\n")


def unigram_pipeline():
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers
    from tokenizers.models import Unigram
    tok = Tokenizer(Unigram())
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace("``", '"'), normalizers.Replace("''", '"'), normalizers.NFKD(), normalizers.StripAccents(),
        normalizers.Lowercase(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)])
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    return tok


def train_unigram(out):
    from tokenizers import processors, trainers
    tok = unigram_pipeline()
    trainer = trainers.UnigramTrainer(vocab_size=VOCAB, special_tokens=ALBERT_SPECIALS, unk_token="<unk>", show_progress=False)
    tok.train_from_iterator(texts(), trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0", pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    tok.save(out)


def main():
    if len(sys.argv) == 3:  # one run in this process (fresh hash seeds)
        {"wordpiece": train_wordpiece, "unigram": train_unigram}[sys.argv[1]](sys.argv[2])
        return
    import tokenizers
    for kind, ext in (("wordpiece", "txt"), ("unigram", "json")):
        os.makedirs(os.path.join(OUT_DIR, kind), exist_ok=True)
        for n in range(1, RUNS + 1):
            subprocess.run([sys.executable, __file__, kind, os.path.join(OUT_DIR, kind, f"run-{n}.{ext}")], check=True)
    meta = {"peer": f"tokenizers {tokenizers.__version__}", "corpus": os.path.relpath(CORPUS, ROOT), "runs": RUNS,
            "wordpiece": {"vocab_size": VOCAB, "min_frequency": 2, "limit_alphabet": 1000,
                          "special_tokens": ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]},
            "unigram": {"vocab_size": VOCAB, "special_tokens": ALBERT_SPECIALS, "unk_token": "<unk>", "shrinking_factor": 0.75,
                        "n_sub_iterations": 2, "max_piece_length": 16}}
    with open(os.path.join(OUT_DIR, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
