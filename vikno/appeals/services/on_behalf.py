"""Answers that arrive outside Vikno: the centre records them on the executor's behalf.

Most bodies answer by letter or e-mail before (or instead of) having accounts. The centre's
operator or supervisor records such an answer as the body wrote it: the result, the text, the
letter's outgoing number and date and its signatory, how and when it arrived and the scan of the
letter. From then on the appeal goes on exactly as if the executor had answered in Vikno: the same
service (`reply_submit`) checks the letter and the refusal's grounds (ст.15), moves the
assignment and the appeal, and returns a "not in competence" letter to the centre for re-routing.
The reply keeps who in the centre recorded it (`Reply.recorded_by`), apart from the body.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.accounts.access import role_of
from vikno.accounts.roles import CENTRE_ROLES
from vikno.appeals.errors import AppealsError, Code, forbidden
from vikno.appeals.lifecycle import OWING_STATUSES, AssignmentStatus, TransitionAction
from vikno.appeals.models import Appeal, Assignment, Attachment, ReceivedVia, Reply, ReplyResult
from vikno.appeals.services._common import history, lock_assignment
from vikno.appeals.services.attachments import (
    FileData,
    PreparedFile,
    attachment_prepare,
    attachments_store,
)
from vikno.appeals.services.execution import reply_submit
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock

# A scanned letter: a PDF or a picture. Office files are documents, not scans of a signed letter.
SCAN_TYPES = frozenset({"application/pdf", "image/jpeg", "image/pjpeg", "image/png"})
SCAN_FIELD = "scan"


@dataclass(frozen=True)
class Letter:
    """The body's letter: its outgoing number and date and who signed it."""

    outgoing_number: str = ""
    outgoing_date: date | None = None
    signatory_name: str = ""
    signatory_position: str = ""


@dataclass(frozen=True)
class Grounds:
    """ст.15: a refusal's reasons, legal basis and how to appeal it."""

    refusal_reasons: str = ""
    legal_basis: str = ""
    appeal_procedure: str = ""


def _scan(scan: FileData) -> PreparedFile:
    name, content, content_type = scan
    try:
        prepared = attachment_prepare(name=name, content=content, content_type=content_type)
    except AppealsError as exc:
        raise AppealsError(exc.code, exc.message, field=SCAN_FIELD,
                           http_status=exc.http_status) from exc
    if prepared.content_type not in SCAN_TYPES:
        raise AppealsError(Code.INVALID_VALUE, _("Attach the scan of the letter as PDF, JPEG or PNG."),
                           field=SCAN_FIELD)
    return prepared


def _received(received_via: str, received_on: date | None) -> date:
    if received_via not in ReceivedVia.values:
        raise AppealsError(Code.INVALID_VALUE, _("Choose how the answer arrived."),
                           field="received_via")
    if received_on is None:
        raise AppealsError(Code.MISSING_FIELD, _("Enter the date the answer was received."),
                           field="received_on")
    if received_on > clock.today():
        raise AppealsError(Code.INVALID_VALUE, _("The date of receipt of the answer cannot be in "
                                                 "the future."), field="received_on")
    return received_on


@transaction.atomic
def reply_record_on_behalf(
    *, actor: Any, assignment: Assignment, result: str, text: str, letter: Letter,
    received_via: str, received_on: date | None, scan: FileData | None = None,
    grounds: Grounds | None = None,
) -> Reply:
    """The centre (operator or supervisor) records the body's answer that came by letter, e-mail
    or otherwise. The assignment must still owe work; a new one is taken into work on the body's
    behalf first. "Not in competence" is the body's return, recorded with its reason (`text`)."""
    if role_of(actor) not in CENTRE_ROLES:
        raise forbidden()
    on = _received(received_via, received_on)
    prepared = _scan(scan) if scan is not None else None
    appeal, assignment = lock_assignment(assignment)
    if assignment.status not in OWING_STATUSES:
        raise AppealsError(
            Code.ILLEGAL_TRANSITION,
            _("An answer can be recorded only on an assignment that still owes it; this one is "
              "“%(status)s”.") % {"status": AssignmentStatus(assignment.status).label},
            http_status=409)
    if on < clock.local_date(appeal.received_at):
        raise AppealsError(Code.INVALID_VALUE, _("The answer cannot be received before the "
                                                 "appeal."), field="received_on")
    if letter.outgoing_date is not None and on < letter.outgoing_date:
        raise AppealsError(Code.INVALID_VALUE, _("The answer cannot be received before the date "
                                                 "of its letter."), field="received_on")
    returned = result == ReplyResult.NOT_IN_COMPETENCE
    accepted = assignment.status == AssignmentStatus.ASSIGNED and not returned
    # The centre's line comes first in the history: the moves that follow are its doing.
    history(appeal=appeal, actor=actor, action=TransitionAction.RECORDED_ON_BEHALF,
            message="history.return_on_behalf" if returned else "history.answer_on_behalf",
            params={"authority": assignment.authority.code,
                    "outgoing_number": letter.outgoing_number.strip(),
                    "outgoing_date": letter.outgoing_date, "received_on": on,
                    "received_via": received_via, "accepted": accepted})
    reply = reply_submit(actor=actor, assignment=assignment, result=result, text=text,
                         **asdict(letter), **asdict(grounds or Grounds()))
    attachment = _store_scan(actor=actor, appeal_pk=appeal.pk, prepared=prepared)
    reply.answered_by = None
    reply.recorded_by = actor if getattr(actor, "pk", None) else None
    reply.received_via, reply.received_on, reply.scan = received_via, on, attachment
    reply.save(update_fields=["answered_by", "recorded_by", "received_via", "received_on", "scan"])
    # Ids, codes and dates only: the text, the signatory and the file's name stay out of the trail.
    # An implicit acceptance is its own event (assignment.accept), with the centre's user as actor.
    audit.record(actor=actor, action=AuditAction.REPLY_ON_BEHALF, obj=reply,
                 object_label=f"{appeal.number} ← {assignment.authority.code}",
                 after={"assignment": assignment.pk, "result": result,
                        "received_via": received_via, "received_on": on,
                        "scan": attachment.pk if attachment else None})
    return reply


def _store_scan(*, actor: Any, appeal_pk: int, prepared: PreparedFile | None) -> Attachment | None:
    """The scan joins the case file; the same file attached before is linked, not stored twice."""
    if prepared is None:
        return None
    fresh = Appeal.objects.get(pk=appeal_pk)  # locked by the caller
    existing = fresh.attachments.filter(sha256=prepared.sha256).first()
    if existing is not None:
        return existing
    try:
        return attachments_store(actor=actor, appeal=fresh, prepared=[prepared])[0]
    except AppealsError as exc:
        raise AppealsError(exc.code, exc.message, field=SCAN_FIELD,
                           http_status=exc.http_status) from exc


@transaction.atomic
def return_record_on_behalf(
    *, actor: Any, assignment: Assignment, reason: str, received_via: str,
    received_on: date | None, letter: Letter | None = None, scan: FileData | None = None,
) -> Reply:
    """The body wrote that the question is not in its competence: the centre records the return
    with the body's reason, as the executor's own return would be (back to the centre, ст.7)."""
    return reply_record_on_behalf(actor=actor, assignment=assignment,
                                  result=ReplyResult.NOT_IN_COMPETENCE, text=reason,
                                  letter=letter or Letter(), received_via=received_via,
                                  received_on=received_on, scan=scan)
