"""Free texts are appeal content: none of them enters the audit trail in clear.

A rich life of appeals runs through the services with a unique marker in every text a person
types (the appeal, its summary and address, instructions, reasons, notes, replies, refusals,
the signatory, the decider, the feedback comment, the body it was forwarded to); then no marker
may appear in any field of any audit event, and the chain still holds.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder

from vikno.appeals import services
from vikno.appeals.intake import QuestionData
from vikno.appeals.models import Assignment, AssignmentRole, NotConsideredReason, ReplyResult
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import decider, letter, register
from vikno.audit.models import AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.core import clock

KYIV = ZoneInfo("Europe/Kyiv")
MARKERS: list[str] = []


def marker(what: str) -> str:
    """A text that can only have come from this test's input."""
    value = f"Qx{len(MARKERS):02d}{what}Zq"
    MARKERS.append(value)
    return value


def _main(appeal):
    return Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.MAIN,
                                  status__in=["assigned", "in_work", "answered", "for_revision"])


def _answer(executor, appeal, **overrides):
    values = {"result": ReplyResult.DONE, "text": marker("reply")} | overrides
    letter_values = letter(outgoing_number="02-14/381", signatory_name=marker("signatory"),
                           signatory_position=marker("position"))
    return services.reply_submit(**letter_values, actor=executor, assignment=_main(appeal),
                                 **values)


def test_no_free_text_of_an_appeals_life_enters_the_trail(book, operator, supervisor, executor,
                                                          other_executor):
    MARKERS.clear()
    received = dt.datetime(2026, 3, 10, 10, tzinfo=KYIV)

    # given an appeal registered with its text, summary, address and instructions
    with clock.as_of(dt.datetime(2026, 3, 10, 12, tzinfo=KYIV)):
        appeal = register(actor=operator, received_at=received, text=marker("text"),
                          location=marker("location"),
                          questions=[QuestionData(subtopic_code="009-HW",
                                                  summary=marker("summary"))],
                          routing=Routing(co_authority_codes=("ZAK-WATER",),
                                          instructions=marker("instructions")))
        services.assignment_accept(actor=executor, assignment=_main(appeal))
        # an extension asked with a reason and refused with one, then granted by the head
        asked = services.extension_request(actor=executor, assignment=_main(appeal),
                                           new_due=dt.date(2026, 4, 1), reason=marker("ask"))
        services.extension_decide(actor=supervisor, extension=asked, approve=False,
                                  note=marker("refusal"))
        services.appeal_extend(actor=supervisor, appeal=appeal, new_due=dt.date(2026, 4, 10),
                               reason=marker("extend"),
                               decider=decider(name=marker("decider"), body=marker("body")))
        services.appeal_shorten(actor=supervisor, appeal=appeal, new_due=dt.date(2026, 4, 5),
                                reason=marker("shorten"))
        # a refusal with its reasons, sent back with a note, answered again and accepted
        _answer(executor, appeal, result=ReplyResult.REFUSED, refusal_reasons=marker("reasons"),
                legal_basis=marker("basis"), appeal_procedure=marker("procedure"))
        services.answer_review(actor=supervisor, appeal=appeal, accept=False,
                               note=marker("revise"))
        _answer(executor, appeal)
        services.answer_review(actor=supervisor, appeal=appeal, accept=True,
                               note=marker("accepted"))
        # the applicant's comment, a reopening and a closing, each with its note
        services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5,
                                 comment=marker("comment"))
        services.appeal_reopen(actor=supervisor, appeal=appeal, note=marker("reopen"))
        _answer(executor, appeal)
        services.appeal_close(actor=supervisor, appeal=appeal, note=marker("close"))

        # an appeal not considered with a note, reopened, returned for missing content
        second = register(actor=operator, received_at=received, routing=None)
        services.appeal_not_considered(actor=supervisor, appeal=second,
                                       reason=NotConsideredReason.REPEATED,
                                       note=marker("not-considered"))
        services.appeal_reopen(actor=supervisor, appeal=second, note=marker("reopen-2"))
        services.appeal_return_missing_content(actor=supervisor, appeal=second,
                                               note=marker("missing"))

        # an appeal returned as not in competence, then forwarded with a note
        third = register(actor=operator, received_at=received)
        services.reply_submit(actor=executor, assignment=_main(third),
                              result=ReplyResult.NOT_IN_COMPETENCE, text=marker("not-mine"))
        services.appeal_forward(actor=supervisor, appeal=third, to_body=marker("to-body"),
                                note=marker("forward"))

    # then no marker is in any field of any event
    events = list(AuditEvent.objects.values())
    dumped = json.dumps(events, cls=DjangoJSONEncoder, ensure_ascii=False)
    assert len(MARKERS) >= 20
    assert [m for m in MARKERS if m in dumped] == []
    # and what happened is still told: the actions are there, and the chain holds
    actions = {e["action"] for e in events}
    assert {"appeal.register", "extension.request", "extension.decide", "appeal.extend",
            "reply.submit", "appeal.answer_rejected", "feedback.record", "appeal.reopen",
            "appeal.close", "appeal.not_considered", "appeal.return_missing_content",
            "appeal.forward"} <= actions
    assert chain_verify().ok
