"""Anti-abuse without a third-party captcha (ADR 31): a honeypot field, a signed moment the
form was shown (too fast to be typed by a person, or older than a day, is refused), and a rate
limit per client address (django-ratelimit, in the views)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from vikno.core import clock

SALT = "vikno.portal.form-shown"
MIN_SECONDS = 3
MAX_SECONDS = 24 * 3600
HONEYPOT = "website"  # a field people never see (hidden by CSS, skipped by screen readers)


def shown_stamp() -> str:
    return signing.dumps(int(clock.now().timestamp()), salt=SALT)


def stamp_problem(value: str) -> str:
    """"" when the form was shown between MIN_SECONDS and MAX_SECONDS ago; else "fast",
    "expired" or "invalid"."""
    try:
        shown = signing.loads(value or "", salt=SALT)
    except signing.BadSignature:
        return "invalid"
    if not isinstance(shown, int):
        return "invalid"
    age = clock.now().timestamp() - shown
    if age < MIN_SECONDS:
        return "fast"
    if age > MAX_SECONDS:
        return "expired"
    return ""


def rate(name: str) -> str:
    """The rate of one limit ("10/h"): settings.PORTAL_RATES overrides the default, read per
    request."""
    return str(getattr(settings, "PORTAL_RATES", {}).get(name) or DEFAULT_RATES[name])


DEFAULT_RATES = {"submit": "10/h", "track": "20/h"}


def submit_rate(group: str, request: HttpRequest) -> str:
    return rate("submit")


def track_rate(group: str, request: HttpRequest) -> str:
    return rate("track")
