"""Registration reads the Classifier codes of the edition in force on the date of receipt."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from vikno.appeals.tests.factories import applicant_data, footprint, register
from vikno.core import clock
from vikno.core.errors import ApplicationError
from vikno.directory.models import Axis, ClassifierVersion
from vikno.directory.tests.factories import ClassifierItemFactory, ClassifierVersionFactory


def test_the_category_comes_from_the_edition_in_force(book, operator):
    # given the test edition ends yesterday and a new one, renaming 7.1, starts today
    today = clock.today()
    ClassifierVersion.objects.filter(code="test-edition").update(valid_to=today)
    new = ClassifierVersionFactory(code="new-edition", valid_from=today)
    ClassifierItemFactory(version=new, axis=Axis.CATEGORY, code="7.1", name="учасник війни (нова)",
                          is_privileged=True)

    # when
    appeal = register(actor=operator, applicant=applicant_data(category_code="7.1"))

    # then
    assert appeal.applicant.category.version == new
    assert appeal.applicant.category.name == "учасник війни (нова)"


def test_no_edition_in_force_refuses_and_writes_nothing(book, operator):
    # given the only edition starts tomorrow
    ClassifierVersion.objects.update(valid_from=clock.today() + dt.timedelta(days=1))
    before = footprint()

    # when
    with translation.override("uk"), pytest.raises(ApplicationError) as refused:
        register(actor=operator, applicant=applicant_data(category_code="7.1"))

    # then
    assert refused.value.code == "unknown_classifier_edition"
    assert "Класифікатора" in refused.value.message
    assert footprint() == before


def test_an_appeal_received_before_a_new_edition_is_coded_by_the_old_one(book, operator):
    # given the test edition ends today and a new one, renaming 7.1, starts today
    today = clock.today()
    old = ClassifierVersion.objects.get(code="test-edition")
    ClassifierVersion.objects.filter(pk=old.pk).update(valid_to=today)
    new = ClassifierVersionFactory(code="new-edition", valid_from=today)
    ClassifierItemFactory(version=new, axis=Axis.CATEGORY, code="7.1", name="учасник війни (нова)",
                          is_privileged=True)

    # when a letter received last week is registered today
    received = clock.now() - dt.timedelta(days=7)
    appeal = register(actor=operator, received_at=received,
                      applicant=applicant_data(category_code="7.1"))

    # then its author's category is read in the edition in force on the date of receipt
    assert appeal.applicant.category.version == old
