"""Deadlines of the Law "On citizens' appeals" (ст.5, ст.7, ст.20) as pure functions.

Terms run in calendar days from the day of receipt (the date in the centre's time zone):
- no additional study needed: 15 days; otherwise 1 calendar month (31 Jan + 1 month = 28/29 Feb);
- forwarding to the competent body: 5 days; return for missing content: 10 days;
- an extension is set by a supervisor with a reason, never past 45 days from receipt;
- the applicant may ask for a shorter term (any date from receipt on).

The Law counts calendar days, so a term may end on a weekend or a public holiday; the control date
stays as the Law has it, and `warning_date` gives the last working day before it, by which the
executor is warned and the reply should be sent. Which days are working days is data (the
`WorkingCalendar` built from the holiday calendar in data/reference/), never code.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from vikno.core.errors import ApplicationError

NO_STUDY_DAYS = 15
FORWARD_DAYS = 5
RETURN_DAYS = 10
MAX_DAYS = 45
PUBLIC_INFORMATION_DAYS = 5
PUBLIC_INFORMATION_MAX_DAYS = 20


@dataclass(frozen=True)
class DeadlinePolicy:
    """The terms in force. The defaults are the Law's; an instance may shorten, never lengthen."""

    no_study_days: int = NO_STUDY_DAYS
    study_months: int = 1
    forward_days: int = FORWARD_DAYS
    return_days: int = RETURN_DAYS
    max_days: int = MAX_DAYS


LAW = DeadlinePolicy()


class DeadlineError(ApplicationError):
    pass


def add_months(day: date, months: int) -> date:
    """Same day number `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def consideration_due(received_on: date, *, needs_study: bool, policy: DeadlinePolicy = LAW) -> date:
    """The control date of an appeal: 15 days, or 1 month when it needs additional study."""
    if needs_study:
        return min(add_months(received_on, policy.study_months), max_due(received_on, policy))
    return received_on + timedelta(days=policy.no_study_days)


def forwarding_due(received_on: date, policy: DeadlinePolicy = LAW) -> date:
    """An appeal outside the body's competence is forwarded within 5 days (ст.7)."""
    return received_on + timedelta(days=policy.forward_days)


def return_due(received_on: date, policy: DeadlinePolicy = LAW) -> date:
    """An appeal lacking the required content is returned within 10 days (ст.5)."""
    return received_on + timedelta(days=policy.return_days)


def max_due(received_on: date, policy: DeadlinePolicy = LAW) -> date:
    """No term, however extended, may pass 45 days from receipt (ст.20)."""
    return received_on + timedelta(days=policy.max_days)


def extension_check(
    received_on: date, current_due: date, new_due: date, policy: DeadlinePolicy = LAW
) -> None:
    """Refuse an extension that is not later than the current term or passes the 45-day cap."""
    cap = max_due(received_on, policy)
    if new_due > cap:
        raise DeadlineError(
            "extension_beyond_limit",
            _("The term cannot be extended beyond 45 days from receipt: the latest possible "
              "date is %(cap)s.") % {"cap": cap.strftime("%d.%m.%Y")},
            field="new_due_date",
            extra={"max_due_date": cap.isoformat()},
        )
    if new_due <= current_due:
        raise DeadlineError(
            "extension_not_later",
            _("The new control date must be later than the current one (%(due)s).")
            % {"due": current_due.strftime("%d.%m.%Y")},
            field="new_due_date",
        )


def shortened_check(received_on: date, current_due: date, new_due: date) -> None:
    """On the applicant's reasoned request a term may be shortened, not set before receipt."""
    if not received_on <= new_due <= current_due:
        raise DeadlineError(
            "invalid_value",
            _("A shortened control date must fall between the date of receipt and the current "
              "control date."),
            field="new_due_date",
        )


def days_left(due: date, today: date) -> int:
    """Negative when overdue."""
    return (due - today).days


def queue_key(*, priority: bool, due: date) -> tuple[int, date]:
    """Order of every work queue: priority applicants first (ст.20), then the nearest control date."""
    return (0 if priority else 1, due)


