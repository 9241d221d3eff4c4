"""Per-question control: an appeal with two questions for two executors is two pieces of work.

Extensions, shortenings, revisions ("not resolved") and re-routing apply to the question they
concern; the appeal's control date is the latest of its questions'."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from vikno.appeals import selectors, services
from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import AppealStatus, AssignmentStatus
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Extension,
    Notice,
    Question,
    ReplyResult,
    Transition,
)
from vikno.appeals.models.work import NoticeKind
from vikno.appeals.services import QuestionData, Routing
from vikno.appeals.tests.factories import decider, executor_of, footprint, letter, register
from vikno.core import clock

A = AssignmentStatus
S = AppealStatus


@dataclass
class Two:
    """An appeal of two questions: hot water to the council (with the oblast administration as
    co-executor), road repair to the water utility."""

    appeal: Appeal
    q1: Question
    q2: Question
    council: Any
    utility: Any
    oda: Any

    def fresh(self) -> Two:
        self.appeal.refresh_from_db()
        self.q1.refresh_from_db()
        self.q2.refresh_from_db()
        return self

    def of(self, question: Question, role: str = AssignmentRole.MAIN) -> Any:
        """The question's assignment in force in `role` (None when there is none)."""
        return Assignment.objects.exclude(status__in=[A.CANCELLED, A.RETURNED]).filter(
            question=question, role=role).first()


@pytest.fixture
def two(book, operator, supervisor, executor, other_executor) -> Two:
    appeal = register(actor=operator, questions=[QuestionData("009-HW"), QuestionData("009-RD")])
    q1, q2 = appeal.questions.order_by("id")
    services.appeal_assign(actor=supervisor, appeal=appeal, question_ids=[q1.pk],
                           routing=Routing(main_authority_code=book.council.code,
                                           co_authority_codes=(book.oda.code,)))
    services.appeal_assign(actor=supervisor, appeal=appeal, question_ids=[q2.pk],
                           routing=Routing(main_authority_code=book.utility.code))
    return Two(appeal=appeal, q1=q1, q2=q2, council=executor, utility=other_executor,
               oda=executor_of(book.oda))


def _dates(two: Two) -> dict[str, Any]:
    two.fresh()
    return {"q1": two.q1.due_date, "q2": two.q2.due_date, "appeal": two.appeal.due_date,
            "q1_main": two.of(two.q1).due_date,
            "q1_co": getattr(two.of(two.q1, AssignmentRole.CO), "due_date", None),
            "q2_main": two.of(two.q2).due_date}


def _answer_all(two: Two) -> None:
    for question, user, role in ((two.q1, two.council, AssignmentRole.MAIN),
                                 (two.q1, two.oda, AssignmentRole.CO),
                                 (two.q2, two.utility, AssignmentRole.MAIN)):
        services.reply_submit(**letter(), actor=user, assignment=two.of(question, role),
                              result=ReplyResult.EXPLAINED, text="Роз'яснено")


def _statuses(two: Two) -> dict[str, str]:
    two.fresh()
    return {"appeal": two.appeal.status, "q1_main": two.of(two.q1).status,
            "q1_co": getattr(two.of(two.q1, AssignmentRole.CO), "status", None),
            "q2_main": two.of(two.q2).status}


def test_the_two_questions_start_with_the_appeals_date(two):
    d = _dates(two)
    assert d["q1"] == d["q2"] == d["appeal"] == d["q1_main"] == d["q1_co"] == d["q2_main"]
    assert d["appeal"] is not None


# -- Term changes: which question moves, and the appeal follows the latest. -------------------

TERM_CASES = [
    # (change, which, days from the start date, moved questions)
    pytest.param("extend", "q1", 5, {"q1"}, id="extend-Q1"),
    pytest.param("extend", "q2", 7, {"q2"}, id="extend-Q2"),
    pytest.param("extend", "all", 10, {"q1", "q2"}, id="extend-all"),
    pytest.param("request", "q2", 4, {"q2"}, id="executor-request-Q2"),
    pytest.param("shorten", "q1", -3, {"q1"}, id="shorten-Q1"),
    pytest.param("shorten", "q2", -2, {"q2"}, id="shorten-Q2"),
    pytest.param("shorten", "all", -4, {"q1", "q2"}, id="shorten-all"),
]


