"""Reads of the partner API: the appeals and assignments a key sees, and its change feed.

Access is decided by vikno.appeals.access as for any account: a key bound to an authority is an
executor of it; an unbound key sees the appeals it registered.

The change feed walks the sealed audit trail by `seq` (ADR 0027): a `seq` is given under the
trail's head lock, in commit order, without gaps, so a reader who has seen `seq` n has seen every
event before it, and a cursor "after n" can skip nothing — unlike an id or a timestamp, which a
longer transaction may commit behind the reader's back. Each call reads a bounded window of the
trail from the cursor (an index range), keeps the appeals' own events and of those the appeals
this account sees: the time of a call does not grow with the trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Max, QuerySet

from vikno.accounts.access import role_of
from vikno.accounts.roles import Role
from vikno.appeals.access import appeals_visible_to, executor_authority, sees_appeals
from vikno.appeals.errors import forbidden
from vikno.appeals.models import Appeal, Assignment
from vikno.audit.models import AuditEvent

APPEAL_EVENT_TYPE = "appeals.appeal"
# How much of the trail one call of the feed reads at most (events of every kind).
FEED_WINDOW = 5000
FEED_LIMIT = 500


def partner_appeals(*, user: Any, statuses: list[str] | None = None,
                    received_from: date | None = None, received_to: date | None = None,
                    updated_since: datetime | None = None) -> QuerySet[Appeal]:
    """The appeals this account sees, filtered; no personal data is read (the list shows none)."""
    qs = appeals_visible_to(user)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    return qs


def partner_assignments(*, user: Any, statuses: list[str] | None = None) -> QuerySet[Assignment]:
    """The assignments of the executor's own authority (a key bound to it). Anyone else: refused."""
    authority = executor_authority(user)
    if role_of(user) != Role.EXECUTOR or authority is None:
        raise forbidden()
    qs = (Assignment.objects.filter(authority=authority)
          .select_related("question__appeal", "question__subtopic", "authority"))
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs


@dataclass(frozen=True)
class Change:
    seq: int
    at: datetime
    action: str
    number: str


@dataclass(frozen=True)
class ChangePage:
    changes: list[Change]
    cursor: int  # the last seq read: pass it back as `after` for the next page
    more: bool  # the trail goes on past `cursor` (as far as this call could see)


def appeal_changes_for(*, user: Any, after: int, limit: int = FEED_LIMIT,
                       window: int = FEED_WINDOW) -> ChangePage:
    """The changes of the appeals this account sees, after the trail's `seq` `after`, oldest
    first. Only sealed events have a `seq`: an event sealed later gets a greater one, so it comes
    in a later page, never before the cursor.

    The trail's top is read first: every `seq` up to it is committed and visible (ADR 0027), so
    the window (after, min(after + window, top)] is complete, and the cursor may move to its end
    even when none of its events is this account's."""
    if not sees_appeals(user):
        raise forbidden()
    top = AuditEvent.objects.filter(seq__isnull=False).aggregate(top=Max("seq"))["top"] or 0
    end = min(after + window, top)
    if end <= after:
        return ChangePage([], after, False)
    rows = list(AuditEvent.objects.filter(seq__gt=after, seq__lte=end,
                                          object_type=APPEAL_EVENT_TYPE)
                .order_by("seq").values_list("seq", "occurred_at", "action", "object_id",
                                             "object_label"))
    ids = {int(r[3]) for r in rows if r[3].isdigit()}
    visible = appeals_visible_to(user).filter(pk__in=ids).order_by()
    seen = set(visible.values_list("pk", flat=True)) if ids else set()
    changes: list[Change] = []
    for seq_or_none, at, action, object_id, label in rows:
        seq = int(seq_or_none or 0)  # never null: the window reads sealed events only
        if object_id.isdigit() and int(object_id) in seen:
            if len(changes) == limit:
                # Everything before this event is read: the next page starts with it.
                return ChangePage(changes, seq - 1, True)
            changes.append(Change(seq=seq, at=at, action=action, number=label))
    return ChangePage(changes, end, end < top)
