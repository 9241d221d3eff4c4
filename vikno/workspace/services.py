"""Marking staff notifications read (workspace state, not part of the case file)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vikno.accounts.access import role_of
from vikno.accounts.roles import Role
from vikno.appeals.access import executor_authority
from vikno.appeals.models import Notification
from vikno.core import clock
from vikno.core.errors import NotFound


def notifications_addressed_to(user: Any) -> QuerySet[Notification]:
    """Every notification meant for this user: personal, its authority's, or the supervisors'.
    The same addressing as selectors.notifications_for, without the unread filter and limit."""
    authority = executor_authority(user)
    cond = Q(user=user)
    if authority is not None:
        cond |= Q(authority=authority)
    if role_of(user) == Role.SUPERVISOR:
        cond |= Q(for_supervisors=True)
    return Notification.objects.filter(cond)


def notification_mark_read(*, user: Any, pk: int | None = None) -> int:
    """Mark one notification (or, with pk None, all of them) read. Returns how many changed."""
    qs = notifications_addressed_to(user).filter(read_at__isnull=True)
    if pk is not None:
        if not notifications_addressed_to(user).filter(pk=pk).exists():
            raise NotFound("not_found", _("The notification was not found."))
        qs = qs.filter(pk=pk)
    return qs.update(read_at=clock.now(), updated_at=clock.now())
