"""The data migration of reply results: stored values stay, the undefined "cancelled" becomes
"other", and the way back restores what the old list could hold."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from vikno.appeals import services
from vikno.appeals.models import Assignment, Reply, ReplyResult
from vikno.appeals.tests.factories import letter, register

migration = importlib.import_module("vikno.appeals.migrations.0003_reply_results")


@pytest.mark.parametrize(("stored", "after", "back"), [
    ("done", "done", "done"),  # resolved positively keeps its stored value
    ("explained", "explained", "explained"),
    ("not_in_competence", "not_in_competence", "not_in_competence"),
    ("impossible_now", "impossible_now", "impossible_now"),
    ("cancelled", "other", "cancelled"),
])
def test_old_results_map_onto_the_new_list_and_back(book, operator, executor, stored, after, back):
    # given a reply stored with an old value
    appeal = register(actor=operator)
    reply = services.reply_submit(**letter(), actor=executor,
                                  assignment=Assignment.objects.get(question__appeal=appeal),
                                  result=ReplyResult.DONE, text="Виконано.")
    Reply.objects.filter(pk=reply.pk).update(result=stored)

    # when migrated forwards, then backwards
    migration.forwards(apps, None)
    forwards = Reply.objects.get(pk=reply.pk).result
    migration.backwards(apps, None)

    # then
    assert (forwards, Reply.objects.get(pk=reply.pk).result) == (after, back)


@pytest.mark.parametrize("new", ["refused", "forwarded", "returned_to_author", "not_considered"])
def test_new_results_fall_back_to_explained_on_the_way_back(book, operator, executor, new):
    # given
    appeal = register(actor=operator)
    reply = services.reply_submit(**letter(), actor=executor,
                                  assignment=Assignment.objects.get(question__appeal=appeal),
                                  result=ReplyResult.DONE, text="Виконано.")
    Reply.objects.filter(pk=reply.pk).update(result=new)

    # when
    migration.backwards(apps, None)

    # then
    assert Reply.objects.get(pk=reply.pk).result == "explained"
