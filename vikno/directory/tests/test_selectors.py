"""Reads of the rulebook over the real reference files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from vikno.directory.loaders import load_reference
from vikno.directory.selectors import current_version
from vikno.directory.tests.factories import ClassifierVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return load_reference(directory=Path(settings.BASE_DIR) / "data" / "reference")


def test_the_classifier_edition_in_force(loaded):
    # given a later edition that starts in the future
    ClassifierVersionFactory(code="future", valid_from=date(2999, 1, 1))

    # when / then
    assert current_version().code == "858-2024"
    assert current_version(on=date(2999, 1, 2)).code == "future"
    assert current_version(on=date(2000, 1, 1)) is None
