"""Routing: (sub-topic, territory) → authority. The most specific active rule wins.

Specificity: a rule for the sub-topic beats one for its Part II topic, which beats a rule for any
topic; within that, a deeper territory (settlement > hromada > raion > oblast) beats a wider one,
and a rule for any territory comes last. A rule with `target_level` names "the council of the
appeal's hromada" (or raion / oblast administration): it resolves through the territory tree.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from vikno.core.errors import ApplicationError
from vikno.directory.models import Authority, RoutingRule, SubTopic, TargetLevel, Territory

LEVEL_DEPTH = {TargetLevel.OBLAST: 1, TargetLevel.RAION: 2, TargetLevel.HROMADA: 3}


class NoRoute(ApplicationError):
    pass


def _specificity(rule: RoutingRule, territory_depth: dict[str, int]) -> tuple[int, int]:
    topic_rank = 2 if rule.subtopic_id else (1 if rule.topic_id else 0)
    place_rank = territory_depth.get(rule.territory_id, 0) if rule.territory_id else 0
    return (topic_rank, place_rank)


def _authority_by_level(level: str, territory: Territory | None) -> Authority | None:
    if territory is None:
        return None
    codes = territory.ancestor_codes()
    depth = LEVEL_DEPTH[TargetLevel(level)]
    if len(codes) < depth:
        return None
    return (
        Authority.objects.filter(territory_id=codes[depth - 1], level=level, is_active=True)
        .order_by("id")
        .first()
    )


def candidate_rules(subtopic: SubTopic, territory: Territory | None) -> list[RoutingRule]:
    """Matching active rules, most specific first."""
    codes = territory.ancestor_codes() if territory else []
    depth = {code: i + 1 for i, code in enumerate(codes)}
    rules = RoutingRule.objects.filter(
        Q(subtopic=subtopic) | Q(subtopic__isnull=True, topic_id=subtopic.topic_id)
        | Q(subtopic__isnull=True, topic__isnull=True),
        Q(territory__isnull=True) | Q(territory_id__in=codes),
        is_active=True,
    ).select_related("authority")
    return sorted(rules, key=lambda r: (_specificity(r, depth), -r.pk), reverse=True)


def _default() -> Authority:
    default = Authority.objects.filter(
        code=settings.VIKNO["DEFAULT_AUTHORITY"], is_active=True
    ).first()
    if default is None:
        raise NoRoute("no_route", _("No executor could be found for this topic and territory."))
    return default


def _resolve(rules: list[RoutingRule], territory: Territory | None,
             by_level: Callable[[str, Territory | None], Authority | None],
             default: Callable[[], Authority]) -> Authority:
    """The first of the rules (most specific first) that names an active executor."""
    for rule in rules:
        if rule.authority_id and rule.authority and rule.authority.is_active:
            return rule.authority
        if rule.target_level:
            found = by_level(rule.target_level, territory)
            if found is not None:
                return found
    return default()


def route(subtopic: SubTopic, territory: Territory | None) -> Authority:
    """The suggested main executor. Falls back to the centre's default authority."""
    return _resolve(candidate_rules(subtopic, territory), territory, _authority_by_level, _default)


class RuleBook:
    """Every active rule read once, for routing many appeals in a row (generated appeals): the
    same answer as route(), without its queries per appeal."""

    def __init__(self) -> None:
        self.rules = list(RoutingRule.objects.filter(is_active=True).select_related("authority"))
        self._levels: dict[tuple[str, str], Authority | None] = {}
        self._default: Authority | None = None

    def _candidates(self, subtopic: SubTopic, territory: Territory | None) -> list[RoutingRule]:
        codes = territory.ancestor_codes() if territory else []
        depth = {code: i + 1 for i, code in enumerate(codes)}
        rules = [r for r in self.rules
                 if (r.subtopic_id == subtopic.pk
                     or (r.subtopic_id is None and r.topic_id in (subtopic.topic_id, None)))
                 and (r.territory_id is None or r.territory_id in depth)]
        return sorted(rules, key=lambda r: (_specificity(r, depth), -r.pk), reverse=True)

    def _by_level(self, level: str, territory: Territory | None) -> Authority | None:
        codes = territory.ancestor_codes() if territory else []
        depth = LEVEL_DEPTH[TargetLevel(level)]
        key = (level, codes[depth - 1] if len(codes) >= depth else "")
        if key not in self._levels:
            self._levels[key] = _authority_by_level(level, territory)
        return self._levels[key]

    def _default_authority(self) -> Authority:
        if self._default is None:
            self._default = _default()
        return self._default

    def route(self, subtopic: SubTopic, territory: Territory | None) -> Authority:
        return _resolve(self._candidates(subtopic, territory), territory, self._by_level,
                        self._default_authority)
