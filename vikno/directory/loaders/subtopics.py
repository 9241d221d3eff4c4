"""The fine sub-topic tree: group nodes (no parent) and the sub-topics under them.

The tree has at most two levels and a sub-topic belongs to the Part II topic of its group, so
that the statutory reports, which count by topic, add up whichever level an operator picked.
Whether a sub-topic is active is the administrator's choice: the file does not touch it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vikno.directory.loaders.base import Counts, CsvFile, Record, Upsert
from vikno.directory.models import SubTopic, Topic

COLUMNS = ["code", "topic_code", "parent_code", "name", "needs_study", "sort"]


def _check_parent(source: CsvFile, record: Record, by_code: dict[str, Record]) -> str:
    """The group's code, after checking it is a group of the same topic."""
    code, parent_code = record.get("code"), record.get("parent_code")
    parent = by_code.get(parent_code)
    if parent is None or parent_code == code:
        raise source.error(record, _("unknown parent code %(code)r") % {"code": parent_code})
    if parent.get("parent_code"):
        raise source.error(
            record, _("the parent %(code)r is itself under a parent: the tree has two levels")
            % {"code": parent_code},
        )
    if parent.get("topic_code") != record.get("topic_code"):
        raise source.error(
            record, _("the parent %(code)r belongs to another topic") % {"code": parent_code}
        )
    return parent_code


def load_subtopics(source: CsvFile, topics: dict[str, Topic]) -> tuple[Counts, dict[str, SubTopic]]:
    records = source.read(COLUMNS)
    by_code = {r.get("code"): r for r in records}
    upsert: Upsert[SubTopic] = Upsert(
        source, SubTopic,
        key=lambda v: v["code"],
        existing=SubTopic.objects.all(),
        key_of=lambda s: s.code,
    )

    def values(record: Record, parent_id: int | None) -> dict[str, Any]:
        topic_code = source.require(record, "topic_code")
        if topic_code not in topics:
            raise source.error(record, _("unknown topic code %(code)r") % {"code": topic_code})
        return {
            "code": source.require(record, "code"),
            "topic_id": topics[topic_code].pk,
            "parent_id": parent_id,
            "name": source.require(record, "name"),
            "needs_study": source.boolean(record, "needs_study"),
            "sort": source.integer(record, "sort", default=0),
        }

    members = [r for r in records if r.get("parent_code")]
    parents = {r.line: _check_parent(source, r, by_code) for r in members}
    # Groups first, so that each sub-topic can name its group's id when it is inserted.
    for record in records:
        if not record.get("parent_code"):
            upsert.put(record, values(record, None))
    upsert.flush()
    for record in members:
        upsert.put(record, values(record, upsert.index[parents[record.line]].pk))
    subtopics = {key: obj for key, _record, obj in upsert.items()}
    return upsert.counts(), subtopics
