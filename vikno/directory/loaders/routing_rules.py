"""Routing rules: (sub-topic or topic, territory) → one authority or a jurisdiction level.

A rule is identified by what it matches (sub-topic, topic, territory): the file holds at most
one rule per match, and changing the target in the file updates that rule instead of adding a
competing one. Whether a rule is active is the administrator's choice.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from vikno.directory.loaders.base import Counts, CsvFile, Upsert
from vikno.directory.models import (
    Authority,
    RoutingRule,
    SubTopic,
    TargetLevel,
    Territory,
    Topic,
)

COLUMNS = ["subtopic_code", "topic_code", "territory_code", "authority_code", "target_level", "note"]


def load_routing_rules(
    source: CsvFile,
    *,
    subtopics: dict[str, SubTopic],
    topics: dict[str, Topic],
    territories: dict[str, Territory],
    authorities: dict[str, Authority],
) -> Counts:
    records = source.read(COLUMNS)
    upsert: Upsert[RoutingRule] = Upsert(
        source, RoutingRule,
        key=lambda v: (v["subtopic_id"], v["topic_id"], v["territory_id"]),
        existing=RoutingRule.objects.all(),
        key_of=lambda r: (r.subtopic_id, r.topic_id, r.territory_id),
    )
    for record in records:
        subtopic_code = record.get("subtopic_code")
        topic_code = record.get("topic_code")
        territory_code = record.get("territory_code")
        authority_code = record.get("authority_code")
        target_level = record.get("target_level")
        subtopic = subtopics.get(subtopic_code) if subtopic_code else None
        if subtopic_code and subtopic is None:
            raise source.error(
                record, _("unknown sub-topic code %(code)r") % {"code": subtopic_code}
            )
        topic = topics.get(topic_code) if topic_code else None
        if topic_code and topic is None:
            raise source.error(record, _("unknown topic code %(code)r") % {"code": topic_code})
        if subtopic and topic and subtopic.topic_id != topic.pk:
            raise source.error(
                record, _("the sub-topic %(code)r does not belong to the topic %(topic)r")
                % {"code": subtopic_code, "topic": topic_code},
            )
        if territory_code and territory_code not in territories:
            raise source.error(
                record, _("unknown territory code %(code)r") % {"code": territory_code}
            )
        if authority_code and authority_code not in authorities:
            raise source.error(
                record, _("unknown authority code %(code)r") % {"code": authority_code}
            )
        if target_level and target_level not in TargetLevel.values:
            raise source.error(
                record, _("unknown target level %(level)r") % {"level": target_level}
            )
        if bool(authority_code) == bool(target_level):
            raise source.error(
                record, _("a rule names either authority_code or target_level, exactly one")
            )
        upsert.put(record, {
            "subtopic_id": subtopic.pk if subtopic else None,
            "topic_id": topic.pk if topic else None,
            "territory_id": territory_code or None,
            "authority_id": authorities[authority_code].pk if authority_code else None,
            "target_level": target_level,
            "note": record.get("note"),
        })
    return upsert.counts()
