"""Authorities: the bodies that execute appeals, from zakarpattia/authorities.csv (the region's
sources, kept unchanged) and the optional authorities_extra.csv (bodies routing needs that the
sources do not list yet; each marked as planned until confirmed).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vikno.directory.loaders.base import Counts, CsvFile, Record, Upsert
from vikno.directory.models import Authority, Delivery, Territory, TerritoryLevel

COLUMNS = [
    "authority_id", "name", "authority_type", "level", "jurisdiction_katottg", "address", "phone",
    "hotline", "email", "website", "working_hours", "reception_note", "source_url", "evidence",
    "evidence_date", "confidence", "notes",
]

# The source's authority_type → our stable `kind`. A new type must be added here on purpose:
# it decides delivery and parent, so an unknown one stops the load rather than guessing.
KINDS = {
    "oblast_state_administration": "oblast_state_administration",
    "oblast_council": "oblast_council",
    "oda_department": "oda_department",
    "raion_state_administration": "raion_state_administration",
    "territorial_body": "territorial_body",
    "міська_рада (hromada council)": "city_council",
    "селищна_рада (hromada council)": "settlement_council",
    "сільська_рада (hromada council)": "village_council",
    "national_hotline": "national_hotline",
}
# Appeals for the Government hotline leave through its own channel, not an in-system queue.
DELIVERY = {"national_hotline": Delivery.GCC}
# A department hangs under the oblast administration of its territory.
PARENT_KIND = {"oda_department": "oblast_state_administration"}
# The territory level each authority level must have; a national body has no territory.
TERRITORY_LEVEL = {
    "oblast": TerritoryLevel.OBLAST,
    "raion": TerritoryLevel.RAION,
    "hromada": TerritoryLevel.HROMADA,
    "national": None,
}


def _notes(record: Record) -> str:
    """Keep how sure the sources are next to the data, for whoever confirms it."""
    parts = [record.get("notes")]
    if record.get("confidence"):
        parts.append(f"confidence: {record.get('confidence')}")
    if record.get("evidence"):
        dated = f" ({record.get('evidence_date')})" if record.get("evidence_date") else ""
        parts.append(f"evidence{dated}: {record.get('evidence')}")
    return "\n".join(p for p in parts if p)


def _values(
    source: CsvFile, record: Record, territories: dict[str, Territory]
) -> dict[str, Any]:
    source_type = source.require(record, "authority_type")
    if source_type not in KINDS:
        raise source.error(
            record, _("unknown authority type %(type)r") % {"type": source_type}
        )
    level = source.require(record, "level")
    if level not in TERRITORY_LEVEL:
        raise source.error(record, _("unknown level %(level)r") % {"level": level})
    territory_code = record.get("jurisdiction_katottg")
    territory = territories.get(territory_code) if territory_code else None
    if territory_code and territory is None:
        raise source.error(
            record, _("unknown territory code %(code)r") % {"code": territory_code}
        )
    expected = TERRITORY_LEVEL[level]
    if (territory.level if territory else None) != expected:
        raise source.error(
            record, _("an authority of level %(level)r needs a territory of the same level")
            % {"level": level},
        )
    values: dict[str, Any] = {
        "code": source.require(record, "authority_id"),
        "name": source.require(record, "name"),
        "kind": KINDS[source_type],
        "level": level,
        "territory_id": territory.code if territory else None,
        "delivery": DELIVERY.get(source_type, Delivery.IN_SYSTEM),
        "address": record.get("address"),
        "phone": record.get("phone"),
        "hotline": record.get("hotline"),
        "email": record.get("email"),
        "website": record.get("website"),
        "working_hours": record.get("working_hours"),
        "reception_note": record.get("reception_note"),
        "source_url": record.get("source_url"),
        "notes": _notes(record),
    }
    # Only a file that states activity decides it; otherwise it stays the administrator's choice.
    if "is_active" in record.values:
        values["is_active"] = source.boolean(record, "is_active", default=True)
    return values


def load_authorities(
    sources: list[CsvFile], territories: dict[str, Territory]
) -> tuple[Counts, dict[str, Authority]]:
    existing = list(Authority.objects.all())
    upserts: dict[str, Upsert[Authority]] = {}
    rows: list[tuple[CsvFile, Record]] = []
    for source in sources:
        upserts[source.name] = Upsert(
            source, Authority,
            key=lambda v: v["code"],
            existing=existing,
            key_of=lambda a: a.code,
        )
        rows.extend((source, record) for record in source.read(COLUMNS))
    seen: dict[str, str] = {}
    # Bodies without a parent first, so that a department can name its administration's id.
    for with_parent in (False, True):
        for source, record in rows:
            if (record.get("authority_type") in PARENT_KIND) != with_parent:
                continue
            values = _values(source, record, territories)
            if values["code"] in seen and seen[values["code"]] != source.name:
                raise source.error(
                    record, _("the code %(code)r is already listed in %(file)s")
                    % {"code": values["code"], "file": seen[values["code"]]},
                )
            seen[values["code"]] = source.name
            values["parent_id"] = (
                _parent_id(source, record, values, upserts) if with_parent else None
            )
            upserts[source.name].put(record, values)
        for upsert in upserts.values():
            upsert.flush()
    authorities = {
        key: obj for upsert in upserts.values() for key, _record, obj in upsert.items()
    }
    counts = Counts(stale=len({a.code for a in existing} - set(authorities)))
    for upsert in upserts.values():
        part = upsert.counts()
        counts.created += part.created
        counts.updated += part.updated
        counts.unchanged += part.unchanged
    return counts, authorities


def load_superiors(source: CsvFile, authorities: dict[str, Authority]) -> Counts:
    """ст.16: zakarpattia/authority_superiors.csv names, per body, the body a complaint about it
    goes to in the order of subordination (ADR 12). A body the file does not list keeps none."""
    counts = Counts()
    for record in source.read(["authority_id", "superior_id"]):
        code = source.require(record, "authority_id")
        authority = authorities.get(code)
        if authority is None:
            raise source.error(record, _("unknown authority %(code)r") % {"code": code})
        superior_code = record.get("superior_id")
        superior = authorities.get(superior_code) if superior_code else None
        if superior_code and superior is None:
            raise source.error(record, _("unknown superior body %(code)r") % {"code": superior_code})
        if superior is not None and superior.pk == authority.pk:
            raise source.error(record, _("a body cannot be its own superior"))
        wanted = superior.pk if superior else None
        if authority.superior_id == wanted:
            counts.unchanged += 1
            continue
        Authority.objects.filter(pk=authority.pk).update(superior_id=wanted)
        authority.superior_id = wanted
        counts.updated += 1
    return counts


def _parent_id(
    source: CsvFile, record: Record, values: dict[str, Any], upserts: dict[str, Upsert[Authority]]
) -> int:
    parent_kind = PARENT_KIND[record.get("authority_type")]
    parents = [
        obj
        for upsert in upserts.values()
        for key, obj in upsert.index.items()
        if key in upsert.seen
        and obj.kind == parent_kind and obj.territory_id == values["territory_id"]
    ]
    if len(parents) != 1:
        raise source.error(
            record, _("expected exactly one %(kind)s on the same territory as the parent, "
                      "found %(count)d") % {"kind": parent_kind, "count": len(parents)},
        )
    return parents[0].pk
