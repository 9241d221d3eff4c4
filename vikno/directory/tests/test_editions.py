"""classifier_edition_for: the one place that chooses the Classifier edition by date."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from vikno.directory.models import ClassifierVersion
from vikno.directory.selectors import ClassifierEditionError, classifier_edition_for, current_version
from vikno.directory.tests.factories import ClassifierVersionFactory

pytestmark = pytest.mark.django_db

D = date.fromisoformat


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
