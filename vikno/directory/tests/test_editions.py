"""classifier_edition_for: the one place that chooses the Classifier edition by date."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from vikno.directory.loaders import load_reference
from vikno.directory.models import ClassifierVersion
from vikno.directory.selectors import ClassifierEditionError, classifier_edition_for, current_version
from vikno.directory.tests.factories import ClassifierVersionFactory

pytestmark = pytest.mark.django_db

D = date.fromisoformat
REFERENCE_DIR = Path(settings.BASE_DIR) / "data" / "reference"


@pytest.fixture
def editions():
    ClassifierVersionFactory(code="858-2008", valid_from=D("2008-09-24"), valid_to=D("2024-05-10"))
    ClassifierVersionFactory(code="858-2024", valid_from=D("2024-05-10"), valid_to=None)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2008-09-24", "858-2008"),  # the first day of the first edition
        ("2024-05-09", "858-2008"),  # the last day before the next one
        ("2024-05-10", "858-2024"),  # valid_to is the first day the edition no longer applies
        ("2099-12-31", "858-2024"),  # an open-ended edition
    ],
)
def test_the_edition_in_force_on_the_date_of_receipt(editions, day, expected):
    assert classifier_edition_for(D(day)).code == expected


@pytest.mark.parametrize(
    ("day", "code"),
    [
        ("2008-09-23", None),  # before the first edition
        ("2025-01-01", "858-1999"),  # an edition that does not exist
        ("2025-01-01", "858-2008"),  # an edition no longer in force on that date
    ],
)
def test_an_unknown_edition_is_refused_in_ukrainian(editions, day, code):
    # given the editions / when
    with translation.override("uk"), pytest.raises(ClassifierEditionError) as refused:
        classifier_edition_for(D(day), code=code)

    # then
    assert refused.value.code == "unknown_classifier_edition"
    assert "Класифікатора" in refused.value.message
    assert ClassifierVersion.objects.count() == 2


def test_an_edition_named_and_in_force_is_returned(editions):
    assert classifier_edition_for(D("2010-01-01"), code="858-2008").code == "858-2008"


def test_lists_and_forms_get_none_where_no_edition_applies(editions):
    assert current_version(on=D("2000-01-01")) is None
    assert current_version(on=D("2024-05-10")).code == "858-2024"


def test_a_new_edition_is_loaded_with_its_dates_and_chosen_by_date(tmp_path):
    # given a copy of the files where edition 858-2024 ends on 01.01.2030 and 858-2030 follows,
    # renaming 7.19
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, reference, ignore=shutil.ignore_patterns("*.geojson"))
    versions = reference / "classifier_versions.csv"
    rows = list(csv.DictReader(versions.open(encoding="utf-8")))
    rows[0]["valid_to"] = "2030-01-01"
    rows.append({**rows[0], "code": "858-2030", "valid_from": "2030-01-01", "valid_to": ""})
    write(versions, rows)
    items = reference / "classifier_part1.csv"
    rows = list(csv.DictReader(items.open(encoding="utf-8")))
    renamed = {"7.19": "інші категорії (нова редакція)"}
    rows += [{**r, "version": "858-2030", "name": renamed.get(r["code"], r["name"])} for r in rows]
    write(items, rows)

    # when
    load_reference(directory=reference)

    # then
    def other_category(day):
        edition = classifier_edition_for(D(day))
        return edition.code, edition.items.get(code="7.19").name

    assert other_category("2029-12-31") == ("858-2024", "інші категорії")
    assert other_category("2030-01-01") == ("858-2030", "інші категорії (нова редакція)")
    assert not load_reference(directory=reference).changed


def write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