@pytest.mark.parametrize(("change", "which", "days", "moved"), TERM_CASES)
def test_a_term_change_moves_only_its_questions_dates(two, supervisor, change, which, days, moved):
    # given both questions' assignments already reminded and escalated
    start = _dates(two)["appeal"]
    Assignment.objects.filter(question__appeal=two.appeal).update(reminded_at=clock.now(),
                                                                   escalated_at=clock.now())
    new_due = start + dt.timedelta(days=days)
    question = {"q1": two.q1, "q2": two.q2, "all": None}[which]

    # when
    if change == "extend":
        extension = services.appeal_extend(actor=supervisor, appeal=two.appeal, new_due=new_due,
                                           reason="Обстеження", decider=decider(),
                                           question=question)
    elif change == "request":
        extension = services.extension_request(actor=two.utility, assignment=two.of(two.q2),
                                               new_due=new_due, reason="Обстеження")
        services.extension_decide(actor=supervisor, extension=extension, approve=True,
                                  decider=decider())
    else:
        services.appeal_shorten(actor=supervisor, appeal=two.appeal, new_due=new_due,
                                reason="Заява заявника", question=question)

    # then only the moved questions and their assignments have the new date
    d = _dates(two)
    expected = {name: new_due if name in moved else start for name in ("q1", "q2")}
    assert (d["q1"], d["q2"]) == (expected["q1"], expected["q2"])
    assert d["q1_main"] == d["q1_co"] == expected["q1"]
    assert d["q2_main"] == expected["q2"]
    # the appeal's date is the latest of its questions'
    assert d["appeal"] == max(expected.values())
    # reminders and escalations start over for the moved questions only
    for name, q in (("q1", two.q1), ("q2", two.q2)):
        marks = set(Assignment.objects.filter(question=q).exclude(status=A.CANCELLED)
                    .values_list("reminded_at", "escalated_at"))
        assert (marks == {(None, None)}) == (name in moved)
    # the extension row records its question (none: every question)
    if change in ("extend", "request"):
        extension.refresh_from_db()
        assert extension.question_id == (question.pk if question else None)


@pytest.mark.parametrize(("which", "named"), [("q1", "Відсутність ГВП"), ("q2", "Ремонт дороги"),
                                              ("all", None)])
def test_the_applicant_is_told_which_questions_term_was_extended(two, supervisor, which, named):
    question = {"q1": two.q1, "q2": two.q2, "all": None}[which]
    new_due = two.appeal.due_date + dt.timedelta(days=5)

    services.appeal_extend(actor=supervisor, appeal=two.appeal, new_due=new_due,
                           reason="Обстеження", decider=decider(), question=question)

    notice = Notice.objects.get(appeal=two.appeal, kind=NoticeKind.EXTENDED)
    assert notice.params.get("question") == named
    if named:
        assert f"Питання: {named}." in notice.text
    else:
        assert "Питання:" not in notice.text
    history = Transition.objects.get(appeal=two.appeal, action="extended")
    assert history.params.get("question") == named


def test_the_45_day_cap_and_the_later_rule_apply_to_the_questions_own_date(two, supervisor):
    # given Q2 extended by 10 days
    start = two.appeal.due_date
    services.appeal_extend(actor=supervisor, appeal=two.appeal, new_due=start + dt.timedelta(days=10),
                           reason="Обстеження", decider=decider(), question=two.q2)
    before = footprint()

    # when Q2 is "extended" to a date before its own (but after Q1's), then it is refused
    with pytest.raises(AppealsError) as caught:
        services.appeal_extend(actor=supervisor, appeal=two.appeal,
                               new_due=start + dt.timedelta(days=5), reason="Обстеження",
                               decider=decider(), question=two.q2)
    assert caught.value.code == "extension_not_later"
    # and past 45 days from the appeal's receipt, for either question
    cap = two.appeal.max_due_date
    for question in (two.q1, two.q2):
        with pytest.raises(AppealsError) as caught:
            services.appeal_extend(actor=supervisor, appeal=two.appeal,
                                   new_due=cap + dt.timedelta(days=1), reason="Обстеження",
                                   decider=decider(), question=question)
        assert caught.value.code == "extension_beyond_limit"
    assert footprint() == before

    # but Q1 may be extended to that same date: its own date is still the first one
    services.appeal_extend(actor=supervisor, appeal=two.appeal, new_due=start + dt.timedelta(days=5),
                           reason="Обстеження", decider=decider(), question=two.q1)
    d = _dates(two)
    assert (d["q1"], d["q2"], d["appeal"]) == (start + dt.timedelta(days=5),
                                               start + dt.timedelta(days=10),
                                               start + dt.timedelta(days=10))


