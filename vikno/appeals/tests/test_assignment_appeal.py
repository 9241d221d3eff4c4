"""Every assignment keeps its question's appeal (Assignment.appeal, what an executor's queue is
read from): whichever way it was created — registration with routing, routing, re-routing of
the appeal or of one question, a repeated appeal, the bulk generator and the demo seed."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import IntegrityError, transaction
from django.db.models import F

from vikno.appeals import services
from vikno.appeals.models import Appeal, Assignment, AssignmentRole, ReplyResult
from vikno.appeals.services import QuestionData, Routing
from vikno.appeals.tests.factories import Rulebook, letter, register
from vikno.core import clock

REFERENCE = Path(settings.BASE_DIR) / "data" / "reference"


def _assert_every_assignment_keeps_its_appeal(*, created_at_least: int) -> None:
    assert Assignment.objects.count() >= created_at_least
    # Not a None against a None: the column is required, but say so.
    assert not Assignment.objects.filter(appeal__isnull=True).exists()
    diverging = Assignment.objects.exclude(appeal_id=F("question__appeal_id"))
    assert list(diverging.values_list("pk", "appeal_id", "question__appeal_id")) == []


def _two_questions(book: Rulebook, operator: Any) -> Appeal:
    return register(actor=operator, questions=[QuestionData("009-HW"), QuestionData("009-RD")],
                    territory_code=book.village.code)


def test_registration_with_routing(book, operator):
    _two_questions(book, operator)
    register(actor=operator)

    _assert_every_assignment_keeps_its_appeal(created_at_least=3)


def test_routing_of_an_appeal_registered_without_it(book, operator, supervisor):
    appeal = register(actor=operator, routing=None)
    register(actor=operator)  # another appeal, so that a wrong appeal would show
    assert not Assignment.objects.filter(question__appeal=appeal).exists()

    services.appeal_assign(actor=supervisor, appeal=appeal,
                           routing=Routing(main_authority_code=book.utility.code,
                                           co_authority_codes=(book.oda.code,)))

    assert Assignment.objects.filter(question__appeal=appeal).count() == 2
    _assert_every_assignment_keeps_its_appeal(created_at_least=3)


def test_rerouting_of_the_appeal_and_of_one_question(book, operator, supervisor):
    appeal = _two_questions(book, operator)
    register(actor=operator)
    services.appeal_assign(actor=supervisor, appeal=appeal,
                           routing=Routing(main_authority_code=book.utility.code))
    second = appeal.questions.order_by("id").last()
    services.appeal_assign(actor=supervisor, appeal=appeal, question_ids=[second.pk],
                           routing=Routing(main_authority_code=book.oda.code))

    # the first routing's assignments were cancelled, new ones created each time
    assert Assignment.objects.filter(question__appeal=appeal).count() >= 5
    _assert_every_assignment_keeps_its_appeal(created_at_least=6)


def test_a_repeated_appeal(book, operator, supervisor, executor):
    # an appeal answered 60 days after its receipt, past the 45-day cap of ст.20
    received = dt.datetime.combine(clock.today() - dt.timedelta(days=60), dt.time(12),
                                   tzinfo=ZoneInfo("Europe/Kyiv"))
    first = register(actor=operator, received_at=received,
                     questions=[QuestionData("009-HW"), QuestionData("009-RD")])
    for assignment in Assignment.objects.filter(question__appeal=first, role=AssignmentRole.MAIN):
        services.reply_submit(**letter(), actor=supervisor, assignment=assignment,
                              result=ReplyResult.DONE, text="Виконано.")
    services.answer_review(actor=supervisor, appeal=first, accept=True)

    # the applicant is not satisfied: a repeated appeal starts, routed to the same executors
    services.feedback_record(actor=operator, appeal=first, confirmed=False, rating=None)

    repeat = first.repeats.get()
    assert Assignment.objects.filter(question__appeal=repeat).count() == 2
    _assert_every_assignment_keeps_its_appeal(created_at_least=4)


def test_the_database_refuses_an_assignment_without_its_appeal(book, operator):
    question = register(actor=operator).questions.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(question=question, authority=book.oda, role=AssignmentRole.CO,
                                  due_date=question.due_date)


@pytest.fixture
def reference(db):
    if not REFERENCE.is_dir() or "load_reference" not in get_commands():
        pytest.skip("needs the reference files in data/reference and `manage.py load_reference`")
    call_command("load_reference", stdout=io.StringIO())


def test_the_bulk_generator(reference):
    call_command("create_demo_accounts", allow_without_debug=True, stdout=io.StringIO())

    call_command("generate_appeals", count=60, seed=5, years=1, stdout=io.StringIO())

    _assert_every_assignment_keeps_its_appeal(created_at_least=30)


def test_the_demo_seed(reference):
    call_command("seed_demo", count=25, seed=1551, history=0, stdout=io.StringIO())

    _assert_every_assignment_keeps_its_appeal(created_at_least=10)
