#!/usr/bin/env python3
"""Writes the model-serving fixtures: two tiny sequence classifiers laid out as
`lexgraph finetune` run folders (RUN/checkpoint/{config.json, model.safetensors,
vocab.txt}), and the probabilities Hugging Face transformers computes for a few texts
with each, for the v2 infer route's tests (Tests/ServerTests/ModelRouteTests.swift).

The two runs share a vocabulary and labels but not their weights (seeds 1 and 2), so a
test can tell which version answered. Texts stay under the models' 32 positions, so one
window each. Rerun with:
    python3 tools/make_serving_fixtures.py Tests/Fixtures/serving
"""
import json
import os
import sys

import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

WORDS = ["the", "a", "party", "shall", "may", "not", "under", "this", "agreement", "notice",
         "term", "law", "court", "arbitration", "governed", "by", "terminate", "days", "liable",
         "for", "any", "damages", "of", "england", "written", "either", "upon", "thirty", "disputes", "be"]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS
LABELS = ["arbitration", "governing law", "termination"]
TEXTS = [
    "Disputes shall be governed by arbitration.",
    "This agreement is governed by the law of England.",
    "Either party may terminate upon thirty days written notice.",
    "The party shall not be liable for any damages.",
    "Zebra!",
]


def make_run(folder, seed):
    checkpoint = os.path.join(folder, "checkpoint")
    os.makedirs(checkpoint, exist_ok=True)
    with open(os.path.join(checkpoint, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32, num_labels=len(LABELS),
                        id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)},
                        problem_type="single_label_classification", initializer_range=0.4)
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config).eval()
    # A wide init (initializer_range 0.4) and a larger classifier, so the labels'
    # probabilities differ clearly between texts and between the two runs.
    with torch.no_grad():
        model.classifier.weight.mul_(4)
    model.save_pretrained(checkpoint, safe_serialization=True)
    tokenizer = BertTokenizer(os.path.join(checkpoint, "vocab.txt"))
    with torch.no_grad():
        enc = tokenizer(TEXTS, padding=True, return_tensors="pt")
        return torch.softmax(model(**enc).logits, -1).tolist()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/serving"
    expected = {"texts": TEXTS, "labels": LABELS, "transformers": __import__("transformers").__version__,
                "probabilities": {}}
    for name, seed in [("run-a", 1), ("run-b", 2)]:
        expected["probabilities"][name] = make_run(os.path.join(out, name), seed)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(json.dumps(expected["probabilities"], indent=None)[:400])


if __name__ == "__main__":
    main()