def test_a_question_of_another_appeal_is_refused_and_changes_nothing(two, book, operator,
                                                                     supervisor):
    other = register(actor=operator)
    before = footprint()
    with pytest.raises(AppealsError) as caught:
        services.appeal_extend(actor=supervisor, appeal=two.appeal,
                               new_due=two.appeal.due_date + dt.timedelta(days=3),
                               reason="Обстеження", decider=decider(),
                               question=other.questions.get())
    assert caught.value.code == "invalid_value"
    assert footprint() == before


def test_an_old_appeal_wide_request_moves_every_question(two, supervisor):
    # given a request written before per-question control (no question)
    start = two.appeal.due_date
    extension = services.extension_request(actor=two.council, assignment=two.of(two.q1),
                                           new_due=start + dt.timedelta(days=6), reason="Обстеження")
    Extension.objects.filter(pk=extension.pk).update(question=None)

    services.extension_decide(actor=supervisor, extension=extension, approve=True,
                              decider=decider())

    d = _dates(two)
    assert d["q1"] == d["q2"] == d["appeal"] == start + dt.timedelta(days=6)


# -- Deadline control and overdue: each question by its own date. -----------------------------

def test_an_extended_question_is_not_overdue_while_the_other_is(two, supervisor):
    # given Q1 extended by 10 days; Q2 keeps the first date
    start = two.appeal.due_date
    services.appeal_extend(actor=supervisor, appeal=two.appeal, new_due=start + dt.timedelta(days=10),
                           reason="Обстеження", decider=decider(), question=two.q1)
    today = start + dt.timedelta(days=1)

    # when the deadline control runs the day after the first date
    report = services.deadline_control(today=today)

    # then only Q2's executor is escalated; Q1's assignments are not
    assert report.escalated == 1
    assert two.of(two.q2).escalated_at is not None
    assert two.of(two.q1).escalated_at is None
    assert two.of(two.q1, AssignmentRole.CO).escalated_at is None
    # the appeal is overdue (Q2 is), though its own date (the latest) is not past
    assert two.fresh().appeal.due_date > today
    assert list(selectors.appeals_overdue(today=today)) == [two.appeal]
    # once Q2 is answered the appeal is no longer overdue: Q1 still has time
    services.reply_submit(**letter(), actor=two.utility, assignment=two.of(two.q2),
                          result=ReplyResult.EXPLAINED, text="Роз'яснено")
    assert list(selectors.appeals_overdue(today=today)) == []
    assert list(selectors.appeals_overdue(today=start + dt.timedelta(days=11))) == [two.appeal]


# -- Revision per question. --------------------------------------------------------------------

def _to_answered(two: Two, supervisor: Any, operator: Any) -> None:
    _answer_all(two)


def _to_awaiting(two: Two, supervisor: Any, operator: Any) -> None:
    _answer_all(two)
    services.answer_review(actor=supervisor, appeal=two.appeal, accept=True)


def _to_closed(two: Two, supervisor: Any, operator: Any) -> None:
    _to_awaiting(two, supervisor, operator)
    services.feedback_record(actor=operator, appeal=two.appeal, confirmed=True, rating=5)


def _reject(two: Two, question: Question | None, supervisor: Any, operator: Any) -> None:
    services.answer_review(actor=supervisor, appeal=two.appeal, accept=False, note="Неповно",
                           questions=None if question is None else [question])


def _not_confirmed(two: Two, question: Question | None, supervisor: Any, operator: Any) -> None:
    services.feedback_record(actor=operator, appeal=two.appeal, confirmed=False, rating=None,
                             questions=None if question is None else [question])


def _poor_rating(two: Two, question: Question | None, supervisor: Any, operator: Any) -> None:
    services.feedback_record(actor=operator, appeal=two.appeal, confirmed=True, rating=1,
                             questions=None if question is None else [question])


def _reopen(two: Two, question: Question | None, supervisor: Any, operator: Any) -> None:
    services.appeal_reopen(actor=supervisor, appeal=two.appeal, note="Не виконано",
                           questions=None if question is None else [question])


