"""Routing from the appeal card, and the centre's ст.8 decision on an appeal routed at registration."""

from __future__ import annotations

from django.urls import reverse

from vikno.appeals import services
from vikno.appeals.models import Assignment, Subject
from vikno.appeals.services import QuestionData, Routing
from vikno.appeals.tests.factories import letter
from vikno.workspace.tests.conftest import World


def _two_questions(world: World):
    appeal = world.register(
        routing=Routing(main_authority_code=world.authority.code),
        questions=[QuestionData(subtopic_code=world.hot_water.code),
                   QuestionData(subtopic_code=world.road.code)])
    first, second = Assignment.objects.filter(question__appeal=appeal).order_by("question_id")
    return appeal, first, second


def test_a_returned_question_is_routed_to_the_chosen_body_and_the_answer_given_stays(world: World):
    # given a two-question appeal: the council answered the first and returned the second
    appeal, first, second = _two_questions(world)
    executor = world.users["executor"]
    services.reply_submit(**letter(), actor=executor, assignment=first, result="done", text="Зроблено.")
    services.reply_submit(**letter(), actor=executor, assignment=second, result="not_in_competence",
                          text="Не наша компетенція.")

    # when the supervisor routes it from the card to another body, naming no question
    response = world.client("supervisor").post(
        reverse("workspace:appeal_route", args=[appeal.number]),
        {"main_authority": world.other_authority.code})

    # then only the unanswered question goes there; the first answer is kept
    assert response.status_code == 302
    appeal.refresh_from_db()
    first.refresh_from_db()
    assert appeal.status == "assigned" and first.status == "answered"
    new = Assignment.objects.get(question=second.question, status="assigned")
    assert new.authority == world.other_authority and new.role == "main"


def test_routing_one_question_leaves_the_others_work_alone(world: World):
    # given a two-question appeal whose second question another body has taken into work
    appeal, first, second = _two_questions(world)
    services.appeal_assign(actor=world.users["supervisor"], appeal=appeal,
                           routing=Routing(main_authority_code=world.other_authority.code),
                           question_ids=[second.question_id])
    theirs = Assignment.objects.get(question=second.question, status="assigned")
    services.assignment_accept(actor=world.users["other_executor"], assignment=theirs)

    # when the supervisor adds a co-executor to the first question only
    response = world.client("supervisor").post(
        reverse("workspace:appeal_route", args=[appeal.number]),
        {"question": first.question_id, "main_authority": world.authority.code,
         "co_authorities": [world.default_authority.code]})

    # then the other body's work in progress is untouched
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == "in_work"
    assert Assignment.objects.filter(question=first.question, role="co",
                                     authority=world.default_authority).exists()


def test_the_route_form_offers_no_main_executor_for_all_questions_at_once(world: World):
    appeal, _, _ = _two_questions(world)
    html = world.client("supervisor").get(
        reverse("workspace:appeal_card", args=[appeal.number])).content.decode()
    assert f'<option value="{world.authority.code}" selected>' not in html


def test_an_anonymous_appeal_routed_at_registration_can_be_not_considered(world: World):
    # given an anonymous hotline appeal, routed as it was registered
    appeal = world.register(applicant=None, subject=Subject.ANONYMOUS)
    assert appeal.status == "assigned"

    # when the supervisor decides it is not subject to consideration (ст.8)
    response = world.client("supervisor").post(
        reverse("workspace:appeal_not_considered", args=[appeal.number]),
        {"reason": "anonymous", "note": "Авторство не встановлено."})

    # then it is, and the executor's assignment is cancelled
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "not_considered"
    assert not Assignment.objects.filter(question__appeal=appeal,
                                         status__in=["assigned", "in_work"]).exists()


def test_the_assist_panel_survives_odd_digits(world: World):
    response = world.client("operator").post(
        reverse("workspace:register_assist"),
        {"applicant_id": "²", "subtopic_1": world.hot_water.code})
    assert response.status_code == 200


def test_rerouting_a_complaint_to_the_body_complained_of_is_refused_on_the_card(
        world: World, message_in) -> None:
    # given a complaint about the council, routed by the rules to the default body
    appeal = world.register(kind="3.3", contested_authority_code=world.authority.code)
    before = list(Assignment.objects.filter(question__appeal=appeal)
                  .values_list("pk", "authority_id", "status"))

    # when the supervisor picks the council itself on the card
    response = world.client("supervisor").post(
        reverse("workspace:appeal_route", args=[appeal.number]),
        {"main_authority": world.authority.code})

    # then it is refused with the Law's reason, and nothing changes
    assert response.status_code == 400
    assert message_in(response.content.decode(),
                      "A complaint cannot be sent for consideration to the body whose actions or "
                      "decision it contests (ст.7 ч.4 of the Law).")
    assert list(Assignment.objects.filter(question__appeal=appeal)
                .values_list("pk", "authority_id", "status")) == before
