"""A new tracking code for an appeal (the applicant lost theirs): the old one stops working."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vikno.appeals.models import Appeal
from vikno.appeals.services._common import lock
from vikno.appeals.tracking import code_hash, new_code
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction


@transaction.atomic
def tracking_code_issue(*, actor: Any, appeal: Appeal) -> str:
    """Issue a new code, keep only its hash and return the code, once. The audit event records
    that a code was issued, never the code or its hash."""
    appeal = lock(appeal)
    code = new_code()
    appeal.tracking_hash = code_hash(code)
    appeal.save(update_fields=["tracking_hash"])
    audit.record(actor=actor, action=AuditAction.APPEAL_TRACKING_CODE_ISSUE, obj=appeal,
                 object_label=appeal.number)
    return code
