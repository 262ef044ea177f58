#!/usr/bin/env python3
"""Display widths of sample strings from the `wcwidth` package (the Python port of
Markus Kuhn's wcwidth, with current Unicode tables), the peer for Terminal's DisplayWidth.

Writes Tests/Fixtures/terminal/display_width.json: [{"text": ..., "columns": wcswidth(text)}].
Rerun: python3 tools/make_terminal_width_fixture.py
"""
import json
import pathlib

import wcwidth

SAMPLES = [
    "MATCH (n) RETURN n;",
    "é", "e\u0301", "a\u0308", "§ 1983", "ß", "Ω", "Привет", "€", "→",
    "中", "中文", "日本語", "한국어", "ｆｕｌｌ", "ｱｲｳ", "。", "、", "\u3000",
    "憲法第九条", "Art. 12 § 3 — 中华人民共和国民法典",
    "😀", "👍", "☕", "⌚", "☃", "✓",
    "café 中文 § 1",
    "\u200b",
    "가", "ㄱ", "ぁ", "ア", "〜", "﹏", "＄",
]


def main() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    out = root / "Tests" / "Fixtures" / "terminal" / "display_width.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"text": text, "columns": wcwidth.wcswidth(text)} for text in SAMPLES]
    out.write_text(json.dumps({"peer": f"wcwidth {wcwidth.__version__}", "samples": rows},
                              ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(rows)} samples)")


if __name__ == "__main__":
    main()
