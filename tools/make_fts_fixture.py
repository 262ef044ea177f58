#!/usr/bin/env python3
"""Writes Tests/Fixtures/fts/echr_articles.json: a small real-text corpus for fts() and
the peer's answers on it.

The corpus is the English text of the European Convention on Human Rights and its
protocols ($LEXGRAPH_DATA/statutes/echr_articles_en.json: 106 articles, about 54 kB).
The peer is SQLite's own FTS5 through Python's sqlite3 (not Lexgraph): the same
tokenizer Lexgraph's node_fts declares ('porter unicode61 remove_diacritics 2'), one row
per article holding its text, and -bm25() for each query, the score fts() returns.
PostgresFullTextTests checks both backends against these answers.

    LEXGRAPH_DATA=/work/shared/data python3 tools/make_fts_fixture.py
"""
import json
import os
import sqlite3
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "fts", "echr_articles.json")

# Chosen before looking at any answer: common words of the Convention, pairs (implicit
# AND, the same in FTS5 and PostgreSQL's websearch syntax) and one OR.
QUERIES = [
    "life", "law", "right", "court", "liberty", "property", "detention", "election",
    "freedom expression", "punishment", "child", "education", "compensation", "tribunal",
    "state party", "protocol", "death penalty", "discrimination", "judges", "religion",
    "torture OR slavery", "protection rights freedoms",
]


def main():
    data = os.environ.get("LEXGRAPH_DATA")
    if not data:
        sys.exit("make_fts_fixture.py: set LEXGRAPH_DATA to the shared data folder")
    with open(os.path.join(data, "statutes", "echr_articles_en.json"), encoding="utf-8") as f:
        articles = [{"number": a["id"], "title": a["title"], "text": a["text"]} for a in json.load(f)]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2')")
    for i, a in enumerate(articles, start=1):
        db.execute("INSERT INTO t(rowid, text) VALUES (?, ?)", (i, a["text"]))
    queries = []
    for terms in QUERIES:
        rows = db.execute("SELECT rowid, -bm25(t) FROM t WHERE t MATCH ?", (terms,)).fetchall()
        results = sorted(([articles[r - 1]["number"], s] for r, s in rows), key=lambda x: (-x[1], x[0]))
        queries.append({"terms": terms, "results": results})
    out = {
        "source": "statutes/echr_articles_en.json (ECHR and protocols, English)",
        "peer": f"SQLite {sqlite3.sqlite_version} FTS5 via Python sqlite3, tokenize = 'porter unicode61 remove_diacritics 2', -bm25()",
        "articles": articles,
        "queries": queries,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {OUT}: {len(articles)} articles, {len(queries)} queries, "
          f"{sum(len(q['results']) for q in queries)} scored matches")


if __name__ == "__main__":
    main()