REVISION_CASES = [
    # (set-up, action, question sent back, expected statuses: appeal, Q1 main, Q1 co, Q2 main)
    pytest.param(_to_answered, _reject, "q1", (S.RETURNED_FOR_REVISION, A.FOR_REVISION,
                                               A.FOR_REVISION, A.ANSWERED), id="reject-Q1"),
    pytest.param(_to_answered, _reject, "q2", (S.RETURNED_FOR_REVISION, A.ANSWERED, A.ANSWERED,
                                               A.FOR_REVISION), id="reject-Q2"),
    pytest.param(_to_answered, _reject, None, (S.RETURNED_FOR_REVISION, A.FOR_REVISION,
                                               A.FOR_REVISION, A.FOR_REVISION), id="reject-all"),
    pytest.param(_to_awaiting, _not_confirmed, "q2", (S.RETURNED_FOR_REVISION, A.ANSWERED,
                                                      A.ANSWERED, A.FOR_REVISION),
                 id="not-confirmed-Q2"),
    pytest.param(_to_awaiting, _poor_rating, "q1", (S.RETURNED_FOR_REVISION, A.FOR_REVISION,
                                                    A.FOR_REVISION, A.ANSWERED),
                 id="poor-rating-Q1"),
    pytest.param(_to_awaiting, _not_confirmed, None, (S.RETURNED_FOR_REVISION, A.FOR_REVISION,
                                                      A.FOR_REVISION, A.FOR_REVISION),
                 id="not-confirmed-all"),
    pytest.param(_to_closed, _reopen, "q1", (S.RETURNED_FOR_REVISION, A.FOR_REVISION,
                                             A.FOR_REVISION, A.CLOSED), id="reopen-Q1"),
    pytest.param(_to_closed, _reopen, "q2", (S.RETURNED_FOR_REVISION, A.CLOSED, A.CLOSED,
                                             A.FOR_REVISION), id="reopen-Q2"),
    pytest.param(_to_closed, _reopen, None, (S.RETURNED_FOR_REVISION, A.FOR_REVISION,
                                             A.FOR_REVISION, A.FOR_REVISION), id="reopen-all"),
]


@pytest.mark.parametrize(("setup", "action", "which", "expected"), REVISION_CASES)
def test_a_revision_sends_back_only_the_question_it_names(two, supervisor, operator, setup,
                                                          action, which, expected):
    # given the appeal at the point where the action applies
    setup(two, supervisor, operator)
    start = _dates(two)
    question = {"q1": two.q1, "q2": two.q2, None: None}[which]

    # when the question (or, with none named, every answered question) is sent back
    action(two, question, supervisor, operator)

    # then only that question's main and co assignments are for revision
    s = _statuses(two)
    assert (s["appeal"], s["q1_main"], s["q1_co"], s["q2_main"]) == expected
    # and the control dates are the questions' own, unchanged
    assert _dates(two) == start
    # and the appeal's nearest owed date (what the queue's overdue reads) is the question's
    # sent back again, as the questions and their answers say
    fresh = Appeal.objects.annotate(owed=selectors.next_due_subquery()).get(pk=two.appeal.pk)
    assert fresh.next_due == fresh.owed
    assert fresh.next_due is not None
    # the history names the question sent back when it is not every question
    line = Transition.objects.filter(appeal=two.appeal, to_status=S.RETURNED_FOR_REVISION).last()
    assert line.params.get("questions") == ([question.subtopic.name] if question else None)
    if question is not None:
        assert f"Питання: {question.subtopic.name}." in line.note


