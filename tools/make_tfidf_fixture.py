#!/usr/bin/env python3
"""Writes Tests/Fixtures/clauses/tfidf/tfidf.json: scikit-learn's TfidfVectorizer
(ngram_range=(1, 2), sublinear_tf=True, the default token pattern, lowercase, smooth idf,
l2 norm) fitted on a few clause-like texts and applied to held-out ones, as
{term: weight} per row, for `TfidfVectorizerTests` (Swift's `TfidfVectorizer`).

The texts exercise the tokenizer: punctuation, digits, underscores, one-letter words
(dropped), accents and a non-Latin script, upper case, repeated terms (sublinear tf)
and held-out terms outside the vocabulary.

    python3 tools/make_tfidf_fixture.py
"""
import json
import os

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "clauses", "tfidf", "tfidf.json")

TRAIN = [
    "Governing Law. This Agreement is governed by the laws of the State of New York.",
    "This Agreement may be amended only by a written instrument signed by both parties; amendments of Section 2 need 30 days' notice.",
    "Notices shall be in writing and delivered to the address set forth below, by e-mail or by courier (each a \"Notice\").",
    "The Company's obligations under sections 4.1(a) and 4_2 survive termination of this Agreement for 2 years.",
    "Café Müller GmbH und die Gesellschaft vereinbaren Vertraulichkeit; 秘密保持 契約 applies to notices.",
    "law law law LAW: the governing law clause repeats the law.",
]
TEST = [
    "Any notice under this Agreement is governed by the law of Delaware.",
    "Unseen words only: zebra quantum.",
    "Amendments and waivers must be signed by the parties in writing.",
]


def rows(vectorizer, matrix):
    names = vectorizer.get_feature_names_out()
    out = []
    for i in range(matrix.shape[0]):
        row = matrix.getrow(i)
        out.append({names[j]: float(v) for j, v in zip(row.indices, row.data)})
    return out


def main():
    cases = []
    for min_df in (1, 2):
        v = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=min_df)
        train = v.fit_transform(TRAIN)
        test = v.transform(TEST)
        cases.append({
            "min_df": min_df,
            "vocabulary_size": len(v.vocabulary_),
            "idf": {name: float(x) for name, x in zip(v.get_feature_names_out(), v.idf_)},
            "train": rows(v, train),
            "test": rows(v, test),
        })
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"made_by": "tools/make_tfidf_fixture.py", "sklearn": sklearn.__version__,
                   "train_texts": TRAIN, "test_texts": TEST, "cases": cases}, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
