"""The one clock. Every "now" in Vikno comes from here so that tests can freeze time, and so that
importing history (legacy appeals, the demo data) can record events at the moment they happened."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import timezone

_as_of: ContextVar[datetime | None] = ContextVar("vikno_clock_as_of", default=None)


def now() -> datetime:
    """Current aware datetime (UTC), or the moment set by `as_of` in this context."""
    moment = _as_of.get()
    return moment if moment is not None else timezone.now()


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    """Run a block as if it were `moment` (aware, not in the future): for replaying history only."""
    if timezone.is_naive(moment):
        raise ValueError("as_of needs an aware datetime")
    if moment > timezone.now():
        raise ValueError("as_of cannot move into the future")
    token = _as_of.set(moment)
    try:
        yield
    finally:
        _as_of.reset(token)


def today() -> date:
    """Today's date in the centre's local time zone (TIME_ZONE, Europe/Kyiv)."""
    return timezone.localdate(now())


def local_date(moment: datetime) -> date:
    """The calendar date of an aware moment in the centre's local time zone."""
    return timezone.localdate(moment)
