"""Reads of the staff's notifications: who is addressed, what each reader has not read yet, grouped
by kind. Each reader marks its own (NotificationRead)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from vikno.accounts.access import role_of
from vikno.accounts.roles import Role
from vikno.appeals.access import executor_authority
from vikno.appeals.messages import preload
from vikno.appeals.models import Notification, NotificationRead
from vikno.appeals.models.work import NotificationKind


def notifications_addressed(*, user: Any, authority_id: int | None,
                            supervisor: bool) -> QuerySet[Notification]:
    """Every notification meant for this user: personal, its authority's, or the supervisors'."""
    cond = Q(user=user)
    if authority_id:
        cond |= Q(authority_id=authority_id)
    if supervisor:
        cond |= Q(for_supervisors=True)
    return Notification.objects.filter(cond)


def notifications_addressed_to(user: Any) -> QuerySet[Notification]:
    authority = executor_authority(user)
    return notifications_addressed(user=user, authority_id=authority.pk if authority else None,
                                   supervisor=role_of(user) == Role.SUPERVISOR)


def _read_by(user: Any) -> Exists:
    return Exists(NotificationRead.objects.filter(notification=OuterRef("pk"), user=user))


def notifications_for(*, user: Any, authority_id: int | None, supervisor: bool,
                      limit: int = 20) -> QuerySet[Notification]:
    """The ones this user has not read: each reader marks its own."""
    return (notifications_addressed(user=user, authority_id=authority_id, supervisor=supervisor)
            .filter(~_read_by(user)).select_related("appeal")[:limit])


@dataclass(frozen=True)
class NotificationGroup:
    """The unread notifications of one kind for one reader: how many, and the latest few."""

    kind: str
    label: str
    unread: int
    latest: list[Notification]


def _unread_by(user: Any) -> QuerySet[Notification]:
    return notifications_addressed_to(user).filter(~_read_by(user))


def notification_unread_counts(*, user: Any) -> dict[str, int]:
    """Unread per kind for this reader (each reader marks its own), in one GROUP BY; kinds
    without unread ones are left out."""
    rows = _unread_by(user).values_list("kind").annotate(n=Count("pk")).order_by()
    return {kind: n for kind, n in rows if n}


def notification_groups(*, user: Any, latest: int = 3) -> list[NotificationGroup]:
    """The reader's unread notifications grouped by kind (in the order of NotificationKind),
    each with its count and its `latest` newest: a query per kind that has any, however many
    there are."""
    counts = notification_unread_counts(user=user)
    unread = _unread_by(user).select_related("appeal").order_by("-created_at", "-id")
    return [NotificationGroup(kind=kind.value, label=str(kind.label), unread=counts[kind.value],
                              latest=preload(unread.filter(kind=kind)[:latest]))
            for kind in NotificationKind if kind.value in counts]


def notification_group_page(*, user: Any, kind: str, page: Any, per_page: int) -> Page:
    """One page of the reader's unread notifications of one kind, newest first."""
    unread = (_unread_by(user).filter(kind=kind).select_related("appeal")
              .order_by("-created_at", "-id"))
    shown = Paginator(unread, per_page).get_page(page)
    shown.object_list = preload(shown.object_list)
    return shown


def notifications_read_by(*, user: Any, limit: int = 20) -> list[Notification]:
    """The latest this user has read, newest mark first, each with its `read_at`."""
    return list(notifications_addressed_to(user).filter(reads__user=user)
                .annotate(read_at=F("reads__read_at")).select_related("appeal")
                .order_by("-read_at")[:limit])