@pytest.mark.parametrize(("setup", "action", "which"), [
    pytest.param(_to_answered, _reject, "q1", id="reject-Q1"),
    pytest.param(_to_awaiting, _not_confirmed, "q2", id="not-confirmed-Q2"),
    pytest.param(_to_closed, _reopen, "q1", id="reopen-Q1"),
])
def test_the_revised_question_answered_again_makes_the_appeal_answered_again(
        two, supervisor, operator, setup, action, which):
    setup(two, supervisor, operator)
    question = {"q1": two.q1, "q2": two.q2}[which]
    other = two.q2 if question == two.q1 else two.q1
    other_status = two.of(other).status
    action(two, question, supervisor, operator)
    user = two.council if question == two.q1 else two.utility

    # when the question's main executor answers again
    services.reply_submit(**letter(), actor=user, assignment=two.of(question),
                          result=ReplyResult.DONE, text="Виконано")

    # then the appeal is answered again (the other question kept its answer all along)
    assert _statuses(two)["appeal"] == S.ANSWERED
    assert two.of(other).status == other_status
    # and the centre passes the whole answer on: both questions' answers, then closes it
    services.answer_review(actor=supervisor, appeal=two.appeal, accept=True)
    notice = Notice.objects.filter(appeal=two.appeal, kind=NoticeKind.ANSWERED).first()
    assert len(notice.params["answers"]) == 2
    services.feedback_record(actor=operator, appeal=two.appeal, confirmed=True, rating=5)
    s = _statuses(two)
    assert s["appeal"] == S.CLOSED
    assert {s["q1_main"], s["q2_main"]} == {A.CLOSED}


@pytest.mark.parametrize("action", [_reject, _not_confirmed, _reopen])
def test_naming_a_question_without_an_answer_is_refused_and_changes_nothing(
        two, supervisor, operator, action):
    # given Q1 answered, Q2 not; the appeal brought to where the action applies by hand
    services.reply_submit(**letter(), actor=two.council, assignment=two.of(two.q1),
                          result=ReplyResult.EXPLAINED, text="Роз'яснено")
    status = {_reject: S.ANSWERED, _not_confirmed: S.AWAITING_CONFIRMATION,
              _reopen: S.ANSWERED}[action]
    Appeal.objects.filter(pk=two.appeal.pk).update(status=status)
    if action is _reopen:
        Appeal.objects.filter(pk=two.appeal.pk).update(status=S.CLOSED)
    before = footprint()

    with pytest.raises(AppealsError) as caught:
        action(two, two.q2, supervisor, operator)

    assert caught.value.code == "invalid_value"
    assert caught.value.field == "questions"
    assert footprint() == before


# -- Re-routing one question leaves the other as it was. ---------------------------------------

def test_re_routing_one_question_leaves_the_others_date_and_assignments(two, book, supervisor):
    # given Q2 extended by 8 days, Q1 in work
    start = two.appeal.due_date
    services.assignment_accept(actor=two.council, assignment=two.of(two.q1))
    services.appeal_extend(actor=supervisor, appeal=two.appeal, new_due=start + dt.timedelta(days=8),
                           reason="Обстеження", decider=decider(), question=two.q2)
    q2_rows = list(Assignment.objects.filter(question=two.q2).order_by("id")
                   .values_list("pk", "authority_id", "role", "status", "due_date", "updated_at"))

    # when Q1 is re-routed to the oblast administration
    services.appeal_assign(actor=supervisor, appeal=two.appeal, question_ids=[two.q1.pk],
                           routing=Routing(main_authority_code=book.oda.code))

    # then Q2's date and assignments are exactly as they were
    d = _dates(two)
    assert d["q2"] == d["q2_main"] == start + dt.timedelta(days=8)
    assert list(Assignment.objects.filter(question=two.q2).order_by("id")
                .values_list("pk", "authority_id", "role", "status", "due_date", "updated_at")) \
        == q2_rows
    # Q1's new executor gets Q1's own date; the appeal keeps the latest
    new_main = two.of(two.q1)
    assert new_main.authority_id == book.oda.pk
    assert new_main.due_date == d["q1"] == start
    assert d["appeal"] == start + dt.timedelta(days=8)


def test_the_data_migration_gives_a_request_its_assignments_question(two, supervisor):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("vikno.appeals.migrations.0019_extension_question")
    # given an executor's request and an appeal-wide extension, both stored without a question
    start = two.appeal.due_date
    request = services.extension_request(actor=two.utility, assignment=two.of(two.q2),
                                         new_due=start + dt.timedelta(days=3), reason="Обстеження")
    wide = services.appeal_extend(actor=supervisor, appeal=two.appeal,
                                  new_due=start + dt.timedelta(days=4), reason="Обстеження",
                                  decider=decider())
    Extension.objects.update(question=None)

    # when migrated
    migration.fill_question(apps, None)

    # then the request concerns its assignment's question; the appeal-wide row every question
    assert Extension.objects.get(pk=request.pk).question_id == two.q2.pk
    assert Extension.objects.get(pk=wide.pk).question_id is None
