"""The working calendar: public holidays and the martial-law periods that suspend them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vikno.directory.loaders.base import Counts, CsvFile, Upsert
from vikno.directory.models import Holiday, MartialLawPeriod


def load_holidays(source: CsvFile) -> Counts:
    records = source.read(["date", "name", "source"])
    upsert: Upsert[Holiday] = Upsert(
        source, Holiday,
        key=lambda v: v["day"],
        existing=Holiday.objects.all(),
        key_of=lambda h: h.day,
    )
    for record in records:
        upsert.put(record, {
            "day": source.day(record, "date"),
            "name": source.require(record, "name"),
            "source": record.get("source"),
        })
    return upsert.counts()


def load_martial_law(source: CsvFile) -> Counts:
    records = source.read(["valid_from", "valid_to", "source"])
    upsert: Upsert[MartialLawPeriod] = Upsert(
        source, MartialLawPeriod,
        key=lambda v: v["valid_from"],
        existing=MartialLawPeriod.objects.all(),
        key_of=lambda p: p.valid_from,
    )
    for record in records:
        valid_from = source.day(record, "valid_from")
        valid_to = source.day(record, "valid_to", optional=True)
        if valid_from and valid_to and valid_to < valid_from:
            raise source.error(record, _("valid_to must not be earlier than valid_from"))
        upsert.put(record, {
            "valid_from": valid_from,
            "valid_to": valid_to,
            "source": record.get("source"),
        })
    return upsert.counts()
