"""Once per `Idempotency-Key`: a retried request gets its first response and does nothing again.

The first request inserts its (owner, key) row before it does its work, in the work's own
transaction, and fills in the response at the end. A retry that arrives while the first is still
running waits on that row's unique index (PostgreSQL) or on the write lock (SQLite); once the
first commits, the retry's insert fails and it reads the stored response. If the first fails,
its row rolls back with its work and the retry runs afresh: refusals are not kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vikno.core.errors import ApplicationError
from vikno.core.models import IdempotentResponse

MAX_KEY_LENGTH = 255


def fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def key_check(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApplicationError("invalid_idempotency_key",
                               _("The Idempotency-Key header must be 1 to 255 printable "
                                 "characters."), field="Idempotency-Key")
    return key


def _stored(*, owner: int, key: str, request_print: str) -> tuple[int, Any]:
    first = IdempotentResponse.objects.get(owner=owner, key=key)
    if first.fingerprint != request_print:
        raise ApplicationError("idempotency_key_reused",
                               _("This Idempotency-Key was already used with another request."),
                               field="Idempotency-Key", http_status=422)
    return first.status, first.body


def idempotent_run(*, owner: int, key: str, request_print: str,
                   run: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """The response (status, JSON body) of `run()`, run at most once per (owner, key)."""
    key = key_check(key)
    if IdempotentResponse.objects.filter(owner=owner, key=key).exists():
        return _stored(owner=owner, key=key, request_print=request_print)
    try:
        with transaction.atomic():
            row = IdempotentResponse.objects.create(owner=owner, key=key,
                                                    fingerprint=request_print, status=0, body={})
            status, body = run()
            row.status, row.body = status, body
            row.save(update_fields=["status", "body"])
            return status, body
    except IntegrityError:
        # A racing twin committed first (its row was what this insert waited for).
        if not IdempotentResponse.objects.filter(owner=owner, key=key).exists():
            raise
        return _stored(owner=owner, key=key, request_print=request_print)
