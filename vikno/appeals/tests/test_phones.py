"""One form of a phone number (E.164 digits, Ukraine by default) at every entry point."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from vikno.appeals import selectors
from vikno.appeals.models import Applicant
from vikno.appeals.models.applicants import phone_normalise
from vikno.appeals.tests.factories import applicant_data

migration = importlib.import_module("vikno.appeals.migrations.0017_phone_digits_e164")


@pytest.mark.parametrize(("spelled", "stored"), [
    ("+38 (066) 111-22-33", "380661112233"),
    ("+380661112233", "380661112233"),
    ("0661112233", "380661112233"),
    ("066 111 22 33", "380661112233"),
    ("(066) 111-22-33", "380661112233"),
    ("8 066 111 22 33", "380661112233"),
    ("80661112233", "380661112233"),
    ("380661112233", "380661112233"),
    ("38 066 111-22-33", "380661112233"),
    ("+48 601 234 567", "48601234567"),
    ("111-22", "11122"),  # part of a number: the digits typed
    ("немає", ""),
    ("", ""),
])
def test_every_spelling_of_a_number_has_one_form(spelled: str, stored: str) -> None:
    assert phone_normalise(spelled) == stored


@pytest.mark.parametrize(("typed", "found"), [
    ("+38 (066) 111-22-33", True),
    ("0661112233", True),
    ("8 066 111 22 33", True),
    ("38066-111-22-33", True),
    ("111-22-33", True),  # the digits typed so far
    ("+48 601 234 567", False),
    ("0671112233", False),
])
@pytest.mark.django_db
def test_the_lookup_finds_the_applicant_by_any_spelling(
        registered_with_phone: Any, typed: str, found: bool) -> None:
    # given an applicant whose number was taken down as «066 111 22 33»; when the lookup runs
    matches = list(selectors.applicant_match(typed))

    # then
    assert (registered_with_phone in matches) is found


@pytest.fixture
def registered_with_phone(db: Any) -> Any:
    data = applicant_data(phone="066 111 22 33")
    return Applicant.objects.create(last_name=data.last_name, first_name=data.first_name,
                                    phone=data.phone, phone_digits=phone_normalise(data.phone))


@pytest.mark.parametrize(("phone", "stored_before", "after"), [
    ("0048 601 234 567", "0048601234567", "48601234567"),
    ("+38 (066) 111-22-33", "380661112233", "380661112233"),
])
def test_the_data_migration_renormalises_stored_phones(
        registered_with_phone: Any, phone: str, stored_before: str, after: str) -> None:
    # given a phone stored in the old form
    Applicant.objects.filter(pk=registered_with_phone.pk).update(phone=phone,
                                                               phone_digits=stored_before)

    # when the data migration runs
    migration.renormalise(apps, None)

    # then it is stored in the one form
    assert Applicant.objects.get(pk=registered_with_phone.pk).phone_digits == after
