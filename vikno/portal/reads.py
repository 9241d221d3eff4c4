"""Reference reads of the public pages: topics, settlements, bodies. No appeal, no person."""

from __future__ import annotations

from typing import Any

from vikno.core.search import Fold, fold, uk_sort_key
from vikno.directory import refcache
from vikno.directory.models import Authority, SubTopic, Territory, TerritoryLevel

Choices = list[tuple[Any, Any]]
SEARCH_LIMIT = 15


def subtopic_choices() -> Choices:
    """Active sub-topics grouped by topic (the optgroups of the topic select); kept per process."""
    return [("", "—"), *refcache.kept(("portal_subtopics",), _subtopic_groups)]


def _subtopic_groups() -> tuple[tuple[str, list[tuple[str, str]]], ...]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for sub in (SubTopic.objects.filter(is_active=True).select_related("topic")
                .order_by("topic__code", "sort", "name")):
        groups.setdefault(sub.topic.name, []).append((sub.code, sub.name))
    return tuple(groups.items())


def authority_choices() -> Choices:
    """Active bodies by name, as the directory names them (the nominative)."""
    return [("", "—"), *refcache.kept(("portal_authorities",), _authorities)]


def _authorities() -> tuple[tuple[str, str], ...]:
    rows = Authority.objects.filter(is_active=True).values_list("code", "name")
    return tuple(sorted(rows, key=lambda row: uk_sort_key(row[1])))


def territory_search(q: str) -> list[tuple[str, str]]:
    """(code, label) of settlements (then larger units) whose name starts with the typed text."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    found = (Territory.objects.annotate(fn=Fold("name")).filter(fn__startswith=fold(q))
             .select_related("parent__parent").order_by("-level", "name")[:SEARCH_LIMIT])
    return [(t.code, territory_label(t)) for t in found]


def territory_by_code(code: str) -> tuple[str, str] | None:
    territory = (Territory.objects.filter(code=code).select_related("parent__parent").first()
                 if code else None)
    return (territory.code, territory_label(territory)) if territory else None


def territory_label(territory: Territory) -> str:
    """"село Батьово (Батівська громада, Берегівський район)"."""
    names = []
    parent = territory.parent
    while parent is not None and parent.level >= TerritoryLevel.RAION:
        names.append(parent.full_name if parent.level == TerritoryLevel.RAION else parent.name)
        parent = parent.parent
    return f"{territory.full_name} ({', '.join(names)})" if names else territory.full_name
