"""manage.py seed_demo: demo appeals through the real services, on the real reference data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from vikno.appeals.management import demo_sources
from vikno.appeals.models import Appeal, Applicant
from vikno.audit.models import AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.core import clock

BASE = Path(settings.BASE_DIR)
REFERENCE = BASE / "data" / "reference"


@pytest.fixture
def reference(db):
    if not REFERENCE.is_dir() or "load_reference" not in get_commands():
        pytest.skip("needs the reference files in data/reference and `manage.py load_reference`")
    call_command("load_reference", stdout=io.StringIO())


def _seed(**options) -> str:
    out = io.StringIO()
    options.setdefault("history", 0)  # the service-driven part; the bulk part: test_bulk_generate
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_creates_a_realistic_mix_through_the_services(reference):
    # when
    output = _seed(count=50, seed=1551)

    # then fifty appeals, none refused, in several statuses, received over the last 120 days
    assert Appeal.objects.count() == 50
    assert "skipped" not in output
    statuses = set(Appeal.objects.values_list("status", flat=True))
    assert len(statuses) >= 4
    assert "closed" in statuses
    today = clock.today()
    received = [clock.local_date(d) for d in Appeal.objects.values_list("received_at", flat=True)]
    assert all(today - dt.timedelta(days=119) <= day <= today for day in received)
    # numbers follow the order of receipt
    ordered = list(Appeal.objects.order_by("year", "seq").values_list("received_at", flat=True))
    assert ordered == sorted(ordered)
    # every step went through the services: history, audit trail, an intact chain
    closed = Appeal.objects.filter(status="closed").first()
    assert closed.feedback.exists() and closed.transitions.filter(to_status="closed").exists()
    assert AuditEvent.objects.filter(action="appeal.register").count() == 50
    assert chain_verify().ok
    # the demo accounts are printed
    for username in ("operator", "supervisor", "executor", "analyst"):
        assert username in output


def test_invented_applicants_stay_out_of_the_trail(reference):
    # given
    _seed(count=30, seed=7)

    # when
    dumped = json.dumps(list(AuditEvent.objects.values("object_label", "before", "after")),
                        cls=DjangoJSONEncoder, ensure_ascii=False)

    # then
    for applicant in Applicant.objects.all():
        for value in (applicant.last_name, applicant.phone, applicant.email, applicant.address):
            if value:
                assert value not in dumped


def test_seed_demo_does_nothing_when_appeals_exist_unless_forced(reference):
    # given
    _seed(count=5, seed=1)

    # when run again, then nothing is added but the accounts are shown
    output = _seed(count=5, seed=2)
    assert Appeal.objects.count() == 5
    assert "no demo appeals added" in output
    assert "supervisor" in output

    # when forced, then more are added
    _seed(count=5, seed=3, force=True)
    assert Appeal.objects.count() == 10


def test_seed_demo_needs_the_reference_data(db):
    # given an empty rulebook

    # when / then
    with pytest.raises(CommandError, match="load_reference"):
        _seed(count=5)
    assert Appeal.objects.count() == 0


# --- the sources, without a database -------------------------------------------------------------

def test_the_fallback_texts_are_used_without_the_sample(tmp_path):
    # given a checkout without the 1551 sample
    (tmp_path / "data" / "demo").mkdir(parents=True)
    shutil.copy(BASE / demo_sources.FALLBACK, tmp_path / demo_sources.FALLBACK)

    # when
    rows, source = demo_sources.read_texts(tmp_path)

    # then
    assert source == str(demo_sources.FALLBACK)
    assert len(rows) >= 30
    assert all(r.text and r.subtopic_code for r in rows)


def test_fallback_sub_topics_exist_in_the_reference_files():
    # given
    if not (REFERENCE / "subtopics.csv").exists():
        pytest.skip("needs data/reference/subtopics.csv")
    with (REFERENCE / "subtopics.csv").open(encoding="utf-8") as handle:
        known = {row["code"] for row in csv.DictReader(handle)}

    # when
    rows, _ = demo_sources.read_texts_from(BASE / demo_sources.FALLBACK)

    # then
    assert {r.subtopic_code for r in rows} <= known


def test_dates_are_spread_over_the_window_and_never_in_the_future():
    # given corpus rows from other years, one of them in season
    now = timezone.make_aware(dt.datetime(2026, 11, 28, 9, 0))
    rows = [demo_sources.SourceText("текст", "009.002", dt.datetime(2014, 10, 20, 14, 30), ""),
            demo_sources.SourceText("текст", "009.010", dt.datetime(2015, 3, 1, 8, 0), ""),
            demo_sources.SourceText("текст", "009.010", dt.datetime(2013, 11, 28, 23, 0), ""),
            demo_sources.SourceText("текст", "009.010", None, "")]

    # when
    spread = list(demo_sources.spread_dates(rows, count=40, now=now, rng=random.Random(1)))

    # then
    assert len(spread) == 40
    start = now - dt.timedelta(days=demo_sources.WINDOW_DAYS)
    assert all(start <= when <= now for _, when in spread)
    # October's heating complaint keeps its season and its time of day
    october = [timezone.localtime(w) for r, w in spread[:4] if r.subtopic_code == "009.002"]
    assert timezone.localtime(october[0]).replace(tzinfo=None) == dt.datetime(2026, 10, 20, 14, 30)