SATURDAY = 5


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days: Monday to Friday, except public holidays (Labour Code ст.73) and the day off
    that a holiday falling on a weekend moves to the next working day (ст.67 ч.3).

    Under martial law (Law No. 2136-IX, ст.6 ч.6) neither ст.73 nor ст.67 ч.3 applies: inside a
    period of `martial_law` a holiday is an ordinary working day and nothing is moved.
    A period is (first day, last day or None while it lasts).
    """

    holidays: frozenset[date] = frozenset()
    martial_law: tuple[tuple[date, date | None], ...] = ()
    days_off: frozenset[date] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "days_off", frozenset(self._days_off()))

    @classmethod
    def of(
        cls, holidays: Iterable[date], martial_law: Iterable[tuple[date, date | None]] = ()
    ) -> WorkingCalendar:
        return cls(frozenset(holidays), tuple(sorted(martial_law)))

    def under_martial_law(self, day: date) -> bool:
        return any(start <= day and (end is None or day <= end) for start, end in self.martial_law)

    def _days_off(self) -> Iterable[date]:
        holidays = {d for d in self.holidays if not self.under_martial_law(d)}
        moved: set[date] = set()
        for holiday in sorted(holidays):
            if holiday.weekday() < SATURDAY:
                continue
            day = holiday + timedelta(days=1)
            while day.weekday() >= SATURDAY or day in holidays or day in moved:
                day += timedelta(days=1)
            if not self.under_martial_law(day):
                moved.add(day)
        return holidays | moved

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.days_off


# Monday to Friday with no holidays: what a term counts on when no calendar is loaded.
WEEKDAYS = WorkingCalendar()


def warning_date(due: date, calendar: WorkingCalendar) -> date:
    """The control date itself when it is a working day, else the last working day before it.

    The Law's term stays the control date; when that is a day off, this is the day by which the
    reply must really go out, and by which the executor is warned.
    """
    day = due
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def latest_due_warned_by(day: date, calendar: WorkingCalendar) -> date:
    """The latest control date whose `warning_date` falls on or before `day`.

    `warning_date` never decreases as the control date grows, so the control dates warned by
    `day` are exactly those up to the last of the days off that follow it: a query filters them
    with one `due_date <= …` bound, however long the run of days off."""
    after = day + timedelta(days=1)
    while not calendar.is_working_day(after):
        after += timedelta(days=1)
    return after - timedelta(days=1)


def working_days_after(day: date, n: int, calendar: WorkingCalendar = WEEKDAYS) -> date:
    """The n-th working day after `day` (the day itself not counted); `day` when n is 0."""
    if n < 0:
        raise ValueError("n must not be negative")
    while n:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def public_information_due(received_on: date, calendar: WorkingCalendar = WEEKDAYS,
                           working_days: int = PUBLIC_INFORMATION_DAYS) -> date:
    """A request for public information is answered within 5 working days (Law 2939-VI, ст.20),
    counted over `calendar` (pass the loaded working calendar: weekends and public holidays)."""
    return working_days_after(received_on, working_days, calendar)


def public_information_max_due(received_on: date, calendar: WorkingCalendar = WEEKDAYS) -> date:
    """Law 2939-VI ст.20 ч.4: the term of a request may be extended to 20 working days."""
    return working_days_after(received_on, PUBLIC_INFORMATION_MAX_DAYS, calendar)


def public_information_extension_check(
    received_on: date, current_due: date, new_due: date, *, today: date,
    calendar: WorkingCalendar = WEEKDAYS,
) -> None:
    """Law 2939-VI ст.20 ч.4: a request for a large volume of information, or one searched for
    among much data, may get up to 20 working days from receipt; the requester is told in writing,
    with the reasons, within 5 working days of receipt, so a later extension is refused."""
    cap = public_information_max_due(received_on, calendar)
    if new_due > cap:
        raise DeadlineError(
            "extension_beyond_limit",
            _("The term of a request for public information cannot be extended beyond 20 working "
              "days from receipt: the latest possible date is %(cap)s.")
            % {"cap": cap.strftime("%d.%m.%Y")},
            field="new_due_date",
            extra={"max_due_date": cap.isoformat()},
        )
    notice_by = public_information_due(received_on, calendar, PUBLIC_INFORMATION_DAYS)
    if today > notice_by:
        raise DeadlineError(
            "extension_too_late",
            _("The requester must be told of a longer term within 5 working days of receipt "
              "(by %(date)s): the term can no longer be extended.")
            % {"date": notice_by.strftime("%d.%m.%Y")},
            field="new_due_date",
        )
    if new_due <= current_due:
        raise DeadlineError(
            "extension_not_later",
            _("The new control date must be later than the current one (%(due)s).")
            % {"due": current_due.strftime("%d.%m.%Y")},
            field="new_due_date",
        )
