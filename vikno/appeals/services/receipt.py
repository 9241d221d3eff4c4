"""The dates an appeal is registered with: the moment of receipt and the documents' dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code
from vikno.appeals.intake import AppealIntake

# Channels' clocks drift a little; a receipt further in the future than this is a typing error.
FUTURE_TOLERANCE = timedelta(minutes=5)
DEFAULT_EARLIEST_RECEIPT = date(2000, 1, 1)


def receipt_moment(received_at: datetime | None, now: datetime) -> datetime:
    """The moment of receipt: aware (a naive one is read in the centre's time zone), not future."""
    if received_at is None:
        return now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now + FUTURE_TOLERANCE:
        raise AppealsError(Code.INVALID_VALUE, _("The date of receipt cannot be in the future."),
                           field="received_at")
    # A date before the centre kept records is a typo (0001-01-01, the year 1000): stored, it
    # pushes deadline arithmetic out of the database's range and breaks every list that shows it.
    earliest = earliest_receipt()
    if timezone.localdate(received_at) < earliest:
        raise AppealsError(
            Code.INVALID_VALUE,
            _("The date of receipt cannot be earlier than %(date)s.")
            % {"date": earliest.strftime("%d.%m.%Y")},
            field="received_at")
    return received_at


EARLIEST_DOCUMENT = date(1900, 1, 1)


def dates_check(intake: AppealIntake, received_on: date) -> None:
    """The dates an appeal carries (the forwarding letter's, the contested decision's, the day
    the applicant learned of it) lie between 1900 and the day of receipt: a later or absurd one
    is a typo, and would overflow the term arithmetic of ст.17."""
    fields = {
        "origin_date": _("The date of the forwarding letter"),
        "contested_decision_on": _("The date of the contested decision"),
        "decision_learned_on": _("The day the applicant learned of the decision"),
    }
    for field, label in fields.items():
        value = getattr(intake, field)
        if value is not None and not EARLIEST_DOCUMENT <= value <= received_on:
            raise AppealsError(
                Code.INVALID_VALUE,
                _("%(what)s must lie between %(first)s and the date of receipt.")
                % {"what": label, "first": EARLIEST_DOCUMENT.strftime("%d.%m.%Y")},
                field=field)


def earliest_receipt() -> date:
    """The earliest date of receipt the centre accepts (VIKNO["EARLIEST_RECEIPT"])."""
    value = settings.VIKNO.get("EARLIEST_RECEIPT", DEFAULT_EARLIEST_RECEIPT)
    return value if isinstance(value, date) else date.fromisoformat(str(value))
