"""Every service of the case file writes the audit trail, and no applicant's personal data in it."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder

from vikno.appeals import services
from vikno.appeals.models import Assignment, AssignmentRole, NotConsideredReason, ReplyResult
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import applicant_data, decider, letter, register
from vikno.audit.models import AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.core import clock

KYIV = ZoneInfo("Europe/Kyiv")
PERSON = {
    "last_name": "Ярошенко-Вайда", "first_name": "Ониська", "patronymic": "Мирославівна",
    "address": "вул. Липова Алея, 19, кв. 4", "phone": "+380 67 901 23 45",
    "email": "onyska.vaida@example.org",
}
COSIGNER = {
    "last_name": "Чопівський", "first_name": "Северин", "patronymic": "",
    "address": "с. Батьово, вул. Шкільна, 3", "phone": "0999876543",
    "email": "chopivsky@example.net",
}
# Every spelling in which the applicants' details could leak.
SECRETS = [value for value in (*PERSON.values(), *COSIGNER.values(), "380679012345", "679012345",
                               "0679012345", "380999876543", "Вайда", "Ярошенко") if value]


def _main(appeal):
    return Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.MAIN,
                                  status__in=["assigned", "in_work", "answered", "for_revision"])


def _answered_again(executor, supervisor, appeal):
    """The reopened appeal answered again and passed to the applicant (past its 45 days now)."""
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal),
                          result=ReplyResult.DONE, text="Ще раз")
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)
    return appeal


def _actions_of(step):
    """Run one service call; return the audit actions it wrote."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    step()
    return list(AuditEvent.objects.filter(seq__gt=last).values_list("action", flat=True))


