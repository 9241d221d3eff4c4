"""Reads of the rulebook that belong to the directory itself.

The lookups the staff pages use (territories and sub-topics by name or code, the choices of the
selects) are in vikno.workspace.reads, matched with core.search.Fold, the project's one folding
rule (case and apostrophes), so the same query answers the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vikno.accounts.models import User
from vikno.audit.models import AuditEvent
from vikno.core import clock
from vikno.core.errors import ApplicationError
from vikno.directory.deadlines import WorkingCalendar
from vikno.directory.models import (
    ClassifierVersion,
    Holiday,
    MartialLawPeriod,
    ReplyTemplate,
    SubTopic,
    Territory,
)


class ClassifierEditionError(ApplicationError):
    """No edition of the Classifier applies: the date precedes the first one, or the code is unknown."""


def classifier_edition_for(day: date, *, code: str | None = None) -> ClassifierVersion:
    """The edition of the Classifier in force on `day` (an appeal's date of receipt): the one place
    that chooses an edition. With `code`, that edition, provided it is in force on `day`.

    Editions are valid from `valid_from` up to, not including, `valid_to`; when two overlap the
    later one wins.
    """
    editions = ClassifierVersion.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )
    if code is not None:
        edition = editions.filter(code=code).first()
        if edition is None:
            raise ClassifierEditionError(
                "unknown_classifier_edition",
                _("The Classifier edition “%(code)s” does not exist or is not in force on "
                  "%(day)s.") % {"code": code, "day": day.strftime("%d.%m.%Y")},
                field="classifier_edition",
            )
        return edition
    edition = editions.order_by("-valid_from").first()
    if edition is None:
        raise ClassifierEditionError(
            "unknown_classifier_edition",
            _("No edition of the Classifier of appeals is in force on %(day)s.")
            % {"day": day.strftime("%d.%m.%Y")},
            field="received_at",
        )
    return edition


def current_version(*, on: date | None = None) -> ClassifierVersion | None:
    """The edition in force on `on` (today by default), or None where none is, for lists and forms."""
    try:
        return classifier_edition_for(on or clock.today())
    except ClassifierEditionError:
        return None


CALENDAR_CACHE_KEY = "vikno:directory:working-calendar"
# Admin edits and loads clear the cache at once; the timeout bounds what another process may
# still hold when the cache is per process.
CALENDAR_CACHE_SECONDS = 300


def working_calendar() -> WorkingCalendar:
    """The working calendar from the holidays and martial-law periods in the database, cached."""
    calendar = cache.get(CALENDAR_CACHE_KEY)
    if calendar is None:
        calendar = WorkingCalendar.of(
            Holiday.objects.values_list("day", flat=True),
            MartialLawPeriod.objects.values_list("valid_from", "valid_to"),
        )
        cache.set(CALENDAR_CACHE_KEY, calendar, CALENDAR_CACHE_SECONDS)
    return calendar


def forget_working_calendar(**_kwargs: object) -> None:
    """Drop the cached calendar (after a load or an admin edit of holidays or periods)."""
    cache.delete(CALENDAR_CACHE_KEY)


def staff_list(*, q: str = "", role: str = "", authority_code: str = "",
               active: bool | None = None) -> QuerySet[Any]:
    """The security administrator's list of staff accounts, with each executor's authority.

    `q` matches the login name, the last name or the e-mail (case-insensitive)."""
    # Partner systems' key accounts (`api.<prefix>`) are not staff: the system administrator
    # keeps them on the keys' page (workspace "API keys"), by their keys.
    qs = (User.objects.select_related("membership__authority").filter(api_key__isnull=True)
          .order_by("username"))
    if role:
        qs = qs.filter(role=role)
    if authority_code:
        qs = qs.filter(membership__authority__code=authority_code)
    if active is not None:
        qs = qs.filter(is_active=active)
    q = q.strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(last_name__icontains=q)
                       | Q(email__icontains=q))
    return qs


def account_events(*, account: Any, limit: int = 20) -> list[Any]:
    """The latest audit events about an account: on the account itself and on its binding to an
    authority (labelled "username @ authority")."""
    return list(AuditEvent.objects.filter(
        Q(object_type="accounts.user", object_id=str(account.pk))
        | Q(object_type="directory.membership", object_label__startswith=f"{account.username} @ ")
    ).order_by("-seq")[:limit])


def reply_templates(*, active_only: bool = True) -> list[ReplyTemplate]:
    """The centre's reply templates (the supervisor's list shows the inactive ones too)."""
    rows = ReplyTemplate.objects.select_related("topic", "subtopic")
    if active_only:
        rows = rows.filter(is_active=True)
    return list(rows.order_by("title", "id"))


def reply_template_get(*, pk: int) -> ReplyTemplate | None:
    """One template, or None."""
    return ReplyTemplate.objects.select_related("topic", "subtopic").filter(pk=pk).first()


def subtopics_active(*, code: str | None = None) -> list[SubTopic]:
    """The active sub-topics (one, by `code`) with their Part II topic and parent, in the
    classifier's order: the services a channel offers (Open311's service list)."""
    rows = SubTopic.objects.filter(is_active=True).select_related("topic", "parent")
    if code is not None:
        rows = rows.filter(code=code)
    return list(rows.order_by("topic__code", "sort", "name", "id"))


def territory_exists(code: str) -> bool:
    return Territory.objects.filter(code=code).exists()
