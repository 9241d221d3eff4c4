"""Reads of the rulebook: the Classifier in force, sub-topics, territories, authorities.

Searches match in Python over the small reference tables (≈300 sub-topics, ≈700 territories):
SQLite compares Cyrillic case-sensitively, and the same code must answer the same on both
databases. Apostrophes (’ ' ʼ `) are treated as one letter, since people type any of them.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vikno.core import clock
from vikno.core.errors import ApplicationError
from vikno.directory.deadlines import WorkingCalendar
from vikno.directory.models import (
    Authority,
    ClassifierItem,
    ClassifierVersion,
    Holiday,
    MartialLawPeriod,
    SubTopic,
    Territory,
    TerritoryLevel,
)

APOSTROPHES = re.compile(r"[’'ʼ`‘]")


def normalise(text: str) -> str:
    """Lower-case, one kind of apostrophe, single spaces: the form searches compare."""
    return " ".join(APOSTROPHES.sub("'", text).casefold().split())


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


def classifier_items(axis: int, *, on: date | None = None) -> QuerySet[ClassifierItem]:
    """The codes of one Part I axis in the edition in force, in the Classifier's order."""
    version = current_version(on=on)
    if version is None:
        return ClassifierItem.objects.none()
    return ClassifierItem.objects.filter(version=version, axis=axis).order_by("sort", "code")


def subtopic_list(*, leaves_only: bool = False) -> QuerySet[SubTopic]:
    """Active sub-topics with their topic and group, in tree order.

    `leaves_only` drops the group nodes: an operator classifies a question by a leaf.
    """
    items = SubTopic.objects.filter(is_active=True).select_related("topic", "parent")
    if leaves_only:
        items = items.filter(children__isnull=True)
    return items.order_by("topic__code", "sort", "name")


def subtopic_search(q: str, limit: int = 20) -> list[SubTopic]:
    """Active leaf sub-topics whose name (or group's name) holds every word of `q`;
    names that start with the query come first. A code prefix ("009.0") matches too."""
    words = normalise(q).split()
    if not words:
        return []
    query = " ".join(words)
    found: list[tuple[int, str, SubTopic]] = []
    for item in subtopic_list(leaves_only=True):
        name = normalise(item.name)
        haystack = f"{name} {normalise(item.parent.name) if item.parent else ''}"
        if item.code.startswith(query):
            found.append((0, item.code, item))
        elif all(word in haystack for word in words):
            found.append((1 if name.startswith(query) else 2, name, item))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _rank, _name, item in found[:limit]]


def territory_search(q: str, limit: int = 10) -> list[Territory]:
    """Settlements and hromadas by name for an autocomplete: exact names first, then names
    that start with the query, then the rest; settlements before hromadas of the same name.
    Each result carries its parent and grandparent, to tell the many same-named villages apart.
    """
    query = normalise(q)
    if not query:
        return []
    found: list[tuple[int, int, str, Territory]] = []
    candidates = Territory.objects.filter(
        level__in=[TerritoryLevel.HROMADA, TerritoryLevel.SETTLEMENT]
    ).select_related("parent__parent")
    for territory in candidates:
        name = normalise(territory.name)
        if name == query:
            rank = 0
        elif name.startswith(query):
            rank = 1
        elif query in name or query in normalise(territory.full_name):
            rank = 2
        else:
            continue
        level_rank = 0 if territory.level == TerritoryLevel.SETTLEMENT else 1
        found.append((rank, level_rank, name, territory))
    found.sort(key=lambda entry: entry[:3])
    return [territory for *_keys, territory in found[:limit]]


def territory_children(code: str | None = None) -> QuerySet[Territory]:
    """The units directly under `code`; the oblast(s) when `code` is None."""
    items = Territory.objects.filter(parent_id=code) if code else Territory.objects.filter(
        parent__isnull=True
    )
    return items.order_by("name")


def authority_list(
    *, active_only: bool = True, level: str | None = None, territory_code: str | None = None
) -> QuerySet[Authority]:
    items = Authority.objects.select_related("territory", "parent")
    if active_only:
        items = items.filter(is_active=True)
    if level:
        items = items.filter(level=level)
    if territory_code:
        items = items.filter(territory_id=territory_code)
    return items.order_by("name")


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
