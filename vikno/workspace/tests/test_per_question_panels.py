"""Per-question control on the card: the extension, shortening, review, feedback and reopen panels
name the question (only when the appeal has several), and the services get it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse

from vikno.appeals import services
from vikno.appeals.models import Appeal, Assignment, Question
from vikno.appeals.services import QuestionData, Routing
from vikno.appeals.tests.factories import letter
from vikno.core import clock
from vikno.workspace.tests.conftest import World, decider_post


def two_questions(world: World) -> tuple[Appeal, Question, Question]:
    """Hot water to the hromada council, road repair to the raion administration."""
    appeal = world.register(routing=Routing(main_authority_code=world.authority.code),
                            questions=[QuestionData(world.hot_water.code),
                                       QuestionData(world.road.code)])
    q1, q2 = appeal.questions.order_by("id")
    services.appeal_assign(actor=world.users["supervisor"], appeal=appeal, question_ids=[q2.pk],
                           routing=Routing(main_authority_code=world.other_authority.code))
    appeal.refresh_from_db()
    return appeal, q1, q2


def answered(world: World) -> tuple[Appeal, Question, Question]:
    appeal, q1, q2 = two_questions(world)
    for question, role in ((q1, "executor"), (q2, "other_executor")):
        services.reply_submit(**letter(), actor=world.users[role],
                              assignment=question.assignments.get(status="assigned"),
                              result="explained", text="Роз'яснено.")
    appeal.refresh_from_db()
    return appeal, q1, q2


def url(appeal: Appeal, action: str = "") -> str:
    return reverse(f"workspace:appeal_{action}" if action else "workspace:appeal_card",
                   args=[appeal.number])


def statuses(*questions: Question) -> list[str]:
    return [Assignment.objects.filter(question=q, role="main").exclude(status="cancelled")
            .get().status for q in questions]


def test_the_panels_offer_the_questions_only_when_there_are_several(world: World) -> None:
    single = world.register()
    appeal, _q1, _q2 = two_questions(world)
    client = world.client("supervisor")

    one = client.get(url(single)).content.decode()
    several = client.get(url(appeal)).content.decode()

    assert 'id="extend-question"' not in one
    assert 'id="shorten-question"' not in one
    assert 'id="extend-question"' in several and 'id="shorten-question"' in several
    assert "1. Відсутність гарячої води" in several
    assert "2. Ремонт дорожнього покриття" in several


def test_the_supervisor_extends_one_question_from_the_card(world: World) -> None:
    # given an appeal of two questions
    appeal, q1, q2 = two_questions(world)
    start = appeal.due_date
    new_due = start + timedelta(days=5)

    # when the supervisor extends the road question only
    response = world.client("supervisor").post(url(appeal, "extend"), {
        "question": str(q2.pk), "new_due_date": new_due.isoformat(),
        "reason": "Потрібне обстеження.", **decider_post()}, follow=True)

    # then only that question moved, and the card names it under the extensions
    assert response.status_code == 200
    q1.refresh_from_db()
    q2.refresh_from_db()
    appeal.refresh_from_db()
    assert (q1.due_date, q2.due_date, appeal.due_date) == (start, new_due, new_due)
    html = response.content.decode()
    assert "Питання: Ремонт дорожнього покриття" in html


def test_the_supervisor_shortens_every_question_by_default(world: World) -> None:
    appeal, _q1, _q2 = two_questions(world)
    new_due = appeal.due_date - timedelta(days=2)

    world.client("supervisor").post(url(appeal, "shorten"), {
        "question": "", "new_due_date": new_due.isoformat(), "reason": "Заява заявника."})

    assert {q.due_date for q in appeal.questions.all()} == {new_due}


def test_a_question_of_another_appeal_is_refused_and_changes_nothing(world: World) -> None:
    appeal, _q1, _q2 = two_questions(world)
    other = world.register()
    start = appeal.due_date

    response = world.client("supervisor").post(url(appeal, "extend"), {
        "question": str(other.questions.get().pk),
        "new_due_date": (start + timedelta(days=5)).isoformat(),
        "reason": "Потрібне обстеження.", **decider_post()})

    assert response.status_code == 400
    assert {q.due_date for q in appeal.questions.all()} == {start}
    assert appeal.extensions.count() == 0


def test_the_supervisor_sends_back_one_questions_answer(world: World) -> None:
    appeal, q1, q2 = answered(world)

    world.client("supervisor").post(url(appeal, "review"), {
        "decision": "revise", "note": "Неповна відповідь.", "questions": [str(q1.pk)]})

    appeal.refresh_from_db()
    assert appeal.status == "returned_for_revision"
    assert statuses(q1, q2) == ["for_revision", "answered"]


def test_the_applicant_names_the_unresolved_question(world: World) -> None:
    appeal, q1, q2 = answered(world)
    services.answer_review(actor=world.users["supervisor"], appeal=appeal, accept=True)

    world.client("operator").post(url(appeal, "feedback"), {
        "confirmed": "no", "rating": "", "comment": "", "questions": [str(q2.pk)]})

    assert statuses(q1, q2) == ["answered", "for_revision"]


def test_the_supervisor_reopens_one_question(world: World) -> None:
    appeal, q1, q2 = answered(world)
    services.appeal_close(actor=world.users["supervisor"], appeal=appeal, note="Виконано.")

    world.client("supervisor").post(url(appeal, "reopen"), {
        "note": "Заявник повідомив, що воду не подано.", "questions": [str(q1.pk)]})

    appeal.refresh_from_db()
    assert appeal.status == "returned_for_revision"
    assert statuses(q1, q2) == ["for_revision", "closed"]


def test_naming_an_unanswered_question_shows_the_error_and_changes_nothing(
        world: World, message_in: Any) -> None:
    appeal, q1, q2 = two_questions(world)
    services.reply_submit(**letter(), actor=world.users["executor"],
                          assignment=q1.assignments.get(), result="explained", text="Так.")
    Appeal.objects.filter(pk=appeal.pk).update(status="answered")

    response = world.client("supervisor").post(url(appeal, "review"), {
        "decision": "revise", "note": "Неповна відповідь.", "questions": [str(q2.pk)]})

    assert response.status_code == 400
    assert message_in(response.content.decode(),
                      "Choose the questions whose answer is sent back for revision.")
    assert statuses(q1, q2) == ["answered", "assigned"]


def test_the_card_and_the_queue_mark_an_appeal_overdue_by_a_questions_own_date(
        world: World) -> None:
    # given an appeal received 20 days ago (one month to consider it), its road question's term
    # shortened to 4 days ago: the hot-water question still has time, and so has the appeal's date
    received = clock.now() - timedelta(days=20)
    appeal = world.register(routing=Routing(main_authority_code=world.authority.code),
                            received_at=received,
                            questions=[QuestionData(world.hot_water.code),
                                       QuestionData(world.road.code)], needs_study=True)
    q1, q2 = appeal.questions.order_by("id")
    past = clock.local_date(received) + timedelta(days=16)
    services.appeal_shorten(actor=world.users["supervisor"], appeal=appeal, new_due=past,
                            reason="Заява заявника.", question=q2)
    appeal.refresh_from_db()
    assert appeal.due_date > clock.today() > past
    client = world.client("supervisor")

    # then the card says overdue, and the queue's overdue filter finds it, marked
    card = client.get(url(appeal)).content.decode()
    assert "due-overdue" in card
    queue = client.get(reverse("workspace:queue"), {"overdue": "on"}).content.decode()
    assert appeal.number in queue
    assert "row-overdue" in queue

    # when the road question is answered, the appeal is no longer overdue (hot water has time)
    services.reply_submit(**letter(), actor=world.users["executor"],
                          assignment=q2.assignments.get(), result="explained", text="Так.")
    assert "due-overdue" not in client.get(url(appeal)).content.decode()
    assert q1.assignments.get().due_date == appeal.due_date
