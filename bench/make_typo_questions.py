"""Write the typo dev set (issue 28): the 广安 dev questions, each with one character of one of its
words replaced by a common character that sounds the same (拼音 without tones), as a pinyin input
method's wrong pick does: 社保卡丢了 → 社抱卡丢了.

    .venv/bin/python bench/make_typo_questions.py      # writes guangan_devtypo.csv next to the others

The word is drawn among the question's words of two characters or more (not stop words), the
character within it and its replacement among the six most frequent single-character words of
jieba's dictionary with that spelling (frequency above 2,000), all from a fixed seed. The answers
are the original questions'. Only dev questions are used: the held-out sets stay unseen.
"""

from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
EVAL = ROOT / "src" / "zhengwu" / "catalog" / "data" / "search" / "eval"
SOURCES = ["guangan_dev.csv", "guangan_dev2.csv", "guangan_dev3.csv", "guangan_dev4.csv", "guangan_dev5.csv",
           "guangan_dev6.csv"]
SEED = 20261206
MIN_CHAR_FREQ = 2000
CHOICES = 6


def main() -> int:
    os.environ.setdefault("ZHENGWU_DATA_DIR", tempfile.mkdtemp(prefix="zw-typo-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    import django

    django.setup()
    from pypinyin import lazy_pinyin

    from zhengwu.catalog.search.analysis import analyzer, is_cjk

    an = analyzer()
    by_sound: dict[str, list[tuple[int, str]]] = {}
    for word, freq in an.tokenizer.FREQ.items():
        if len(word) == 1 and is_cjk(word) and freq > MIN_CHAR_FREQ:
            by_sound.setdefault(lazy_pinyin(word)[0], []).append((freq, word))
    for chars in by_sound.values():
        chars.sort(reverse=True)
    rnd = random.Random(SEED)
    rows = []
    for name in SOURCES:
        with open(EVAL / name, encoding="utf-8", newline="") as f:
            for question, *answers in list(csv.reader(f))[1:]:
                words = [t for t in an.cut(question) if len(t) >= 2 and is_cjk(t) and t not in an.stopwords]
                if not words:
                    continue
                word = rnd.choice(words)
                i = rnd.randrange(len(word))
                alike = [c for _, c in by_sound.get(lazy_pinyin(word[i])[0], []) if c != word[i]][:CHOICES]
                if not alike:
                    continue
                at = question.find(word) + i
                rows.append([question[:at] + rnd.choice(alike) + question[at + 1:], *answers])
    out = EVAL / "guangan_devtypo.csv"
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["问题", "事项"])
        writer.writerows(rows)
    print(f"{len(rows)} questions → {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
