"""Read helpers of the workspace pages: choices for selects and small presentational lookups.

They read reference data only (territories, topics, authorities, classifier codes): reads of
appeals and applicants live in vikno.appeals.selectors, which decide access and audit them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from vikno.core.search import Fold, fold, uk_sort_key
from vikno.directory import refcache
from vikno.directory.models import (
    Authority,
    Axis,
    ClassifierItem,
    SubTopic,
    Territory,
    TerritoryLevel,
    Topic,
)

Choices = list[tuple[Any, Any]]


def classifier_choices(axis: Axis) -> Choices:
    """Codes of one Part I axis, the newest edition of each code first; one entry per code."""
    seen: dict[str, str] = {}
    items = ClassifierItem.objects.filter(axis=axis).order_by("-version__valid_from", "sort", "code")
    for item in items:
        seen.setdefault(item.code, item.name)
    ordered = sorted(seen.items(), key=lambda kv: [int(p) if p.isdigit() else 999
                                                   for p in kv[0].split(".")])
    return [("", "—"), *ordered]


def subtopic_groups(q: str = "") -> Choices:
    """Active sub-topics grouped by their Part II topic: the optgroups of the topic picker (all
    of them kept per process, refcache)."""
    if not q.strip():
        return list(refcache.kept(("subtopic_groups",), lambda: tuple(_subtopic_groups(""))))
    return _subtopic_groups(q)


def _subtopic_groups(q: str) -> Choices:
    qs = SubTopic.objects.filter(is_active=True).select_related("topic").order_by(
        "topic__code", "sort", "name")
    if q.strip():
        needle = fold(q.strip())
        qs = qs.annotate(fn=Fold("name"), ft=Fold("topic__name")).filter(
            Q(fn__contains=needle) | Q(ft__contains=needle) | Q(code__startswith=q.strip()))
    groups: dict[str, list[tuple[str, str]]] = {}
    for sub in qs[:2000]:
        groups.setdefault(f"{sub.topic.code} {sub.topic.name}", []).append((sub.code, sub.name))
    return list(groups.items())


def subtopic_by_code(code: str) -> SubTopic | None:
    if not code:
        return None
    return SubTopic.objects.filter(code=code, is_active=True).select_related("topic").first()


def topic_choices() -> Choices:
    """Part II topics, each code once (its newest name); kept per process (refcache)."""
    return [("", "—"), *refcache.kept(("topic_choices",), _topic_choices)]


def _topic_choices() -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for topic in Topic.objects.order_by("code", "-version__valid_from"):
        seen.setdefault(topic.code, topic.name)
    return tuple((code, f"{code} {name}") for code, name in seen.items())


def authority_choices(blank: str = "—") -> Choices:
    """Active authorities by name; kept per process (refcache)."""
    return [("", blank), *refcache.kept(("authority_choices",), _authority_choices)]


def _authority_choices() -> tuple[tuple[str, str], ...]:
    rows = Authority.objects.filter(is_active=True).values_list("code", "name")
    return tuple(sorted(rows, key=lambda row: uk_sort_key(row[1])))


def territory_filter_choices() -> Choices:
    """Raions with their hromadas, for the queue's territory filter; kept per process."""
    return [("", "—"), *refcache.kept(("territory_filter_choices",), _territory_groups)]


def _territory_groups() -> tuple[tuple[str, list[tuple[str, str]]], ...]:
    units = Territory.objects.filter(level__in=[TerritoryLevel.RAION, TerritoryLevel.HROMADA]).order_by(
        "path")
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for unit in units:
        if unit.level == TerritoryLevel.RAION:
            groups.append((unit.name, [(unit.code, unit.full_name)]))
        elif groups:
            groups[-1][1].append((unit.code, "— " + unit.name))
    return tuple(groups)


def territory_search(q: str, limit: int = 12) -> list[Territory]:
    """Settlements (and, failing those, larger units) whose name starts with the typed text."""
    q = q.strip()
    if len(q) < 2:
        return []
    needle = fold(q)
    qs = (Territory.objects.annotate(fn=Fold("name")).filter(fn__startswith=needle)
          .select_related("parent__parent").order_by("-level", "name"))
    return list(qs[:limit])


def territory_by_code(code: str) -> Territory | None:
    if not code:
        return None
    return Territory.objects.filter(code=code).select_related("parent__parent").first()


def territory_label(territory: Territory | None) -> str:
    """"село Батьово (Батівська громада, Берегівський район)" for settlements and hromadas."""
    if territory is None:
        return ""
    names = []
    parent = territory.parent
    while parent is not None and parent.level >= TerritoryLevel.RAION:
        names.append(parent.full_name if parent.level == TerritoryLevel.RAION else parent.name)
        parent = parent.parent
    return f"{territory.full_name} ({', '.join(names)})" if names else territory.full_name


def raion_names(codes: list[str]) -> dict[str, str]:
    return dict(Territory.objects.filter(code__in=codes).values_list("code", "name"))