def test_every_service_writes_the_trail_and_no_personal_data(book, operator, supervisor, executor,
                                                             other_executor):
    received = dt.datetime(2026, 3, 10, 10, tzinfo=KYIV)
    state = {}

    def register_it():
        state["a"] = register(actor=operator, received_at=received,
                              applicant=applicant_data(**{k: v for k, v in PERSON.items() if v}),
                              cosigners=[applicant_data(**{k: v for k, v in COSIGNER.items() if v})],
                              routing=Routing(co_authority_codes=("ZAK-WATER",)))

    def request_extension():
        state["ext"] = services.extension_request(actor=executor, assignment=_main(state["a"]),
                                                  new_due=dt.date(2026, 4, 1), reason="Закупівля")

    def reopen_within_the_cap():
        with clock.as_of(dt.datetime(2026, 4, 20, 12, tzinfo=KYIV)):
            services.appeal_reopen(actor=supervisor, appeal=state["a"], note="Знову")

    def second_appeal():
        state["b"] = register(actor=operator, received_at=received, routing=None,
                              applicant=applicant_data(**{k: v for k, v in PERSON.items() if v}))

    steps = [
        ("register", register_it, {"applicant.create", "appeal.register", "assignment.create",
                                   "appeal.assign"}),
        ("applicant_update", lambda: services.applicant_update(
            actor=operator, applicant=state["a"].applicant,
            data=applicant_data(**{**PERSON, "phone": "+380 67 901 23 46", "confidential": True})),
         {"applicant.update"}),
        ("applicant_create", lambda: services.applicant_create(
            actor=operator, data=applicant_data(**{k: v for k, v in COSIGNER.items() if v})),
         {"applicant.create"}),
        ("assignment_accept", lambda: services.assignment_accept(
            actor=executor, assignment=_main(state["a"])), {"assignment.accept", "appeal.accept"}),
        ("extension_request", request_extension, {"extension.request"}),
        ("extension_decide", lambda: services.extension_decide(
            actor=supervisor, extension=state["ext"], approve=True, decider=decider()),
         {"appeal.extend", "extension.decide"}),
        ("appeal_extend", lambda: services.appeal_extend(decider=decider(),
            actor=supervisor, appeal=state["a"], new_due=dt.date(2026, 4, 10), reason="Ще треба"),
         {"appeal.extend"}),
        ("appeal_shorten", lambda: services.appeal_shorten(
            actor=supervisor, appeal=state["a"], new_due=dt.date(2026, 4, 5), reason="Прохання"),
         {"appeal.shorten"}),
        ("deadline_control", lambda: services.deadline_control(today=dt.date(2026, 4, 3)),
         {"deadline.control"}),
        ("appeal_assign", lambda: services.appeal_assign(
            actor=supervisor, appeal=state["a"],
            routing=Routing(main_authority_code="ZAK-TG-BEREHOVE",
                            co_authority_codes=("ZAK-WATER", "ZAK-ODA"))),
         {"assignment.create"}),
        ("reply_submit", lambda: services.reply_submit(**letter(),
            actor=executor, assignment=_main(state["a"]), result=ReplyResult.DONE,
            text=f"Відповідь надіслано {PERSON['email']}"),
         {"assignment.reply", "reply.submit", "appeal.answer"}),
        ("answer_review", lambda: services.answer_review(actor=supervisor, appeal=state["a"],
                                                         accept=False, note="Неповна"),
         {"appeal.answer_rejected", "assignment.revision"}),
        ("reply again", lambda: services.reply_submit(**letter(),
            actor=executor, assignment=_main(state["a"]), result=ReplyResult.DONE, text="Повна"),
         {"assignment.reply", "reply.submit", "appeal.answer"}),
        ("feedback_record", lambda: services.feedback_record(
            actor=operator, appeal=state["a"], confirmed=True, rating=5,
            comment=f"Дякую, {PERSON['first_name']}, тел. {PERSON['phone']}"),
         {"feedback.record", "appeal.answer_accepted", "assignment.close", "assignment.cancel",
          "appeal.confirm"}),
        ("appeal_reopen", reopen_within_the_cap, {"appeal.reopen", "assignment.revision"}),
        ("feedback_record past the cap", lambda: services.feedback_record(
            actor=operator, appeal=_answered_again(executor, supervisor, state["a"]),
            confirmed=False, rating=None), {"feedback.record", "appeal.register", "appeal.assign",
                                            "appeal.not_confirmed"}),
        ("second appeal", second_appeal, {"appeal.register"}),
        ("appeal_not_considered", lambda: services.appeal_not_considered(
            actor=supervisor, appeal=state["b"], reason=NotConsideredReason.REPEATED),
         {"appeal.not_considered"}),
        ("appeal_reopen not considered", lambda: services.appeal_reopen(
            actor=supervisor, appeal=state["b"], note="Помилка"), {"appeal.reopen"}),
        ("appeal_return_missing_content", lambda: services.appeal_return_missing_content(
            actor=supervisor, appeal=state["b"], note="Немає підпису"),
         {"appeal.return_missing_content"}),
        ("appeal_forward", lambda: services.appeal_forward(
            actor=supervisor, appeal=register(actor=operator), to_body="Пенсійний фонд"),
         {"appeal.forward", "assignment.cancel"}),
        ("appeal_close", lambda: _close_other(operator, supervisor, executor), {"appeal.close"}),
    ]

    # when every service runs, then each wrote what it did to the trail
    for name, step, expected in steps:
        written = set(_actions_of(step))
        assert expected <= written, (name, written)

    # then no applicant's name, address, phone or e-mail is anywhere in the trail
    events = list(AuditEvent.objects.values("action", "object_type", "object_id", "object_label",
                                            "before", "after"))
    dumped = json.dumps(events, cls=DjangoJSONEncoder, ensure_ascii=False)
    leaked = [secret for secret in SECRETS if secret in dumped]
    assert leaked == []
    # what changed is still told, by the names of the fields
    update = AuditEvent.objects.get(action="applicant.update")
    assert update.after == {"changed_fields": ["confidential", "phone"]}
    assert chain_verify().ok


def _close_other(operator, supervisor, executor):
    appeal = register(actor=operator)
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal), result=ReplyResult.DONE,
                          text="Так")
    services.appeal_close(actor=supervisor, appeal=appeal, note="Знято з контролю")


def test_applicant_labels_in_the_trail_are_ids_not_names(book, operator):
    # when
    appeal = register(actor=operator)

    # then
    event = AuditEvent.objects.get(action="applicant.create")
    assert event.object_label == f"applicant #{appeal.applicant_id}"
    assert set(event.after["personal_fields"]) == {"last_name", "first_name", "patronymic",
                                                   "address", "phone", "email"}
