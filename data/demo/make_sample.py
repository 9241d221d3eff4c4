"""Draw the demo sample kyiv1551_sample.csv.gz from the 1551.gov.ua corpus.

    python data/demo/make_sample.py ../shared/data/kyiv1551/appeals.csv.gz

Deterministic (seed 1551): the same corpus gives a byte-identical file. Only appeals whose
topic maps to one of our sub-topics (data/reference/kyiv1551_topic_map.csv) are drawn, about
three in four in Ukrainian and one in four in Russian, with at most CAP appeals per sub-topic so
that the frequent topics ("no hot water") do not crowd out the rest. Control characters that a
database cannot or should not store (NUL and the like) are removed from the texts; line breaks
and tabs are kept.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import random
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 1551
TOTAL = 3000
SHARE = {"uk": 0.75, "ru": 0.25}
CAP = {"uk": 40, "ru": 15}
COLUMNS = ["legacy_id", "received", "topic", "subtopic_code", "status", "lang", "text"]
# C0 and C1 control characters except tab and line feed; carriage returns become line feeds.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", text).strip()


def read_map(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["kyiv_topic"]: row["subtopic_code"] for row in csv.DictReader(handle)}


def draw(corpus: Path, topic_map: dict[str, str]) -> list[dict[str, str]]:
    # The corpus has NULs inside fields; the csv module reads them, the cleaner drops them.
    with gzip.open(corpus, "rt", encoding="utf-8", newline="") as handle:
        pool = {lang: [] for lang in SHARE}  # type: dict[str, list[dict[str, str]]]
        for row in csv.DictReader(handle):
            lang = row["lang"]
            if lang in pool and row["topic"] in topic_map:
                text = clean_text(row["text"])
                if text:
                    pool[lang].append({
                        "legacy_id": row["id"],
                        "received": row["received"],
                        "topic": row["topic"],
                        "subtopic_code": topic_map[row["topic"]],
                        "status": row["status"],
                        "lang": lang,
                        "text": text,
                    })
    rng = random.Random(SEED)
    chosen: list[dict[str, str]] = []
    for lang, share in SHARE.items():
        rows = sorted(pool[lang], key=lambda r: r["legacy_id"])
        rng.shuffle(rows)
        per_subtopic: Counter[str] = Counter()
        target = round(TOTAL * share)
        taken = 0
        for row in rows:
            if taken == target:
                break
            if per_subtopic[row["subtopic_code"]] < CAP[lang]:
                per_subtopic[row["subtopic_code"]] += 1
                chosen.append(row)
                taken += 1
    return sorted(chosen, key=lambda r: (r["received"], r["legacy_id"]))


def write(rows: list[dict[str, str]], out: Path) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    # mtime=0 and no file name in the header: the same rows give the same bytes.
    with out.open("wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9
    ) as packed:
        packed.write(buffer.getvalue().encode("utf-8"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="path to kyiv1551/appeals.csv.gz")
    parser.add_argument(
        "--map", type=Path, default=HERE.parent / "reference" / "kyiv1551_topic_map.csv"
    )
    parser.add_argument("--out", type=Path, default=HERE / "kyiv1551_sample.csv.gz")
    args = parser.parse_args(argv)
    rows = draw(args.corpus, read_map(args.map))
    write(rows, args.out)
    langs = Counter(r["lang"] for r in rows)
    print(f"{len(rows)} appeals ({dict(langs)}), "
          f"{len({r['subtopic_code'] for r in rows})} sub-topics -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
