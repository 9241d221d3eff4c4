"""The Classifier of appeals: its editions, the Part I axes and the Part II topics."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from vikno.directory.loaders.base import Counts, CsvFile, Record, Upsert
from vikno.directory.models import Axis, ClassifierItem, ClassifierVersion, Topic

TOPIC_CODE = re.compile(r"^\d{3}$")


def load_versions(source: CsvFile) -> tuple[Counts, dict[str, ClassifierVersion]]:
    records = source.read(["code", "title", "source", "valid_from", "valid_to"])
    upsert: Upsert[ClassifierVersion] = Upsert(
        source, ClassifierVersion,
        key=lambda v: v["code"],
        existing=ClassifierVersion.objects.all(),
        key_of=lambda v: v.code,
    )
    for record in records:
        valid_from = source.day(record, "valid_from")
        valid_to = source.day(record, "valid_to", optional=True)
        if valid_from and valid_to and valid_to <= valid_from:
            raise source.error(record, _("valid_to must be later than valid_from"))
        upsert.put(record, {
            "code": source.require(record, "code"),
            "title": source.require(record, "title"),
            "source": record.get("source"),
            "valid_from": valid_from,
            "valid_to": valid_to,
        })
    versions = {key: obj for key, _record, obj in upsert.items()}
    return upsert.counts(), versions


def _version(
    source: CsvFile, record: Record, versions: dict[str, ClassifierVersion]
) -> ClassifierVersion:
    code = source.require(record, "version")
    if code not in versions:
        raise source.error(record, _("unknown classifier version %(code)r") % {"code": code})
    return versions[code]


def load_items(source: CsvFile, versions: dict[str, ClassifierVersion]) -> Counts:
    records = source.read(["version", "axis", "code", "name", "name_en", "is_privileged", "sort"])
    upsert: Upsert[ClassifierItem] = Upsert(
        source, ClassifierItem,
        key=lambda v: (v["version_id"], v["axis"], v["code"]),
        existing=ClassifierItem.objects.filter(version__in=versions.values()),
        key_of=lambda i: (i.version_id, i.axis, i.code),
    )
    for record in records:
        axis = source.integer(record, "axis")
        if axis not in Axis.values:
            raise source.error(record, _("unknown axis %(axis)d") % {"axis": axis})
        code = source.require(record, "code")
        if not code.startswith(f"{axis}."):
            raise source.error(
                record, _("code %(code)r does not belong to axis %(axis)d")
                % {"code": code, "axis": axis},
            )
        upsert.put(record, {
            "version_id": _version(source, record, versions).pk,
            "axis": axis,
            "code": code,
            "name": source.require(record, "name"),
            "name_en": record.get("name_en"),
            "is_privileged": source.boolean(record, "is_privileged", default=False),
            "sort": source.integer(record, "sort", default=0),
        })
    return upsert.counts()


def load_topics(source: CsvFile, versions: dict[str, ClassifierVersion]) -> Counts:
    records = source.read(["version", "code", "name", "name_en"])
    upsert: Upsert[Topic] = Upsert(
        source, Topic,
        key=lambda v: (v["version_id"], v["code"]),
        existing=Topic.objects.filter(version__in=versions.values()),
        key_of=lambda t: (t.version_id, t.code),
    )
    for record in records:
        code = source.require(record, "code")
        if not TOPIC_CODE.match(code):
            raise source.error(
                record, _("a topic code has three digits, not %(code)r") % {"code": code}
            )
        upsert.put(record, {
            "version_id": _version(source, record, versions).pk,
            "code": code,
            "name": source.require(record, "name"),
            "name_en": record.get("name_en"),
        })
    return upsert.counts()
