"""Consistency of the shipped files that the loader does not read: the Kyiv topic map and the
demo sample."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

DATA = Path(settings.BASE_DIR) / "data"
CORPUS = Path(settings.BASE_DIR).parent / "shared" / "data" / "kyiv1551" / "appeals.csv.gz"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def read_csv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def leaves() -> set[str]:
    rows = read_csv(DATA / "reference" / "subtopics.csv")
    groups = {r["parent_code"] for r in rows if r["parent_code"]}
    return {r["code"] for r in rows} - groups


def test_kyiv_topic_map_points_at_leaves_once_per_topic(leaves):
    rows = read_csv(DATA / "reference" / "kyiv1551_topic_map.csv")

    assert len(rows) >= 150
    assert {r["subtopic_code"] for r in rows} <= leaves
    assert len({r["kyiv_topic"] for r in rows}) == len(rows)


def test_demo_sample_is_small_clean_and_mapped(leaves):
    rows = read_csv(DATA / "demo" / "kyiv1551_sample.csv.gz")

    assert 0 < len(rows) <= 3000
    assert list(rows[0]) == ["legacy_id", "received", "topic", "subtopic_code", "status", "lang",
                             "text"]
    assert {r["subtopic_code"] for r in rows} <= leaves
    assert not [r["legacy_id"] for r in rows if CONTROL.search(r["text"]) or not r["text"]]
    langs = Counter(r["lang"] for r in rows)
    assert set(langs) == {"uk", "ru"}
    assert 0.2 <= langs["ru"] / len(rows) <= 0.3
    assert len({r["legacy_id"] for r in rows}) == len(rows)


@pytest.mark.corpus
def test_demo_sample_is_reproducible_from_the_corpus(tmp_path):
    if not CORPUS.is_file():
        pytest.skip(f"needs the 1551.gov.ua corpus at {CORPUS}")
    spec = importlib.util.spec_from_file_location("make_sample", DATA / "demo" / "make_sample.py")
    assert spec and spec.loader
    make_sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_sample)
    out = tmp_path / "sample.csv.gz"

    make_sample.main([str(CORPUS), "--out", str(out)])

    assert out.read_bytes() == (DATA / "demo" / "kyiv1551_sample.csv.gz").read_bytes()
