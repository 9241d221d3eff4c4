"""Law 2939-VI ст.20: a request for public information is answered within 5 working days."""

from __future__ import annotations

from datetime import date

import pytest

from vikno.directory.deadlines import (
    WEEKDAYS,
    DeadlineError,
    WorkingCalendar,
    public_information_due,
    public_information_extension_check,
    public_information_max_due,
)


@pytest.mark.parametrize(("received", "due"), [
    (date(2026, 3, 2), date(2026, 3, 9)),  # Monday → next Monday
    (date(2026, 3, 4), date(2026, 3, 11)),  # Wednesday → next Wednesday
    (date(2026, 3, 6), date(2026, 3, 13)),  # Friday → next Friday
    (date(2026, 3, 7), date(2026, 3, 13)),  # Saturday: the count starts on Monday
    (date(2026, 3, 8), date(2026, 3, 13)),  # Sunday
    (date(2026, 12, 30), date(2027, 1, 6)),  # across the new year, weekends only
])
def test_five_working_days_count_monday_to_friday(received, due):
    assert public_information_due(received) == due


NEW_YEAR_2022 = [date(2022, 1, 1), date(2022, 1, 7)]  # a Saturday (moved to Monday), a Friday
EASTER_2023 = [date(2023, 4, 16)]  # a Sunday, under martial law: no day off moved


@pytest.mark.parametrize(("received", "holidays", "martial_law", "due"), [
    # 31.12 Fri, 03.01 the Saturday holiday moved to Monday, 04–06, 07.01 a holiday, 10.01
    (date(2021, 12, 30), NEW_YEAR_2022, [], date(2022, 1, 10)),
    # under martial law (from 24.03.2022) holidays are working days and none is moved
    (date(2023, 4, 14), EASTER_2023, [(date(2022, 3, 24), None)], date(2023, 4, 21)),
    (date(2023, 4, 14), EASTER_2023, [], date(2023, 4, 24)),
])
def test_the_working_calendar_skips_days_off(received, holidays, martial_law, due):
    calendar = WorkingCalendar.of(holidays, martial_law)

    assert public_information_due(received, calendar) == due


# Received Monday 02.03.2026: 5 working days end on 09.03, 20 working days on 30.03.
RECEIVED = date(2026, 3, 2)
DUE = date(2026, 3, 9)


@pytest.mark.parametrize(("calendar", "today", "new_due", "code"), [
    (WEEKDAYS, date(2026, 3, 5), date(2026, 3, 30), None),  # exactly 20 working days
    (WEEKDAYS, date(2026, 3, 5), date(2026, 3, 31), "extension_beyond_limit"),
    (WEEKDAYS, date(2026, 3, 5), date(2026, 4, 16), "extension_beyond_limit"),  # 45 days: not here
    (WEEKDAYS, date(2026, 3, 9), date(2026, 3, 20), None),  # told on the 5th working day
    (WEEKDAYS, date(2026, 3, 10), date(2026, 3, 20), "extension_too_late"),
    (WEEKDAYS, date(2026, 3, 5), DUE, "extension_not_later"),
    (WorkingCalendar.of([date(2026, 3, 9)]), date(2026, 3, 10), date(2026, 3, 31), None),
    (WorkingCalendar.of([date(2026, 3, 9)]), date(2026, 3, 10), date(2026, 4, 1),
     "extension_beyond_limit"),
])
def test_a_request_for_public_information_is_extended_to_20_working_days_at_most(
        calendar, today, new_due, code):
    # given a request received on 02.03 with its 5-working-day term
    current = public_information_due(RECEIVED, calendar)

    # when
    try:
        public_information_extension_check(RECEIVED, current, new_due, today=today,
                                           calendar=calendar)
        refused = None
    except DeadlineError as exc:
        refused = exc.code

    # then
    assert refused == code


@pytest.mark.parametrize(("received", "latest"), [
    (date(2026, 3, 2), date(2026, 3, 30)),
    (date(2026, 3, 7), date(2026, 4, 3)),  # a Saturday: the count starts on Monday
    (date(2026, 12, 21), date(2027, 1, 18)),
])
def test_the_latest_date_of_a_request_is_20_working_days_from_receipt(received, latest):
    assert public_information_max_due(received) == latest
