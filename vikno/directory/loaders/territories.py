"""Territories from the KATOTTG codifier: oblast → raion → hromada → settlement."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vikno.directory.loaders.base import Counts, CsvFile, Record, Upsert
from vikno.directory.models import Territory, TerritoryLevel

COLUMNS = ["code", "parent_code", "level", "category", "category_name", "name", "full_name"]


def _paths(source: CsvFile, records: list[Record]) -> dict[str, str]:
    """'/'-joined codes from the oblast down, checking that every parent is listed and that
    each unit sits exactly one level below its parent."""
    by_code: dict[str, Record] = {}
    for record in records:
        code = source.require(record, "code")
        if code in by_code:
            raise source.error(
                record, _("duplicate of line %(line)d") % {"line": by_code[code].line}
            )
        by_code[code] = record
    paths: dict[str, str] = {}

    def path_of(code: str, trail: tuple[str, ...] = ()) -> str:
        if code in paths:
            return paths[code]
        record = by_code[code]
        if code in trail:
            raise source.error(record, _("the parent codes form a cycle"))
        level = source.integer(record, "level")
        if level not in TerritoryLevel.values:
            raise source.error(record, _("unknown level %(level)d") % {"level": level})
        parent_code = record.get("parent_code")
        if not parent_code:
            if level != TerritoryLevel.OBLAST:
                raise source.error(record, _("only an oblast may have no parent"))
            paths[code] = code
            return code
        if parent_code not in by_code:
            raise source.error(
                record, _("unknown parent code %(code)r") % {"code": parent_code}
            )
        parent_level = source.integer(by_code[parent_code], "level")
        if level != parent_level + 1:
            raise source.error(
                record, _("level %(level)d cannot sit under a unit of level %(parent)d")
                % {"level": level, "parent": parent_level},
            )
        paths[code] = f"{path_of(parent_code, (*trail, code))}/{code}"
        return paths[code]

    for code in by_code:
        path_of(code)
    return paths


def load_territories(source: CsvFile) -> Counts:
    records = source.read(COLUMNS)
    paths = _paths(source, records)
    upsert: Upsert[Territory] = Upsert(
        source, Territory,
        key=lambda v: v["code"],
        existing=Territory.objects.all(),
        key_of=lambda t: t.code,
    )
    # Parents first, so that every foreign key points at a row that already exists.
    for record in sorted(records, key=lambda r: paths[r.get("code")].count("/")):
        code = record.get("code")
        upsert.put(record, {
            "code": code,
            "parent_id": record.get("parent_code") or None,
            "level": source.integer(record, "level"),
            "category": source.require(record, "category"),
            "category_name": record.get("category_name"),
            "name": source.require(record, "name"),
            "full_name": source.require(record, "full_name"),
            "path": paths[code],
        })
    return upsert.counts()
