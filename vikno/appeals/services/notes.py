"""Internal notes on an appeal: a word between the centre and the executors about the work.

The applicant never sees them: no notice, answer or history line carries a note. The text is
free text about the case and may hold personal data, so the audit trail gets the note's id, the
appeal and the author's authority, never the text.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.appeals import access
from vikno.appeals.errors import AppealsError, Code, forbidden
from vikno.appeals.models import Appeal, InternalNote
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction

NOTE_MAX_LENGTH = 4000


@transaction.atomic
def note_add(*, actor: Any, appeal: Appeal, text: str) -> InternalNote:
    """Add a note. Operators and supervisors write as the centre; an executor writes as its
    authority and only while that authority has an assignment in force on the appeal."""
    if not access.notes_writable_by(user=actor, appeal=appeal):
        raise forbidden()
    text = (text or "").strip()
    if not text:
        raise AppealsError(Code.MISSING_FIELD, _("Enter the text of the note."), field="text")
    if len(text) > NOTE_MAX_LENGTH:
        raise AppealsError(Code.INVALID_VALUE,
                           _("The note is too long: at most %(n)d characters.")
                           % {"n": NOTE_MAX_LENGTH}, field="text")
    authority = access.executor_authority(actor)
    note = InternalNote.objects.create(appeal=appeal, author=actor, authority=authority, text=text)
    audit.record(actor=actor, action=AuditAction.INTERNAL_NOTE_ADD, obj=note,
                 object_label=appeal.number,
                 after={"appeal": appeal.pk,
                        "authority": authority.code if authority is not None else None})
    return note
