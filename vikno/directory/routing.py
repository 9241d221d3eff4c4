"""Routing: (sub-topic, territory) → authority. The most specific active rule wins.

Specificity: a rule for the sub-topic beats one for its Part II topic, which beats a rule for any
topic; within that, a deeper territory (settlement > hromada > raion > oblast) beats a wider one,
and a rule for any territory comes last. A rule with `target_level` names "the council of the
appeal's hromada" (or raion / oblast administration): it resolves through the territory tree.
"""

from __future__ import annotations

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


def route(subtopic: SubTopic, territory: Territory | None) -> Authority:
    """The suggested main executor. Falls back to the centre's default authority."""
    for rule in candidate_rules(subtopic, territory):
        if rule.authority_id and rule.authority and rule.authority.is_active:
            return rule.authority
        if rule.target_level:
            found = _authority_by_level(rule.target_level, territory)
            if found is not None:
                return found
    default = Authority.objects.filter(
        code=settings.VIKNO["DEFAULT_AUTHORITY"], is_active=True
    ).first()
    if default is None:
        raise NoRoute("no_route", _("No executor could be found for this topic and territory."))
    return default
