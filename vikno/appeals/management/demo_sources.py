"""What the demo appeals are made of: texts from the sample corpus, fake applicants, dates, places.

Every applicant here is invented: names are drawn from short lists (data/demo/names.csv), phone
numbers are random, e-mail addresses use the reserved example.* domains. Nothing is anybody's.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from vikno.appeals.models import ApplicantKind
from vikno.appeals.models.applicants import Sex
from vikno.appeals.services import ApplicantData

CORPUS = Path("data/demo/kyiv1551_sample.csv.gz")
FALLBACK = Path("data/demo/fallback_appeals.csv")
NAMES = Path("data/demo/names.csv")
WINDOW_DAYS = 120
MOBILE_CODES = ("50", "66", "67", "95", "97")
MAIL_DOMAINS = ("example.com", "example.org", "example.net")
# Official Ukrainian transliteration (Cabinet Resolution No. 55 of 2010), enough for e-mail logins.
TRANSLIT = dict(zip(
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'’",
    ["a", "b", "v", "h", "g", "d", "e", "ie", "zh", "z", "y", "i", "i", "i", "k", "l", "m", "n", "o",
     "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "iu", "ia", "", ""],
    strict=True,
))


@dataclass(frozen=True)
class SourceText:
    text: str
    subtopic_code: str
    received: dt.datetime | None  # Kyiv local time in the corpus; None in the fallback list
    status: str  # the final status in Kyiv, a hint for the kind of answer


def read_texts(base: Path) -> tuple[list[SourceText], str]:
    """The sample corpus when present, else the short built-in list. Returns (rows, source name)."""
    if (base / CORPUS).exists():
        return read_texts_from(base / CORPUS)[0], str(CORPUS)
    return read_texts_from(base / FALLBACK)[0], str(FALLBACK)


def read_texts_from(path: Path) -> tuple[list[SourceText], Path]:
    """Rows of one file with the columns legacy_id,received,topic,subtopic_code,status,lang,text."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return [_row(r) for r in csv.DictReader(handle)], path


def _row(raw: dict[str, str]) -> SourceText:
    received = None
    if raw.get("received"):
        received = dt.datetime.fromisoformat(raw["received"])
    return SourceText(text=raw["text"], subtopic_code=raw["subtopic_code"], received=received,
                      status=raw.get("status", ""))


def spread_dates(rows: list[SourceText], *, count: int, now: dt.datetime,
                 rng: random.Random) -> Iterator[tuple[SourceText, dt.datetime]]:
    """`count` rows with receipt times in the last WINDOW_DAYS days.

    A corpus date is moved by whole years to its latest anniversary before now; when that falls in
    the window it is kept (October's heating complaints stay in October), otherwise the row gets a
    random day in the window at its own time of day. Rows in season come first.
    """
    local_now = timezone.localtime(now)
    start = local_now.date() - dt.timedelta(days=WINDOW_DAYS - 1)
    placed: list[tuple[bool, float, SourceText, dt.datetime]] = []
    for row in rows:
        when, in_season = _shifted(row.received, local_now, start, rng)
        placed.append((not in_season, rng.random(), row, when))
    placed.sort(key=lambda item: (item[0], item[1]))
    for index in range(count):
        _, _, row, when = placed[index % len(placed)]
        if index >= len(placed):  # more appeals asked than texts: the text again, another day
            when, _ = _shifted(None, local_now, start, rng)
        yield row, when


def _shifted(original: dt.datetime | None, now: dt.datetime, start: dt.date,
             rng: random.Random) -> tuple[dt.datetime, bool]:
    tz = now.tzinfo
    if original is not None:
        day = _anniversary(original.date(), now.date())
        if day >= start:
            when = dt.datetime.combine(day, original.time(), tzinfo=tz)
            if when > now:  # today, but later than now: earlier today instead
                when = now - dt.timedelta(minutes=rng.randint(1, 120))
            return when, True
    day = start + dt.timedelta(days=rng.randrange((now.date() - start).days + 1))
    clock_time = original.time() if original else dt.time(rng.randint(8, 19), rng.randint(0, 59))
    when = dt.datetime.combine(day, clock_time, tzinfo=tz)
    if when > now:
        when = now - dt.timedelta(minutes=rng.randint(1, 120))
    return when, False


def _anniversary(day: dt.date, today: dt.date) -> dt.date:
    """The latest date with the same month and day not after `today` (29 Feb → 28 Feb)."""
    for year in (today.year, today.year - 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:
            candidate = dt.date(year, 2, 28)
        if candidate <= today:
            return candidate
    return today


class People:
    """Invented applicants with plausible Ukrainian names, phones, e-mails and addresses."""

    def __init__(self, base: Path, rng: random.Random, settlements: list[Any]) -> None:
        lists: dict[str, list[tuple[str, str]]] = {}
        with (base / NAMES).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                lists.setdefault(row["kind"], []).append((row["value"], row["value_female"]))
        self.lists = lists
        self.rng = rng
        self.settlements = settlements

    def _pick(self, kind: str) -> tuple[str, str]:
        return self.rng.choice(self.lists[kind])

    def phone(self) -> str:
        r = self.rng
        return (f"0{r.choice(MOBILE_CODES)} {r.randint(100, 999)} {r.randint(10, 99)} "
                f"{r.randint(10, 99)}")

    def email(self, *words: str) -> str:
        login = ".".join(_translit(w) for w in words if w)
        return f"{login}{self.rng.randint(1, 99)}@{self.rng.choice(MAIL_DOMAINS)}"

    def address(self, settlement: Any) -> str:
        street = self._pick("street")[0]
        return f"{settlement.full_name}, {street}, {self.rng.randint(1, 120)}"

    def person(self, *, settlement: Any, category_code: str = "", social_status_code: str = "",
               email: bool = False, confidential: bool = False) -> ApplicantData:
        female = self.rng.random() < 0.55  # women write to contact centres more often
        surname_male, surname_female = self._pick("surname")
        first = self._pick("first_female" if female else "first_male")[0]
        patronymic_male, patronymic_female = self._pick("patronymic")
        last = surname_female if female else surname_male
        return ApplicantData(
            last_name=last, first_name=first,
            patronymic=patronymic_female if female else patronymic_male,
            address=self.address(settlement), territory_code=settlement.code,
            phone=self.phone(), email=self.email(first, last) if email else "",
            sex=Sex.FEMALE if female else Sex.MALE, category_code=category_code,
            social_status_code=social_status_code, confidential=confidential,
        )

    def organisation(self, *, settlement: Any) -> ApplicantData:
        name = self._pick("organisation")[0]
        return ApplicantData(
            kind=ApplicantKind.ORGANISATION, organisation_name=name,
            address=self.address(settlement), territory_code=settlement.code,
            phone=self.phone(), email=self.email("office", name.split("«")[-1].strip("»")),
        )


def _translit(word: str) -> str:
    return "".join(TRANSLIT.get(ch, ch if ch.isascii() and ch.isalnum() else "")
                   for ch in word.lower())
