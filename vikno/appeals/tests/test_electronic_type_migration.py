"""The data migration of ADR 9: stored 6.4 becomes 6.2, and the way back restores 6.4 for the
appeals whose channel is electronic, and only for them."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from vikno.appeals.models import Appeal, Channel
from vikno.appeals.tests.factories import register

migration = importlib.import_module("vikno.appeals.migrations.0014_electronic_is_a_letter")


@pytest.mark.parametrize(("channel", "stored", "after", "back"), [
    (Channel.WEB, "6.4", "6.2", "6.4"),
    (Channel.EMAIL, "6.4", "6.2", "6.4"),
    (Channel.POST, "6.2", "6.2", "6.2"),  # a paper letter stays a letter both ways
    (Channel.HOTLINE, "6.3", "6.3", "6.3"),
])
def test_stored_electronic_type_becomes_a_letter_and_back(book, operator, channel, stored, after,
                                                         back):
    # given an appeal stored with the old type
    appeal = register(actor=operator, channel=channel)
    Appeal.objects.filter(pk=appeal.pk).update(appeal_type=stored)

    # when migrated forwards, then backwards
    migration.to_letter(apps, None)
    forwards = Appeal.objects.get(pk=appeal.pk).appeal_type
    migration.back_to_electronic(apps, None)

    # then
    assert (forwards, Appeal.objects.get(pk=appeal.pk).appeal_type) == (after, back)
