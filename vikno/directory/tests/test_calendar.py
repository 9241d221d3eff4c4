"""The working calendar as data: the holiday file, martial law, the cache, the admin."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from dateutil.easter import EASTER_ORTHODOX, easter
from django.conf import settings
from django.urls import reverse

from vikno.audit.models import AuditEvent
from vikno.directory.deadlines import warning_date
from vikno.directory.loaders import load_reference
from vikno.directory.models import Holiday, MartialLawPeriod
from vikno.directory.selectors import working_calendar

pytestmark = pytest.mark.django_db

D = date.fromisoformat
REFERENCE_DIR = Path(settings.BASE_DIR) / "data" / "reference"


def holiday_rows() -> list[dict[str, str]]:
    with (REFERENCE_DIR / "calendar_holidays.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_easter_and_trinity_are_the_orthodox_dates():
    # Labour Code ст.73 keeps Easter and Trinity by the Julian paschalion; dateutil computes it.
    rows = holiday_rows()
    easters = {D(r["date"]) for r in rows if r["name"].startswith("Пасха")}
    trinities = {D(r["date"]) for r in rows if r["name"] == "Трійця"}

    years = {d.year for d in easters}
    assert easters == {easter(year, EASTER_ORTHODOX) for year in years}
    assert trinities == {day + timedelta(days=49) for day in easters}


@pytest.mark.parametrize("year", range(2021, 2028))
def test_every_year_lists_the_fixed_holidays_of_article_73(year):
    days = {D(r["date"]) for r in holiday_rows() if r["date"].startswith(str(year))}
    fixed = {(1, 1), (3, 8), (5, 1), (6, 28), (8, 24), (12, 25)}
    moved_in_2023 = {(5, 8), (7, 15), (10, 1)} if year >= 2024 else {(5, 9)}

    assert {(d.month, d.day) for d in days} >= fixed | moved_in_2023
    assert (date(year, 1, 7) in days) == (year <= 2023)  # Christmas on 7 January until 2023


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("2021-05-04", "2021-04-30"),  # before the war: 1 and 2 May on a weekend moved days off
        ("2022-03-08", "2022-03-07"),  # martial law, but before Law No. 2136-IX took effect
        ("2026-03-08", "2026-03-06"),  # a Sunday, and no day off is moved under martial law
        ("2026-03-09", "2026-03-09"),
        ("2026-08-24", "2026-08-24"),  # Independence Day is a working day under martial law
    ],
)
def test_the_loaded_calendar_gives_the_warning_date(due, expected):
    # given the files loaded
    load_reference(directory=REFERENCE_DIR)

    # when / then
    assert warning_date(D(due), working_calendar()) == D(expected)
    assert MartialLawPeriod.objects.get().valid_to is None


def test_the_calendar_is_read_once_and_forgotten_on_change(django_assert_num_queries):
    # given a holiday, read once
    Holiday.objects.create(day=D("2030-01-01"), name="Новий рік")
    assert not working_calendar().is_working_day(D("2030-01-01"))

    # when read again: from the cache
    with django_assert_num_queries(0):
        working_calendar()

    # and when martial law is recorded, the next read sees it
    MartialLawPeriod.objects.create(valid_from=D("2029-01-01"))
    assert working_calendar().is_working_day(D("2030-01-01"))


def test_the_system_administrator_adds_a_holiday_audited_and_counted_at_once(client_for,
                                                                            system_admin):
    # given a Wednesday that is a working day
    assert warning_date(D("2030-01-02"), working_calendar()) == D("2030-01-02")

    # when the administrator adds it as a holiday
    response = client_for(system_admin).post(
        reverse("admin:directory_holiday_add"),
        {"day": "2030-01-02", "name": "Тестове свято", "source": "test"},
    )

    # then
    assert response.status_code == 302
    assert AuditEvent.objects.get().action == "directory.holiday.create"
    assert warning_date(D("2030-01-02"), working_calendar()) == D("2030-01-01")


def test_a_period_ending_before_it_starts_is_refused_and_nothing_written(client_for, system_admin):
    # when
    response = client_for(system_admin).post(
        reverse("admin:directory_martiallawperiod_add"),
        {"valid_from": "2030-01-10", "valid_to": "2030-01-01", "source": "test"},
    )

    # then
    assert response.status_code == 200
    assert not MartialLawPeriod.objects.exists()
    assert not AuditEvent.objects.exists()
