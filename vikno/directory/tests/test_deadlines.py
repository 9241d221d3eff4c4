"""The deadline rules of the Law (ст.5, ст.7, ст.20) as tables."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from vikno.directory.deadlines import (
    WEEKDAYS,
    DeadlineError,
    DeadlinePolicy,
    WorkingCalendar,
    add_months,
    consideration_due,
    days_left,
    extension_check,
    forwarding_due,
    latest_due_warned_by,
    max_due,
    queue_key,
    return_due,
    shortened_check,
    warning_date,
    working_days_after,
)

D = date.fromisoformat


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("2025-03-01", "2025-03-16"),
        ("2025-01-31", "2025-02-15"),
        ("2025-12-20", "2026-01-04"),  # across the new year
        ("2027-02-20", "2027-03-07"),  # February of 28 days
        ("2028-02-20", "2028-03-06"),  # February of 29 days (leap year)
        ("2028-02-29", "2028-03-15"),
    ],
)
def test_no_study_term_is_15_calendar_days(received, expected):
    # given an appeal that needs no additional study / when / then
    assert consideration_due(D(received), needs_study=False) == D(expected)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("2025-01-15", "2025-02-15"),
        ("2025-01-31", "2025-02-28"),  # clamped to the last day of February
        ("2028-01-31", "2028-02-29"),  # ... of a leap year
        ("2028-01-30", "2028-02-29"),
        ("2025-03-31", "2025-04-30"),
        ("2025-04-30", "2025-05-30"),  # same day number, not the month's end
        ("2025-12-31", "2026-01-31"),  # across the new year
        ("2024-02-29", "2024-03-29"),
        ("2025-02-28", "2025-03-28"),
    ],
)
def test_study_term_is_one_calendar_month(received, expected):
    # given an appeal that needs additional study / when / then
    assert consideration_due(D(received), needs_study=True) == D(expected)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2028-02-29", 12, "2029-02-28"),
        ("2025-11-30", 3, "2026-02-28"),
        ("2025-08-31", 1, "2025-09-30"),
        ("2025-05-31", 0, "2025-05-31"),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(D(day), months) == D(expected)


@pytest.mark.parametrize(
    ("rule", "received", "expected"),
    [
        (forwarding_due, "2025-06-28", "2025-07-03"),  # forwarding: 5 days (ст.7)
        (forwarding_due, "2028-02-26", "2028-03-02"),
        (return_due, "2025-06-28", "2025-07-08"),  # return for missing content: 10 days (ст.5)
        (return_due, "2025-12-25", "2026-01-04"),
        (max_due, "2025-01-01", "2025-02-15"),  # the cap: 45 days (ст.20)
        (max_due, "2028-01-20", "2028-03-05"),
    ],
)
def test_fixed_day_terms(rule, received, expected):
    assert rule(D(received)) == D(expected)


def test_a_policy_may_shorten_the_terms():
    # given a centre that promises 10 days instead of 15
    policy = DeadlinePolicy(no_study_days=10)

    # when / then
    assert consideration_due(D("2025-03-01"), needs_study=False, policy=policy) == D("2025-03-11")


@pytest.mark.parametrize(
    ("new_due", "allowed", "code"),
    [
        ("2025-02-14", True, None),
        ("2025-02-15", True, None),  # exactly 45 days from receipt
        ("2025-02-16", False, "extension_beyond_limit"),  # day 46
        ("2025-03-31", False, "extension_beyond_limit"),
        ("2025-02-01", False, "extension_not_later"),  # the current term itself
        ("2025-01-20", False, "extension_not_later"),  # earlier than the current term
    ],
)
def test_extension_up_to_45_days_from_receipt(new_due, allowed, code):
    # given an appeal received on 1 January with a one-month term
    received, current = D("2025-01-01"), D("2025-02-01")

    # when / then
    if allowed:
        extension_check(received, current, D(new_due))
    else:
        with pytest.raises(DeadlineError) as refused:
            extension_check(received, current, D(new_due))
        assert refused.value.code == code
        assert refused.value.field == "new_due_date"


def test_an_extension_refusal_names_the_latest_possible_date():
    with pytest.raises(DeadlineError) as refused:
        extension_check(D("2028-01-20"), D("2028-02-20"), D("2028-03-06"))

    assert refused.value.extra == {"max_due_date": "2028-03-05"}


@pytest.mark.parametrize(
    ("new_due", "allowed"),
    [
        ("2025-03-01", True),  # the day of receipt
        ("2025-03-05", True),
        ("2025-03-16", True),  # the current term (no change)
        ("2025-02-28", False),  # before receipt
        ("2025-03-17", False),  # not shorter but longer
    ],
)
def test_shortened_term_lies_between_receipt_and_the_current_term(new_due, allowed):
    received, current = D("2025-03-01"), D("2025-03-16")

    if allowed:
        shortened_check(received, current, D(new_due))
    else:
        with pytest.raises(DeadlineError) as refused:
            shortened_check(received, current, D(new_due))
        assert refused.value.code == "invalid_value"


@pytest.mark.parametrize(
    ("due", "today", "left"),
    [("2025-03-16", "2025-03-10", 6), ("2025-03-16", "2025-03-16", 0), ("2025-03-16", "2025-03-18", -2)],
)
def test_days_left_is_negative_when_overdue(due, today, left):
    assert days_left(D(due), D(today)) == left


def test_queue_puts_priority_applicants_first_then_the_nearest_due_date():
    # given appeals of ordinary and privileged applicants with various terms
    appeals = [
        ("ordinary, due soon", False, D("2025-03-02")),
        ("privileged, due late", True, D("2025-03-30")),
        ("ordinary, due late", False, D("2025-03-20")),
        ("privileged, due soon", True, D("2025-03-05")),
    ]

    # when
    ordered = sorted(appeals, key=lambda a: queue_key(priority=a[1], due=a[2]))

    # then
    assert [a[0] for a in ordered] == [
        "privileged, due soon",
        "privileged, due late",
        "ordinary, due soon",
        "ordinary, due late",
    ]


# Holidays of 2021 (before martial law): 1 May is a Saturday, Easter 2 May and 9 May Sundays, so
# Monday 3, Tuesday 4 and Monday 10 May were days off (ст.67 ч.3).
PEACE = WorkingCalendar.of(
    [D("2021-01-01"), D("2021-01-07"), D("2021-03-08"), D("2021-05-01"), D("2021-05-02"),
     D("2021-05-09"), D("2026-05-31")],
)
# Martial law from 24.03.2022 (Law No. 2136-IX), still in force.
WAR = WorkingCalendar.of(
    [D("2022-03-08"), D("2022-04-24"), D("2024-03-08"), D("2024-05-05"), D("2026-05-31")],
    [(D("2022-03-24"), None)],
)
# A martial-law period that ended: holidays after it are days off again.
ENDED = WorkingCalendar.of(
    [D("2022-08-24"), D("2023-03-08"), D("2023-04-16")],
    [(D("2022-03-24"), D("2022-12-31"))],
)


@pytest.mark.parametrize(
    ("calendar", "due", "expected"),
    [
        (PEACE, "2021-03-10", "2021-03-10"),  # a working Wednesday: the control date itself
        (PEACE, "2021-03-13", "2021-03-12"),  # Saturday → Friday
        (PEACE, "2021-03-14", "2021-03-12"),  # Sunday → Friday
        (PEACE, "2021-03-08", "2021-03-05"),  # a holiday on Monday → the Friday before
        (PEACE, "2021-01-01", "2020-12-31"),  # New Year on Friday → across the year end
        (PEACE, "2021-05-04", "2021-04-30"),  # a moved day off → across the month end
        (PEACE, "2021-05-10", "2021-05-07"),  # 9 May on Sunday moves the day off to Monday
        (PEACE, "2026-05-31", "2026-05-29"),  # Trinity, a Sunday at a month end
        (WAR, "2022-03-08", "2022-03-07"),  # before the martial-law rule: still a holiday
        (WAR, "2024-03-08", "2024-03-08"),  # inside it: a holiday is a working day
        (WAR, "2024-05-05", "2024-05-03"),  # Easter is a Sunday all the same
        (WAR, "2024-05-06", "2024-05-06"),  # …but the day off is not moved to Monday
        (WAR, "2022-04-25", "2022-04-25"),
        (ENDED, "2022-08-24", "2022-08-24"),  # inside the ended period: working
        (ENDED, "2023-03-08", "2023-03-07"),  # after it: a holiday again
        (ENDED, "2023-04-17", "2023-04-14"),  # and Easter moves the day off to Monday again
        (WEEKDAYS, "2026-02-28", "2026-02-27"),  # no calendar loaded: weekends only
    ],
)
def test_warning_date_is_the_last_working_day_before_a_day_off(calendar, due, expected):
    # given a control date (the Law counts calendar days) / when / then
    assert warning_date(D(due), calendar) == D(expected)


@pytest.mark.parametrize(
    ("calendar", "day", "expected"),
    [
        (PEACE, "2021-03-10", "2021-03-10"),  # Wednesday before a working Thursday: itself
        (PEACE, "2021-03-12", "2021-03-14"),  # Friday warns for Saturday and Sunday too
        (PEACE, "2021-03-05", "2021-03-08"),  # Friday before a holiday Monday: up to Monday
        (PEACE, "2021-04-30", "2021-05-04"),  # Friday before the May run of days off
        (PEACE, "2021-05-07", "2021-05-10"),  # the day off moved from Sunday to Monday
        (WAR, "2024-05-03", "2024-05-05"),  # under martial law nothing is moved to Monday
        (WEEKDAYS, "2026-02-27", "2026-03-01"),
    ],
)
def test_the_latest_due_date_warned_by_a_day_covers_the_days_off_after_it(calendar, day,
                                                                          expected):
    # given a day of reminders / when / then every control date up to `expected` is warned by it
    latest = latest_due_warned_by(D(day), calendar)
    assert latest == D(expected)
    assert warning_date(latest, calendar) <= D(day)
    assert warning_date(latest + timedelta(days=1), calendar) > D(day)


@pytest.mark.parametrize(
    ("calendar", "start", "n", "expected"),
    [
        (WEEKDAYS, "2025-06-02", 5, "2025-06-09"),  # Monday + 5 working days = next Monday
        (WEEKDAYS, "2025-06-06", 1, "2025-06-09"),  # Friday + 1 = Monday
        (WEEKDAYS, "2025-06-07", 1, "2025-06-09"),  # from a Saturday
        (WEEKDAYS, "2025-06-04", 0, "2025-06-04"),
        (PEACE, "2021-04-30", 1, "2021-05-05"),  # 1–4 May are days off
        (PEACE, "2021-03-05", 1, "2021-03-09"),  # Monday 8 March is a holiday
        (WAR, "2024-03-07", 1, "2024-03-08"),  # under martial law 8 March is worked
    ],
)
def test_working_days_after_skips_weekends_and_days_off(calendar, start, n, expected):
    assert working_days_after(D(start), n, calendar) == D(expected)


def test_working_days_after_refuses_a_negative_count():
    with pytest.raises(ValueError):
        working_days_after(D("2025-06-02"), -1)
