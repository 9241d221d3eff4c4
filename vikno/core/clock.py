"""The one clock. Every "now" in Vikno comes from here so that tests can freeze time."""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    """Current aware datetime (UTC)."""
    return timezone.now()


def today() -> date:
    """Today's date in the centre's local time zone (TIME_ZONE, Europe/Kyiv)."""
    return timezone.localdate(now())


def local_date(moment: datetime) -> date:
    """The calendar date of an aware moment in the centre's local time zone."""
    return timezone.localdate(moment)
