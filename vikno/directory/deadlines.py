"""Deadlines of the Law "On citizens' appeals" (ст.5, ст.7, ст.20) as pure functions.

Terms run in calendar days from the day of receipt (the date in the centre's time zone):
- no additional study needed: 15 days; otherwise 1 calendar month (31 Jan + 1 month = 28/29 Feb);
- forwarding to the competent body: 5 days; return for missing content: 10 days;
- an extension is set by a supervisor with a reason, never past 45 days from receipt;
- the applicant may ask for a shorter term (any date from receipt on).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from vikno.core.errors import ApplicationError

NO_STUDY_DAYS = 15
FORWARD_DAYS = 5
RETURN_DAYS = 10
MAX_DAYS = 45
PUBLIC_INFORMATION_DAYS = 5


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


def public_information_due(received_on: date, working_days: int = PUBLIC_INFORMATION_DAYS) -> date:
    """A request for public information is answered within 5 working days (Law 2939-VI, ст.20).

    Counts Monday to Friday only: public holidays are not yet taken into account."""
    day = received_on
    left = working_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


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
