"""GeoReport v2 endpoints, each in JSON and XML (the format is the URL's extension).

Reads are public and free of personal data (selectors_open311); the one write is `POST requests`
with an api_key of the open311 scope, registered through `appeal_register` as the key's account.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from vikno.accounts.api_keys import api_key_authenticate
from vikno.appeals.errors import AppealsError, Code
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import NotConsideredReason
from vikno.appeals.selectors_open311 import (
    PUBLIC_LIMIT,
    PublicAppeal,
    appeal_number_for_token,
    public_appeals,
)
from vikno.appeals.services import appeal_register

from . import catalog
from .formats import FORMATS, JSON, errors, respond, w3c
from .statuses import CLOSED, OPEN, appeal_statuses, georeport_status
from .submit import Open311Error, bad, submission

JURISDICTION = "zakarpattia"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+02:00"
WINDOW = timedelta(days=90)
# Earlier or later than this is no appeal's date: refused before any arithmetic overflows.
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)
MAX_IDS = 1000

View = Callable[..., HttpResponse]


def georeport(methods: tuple[str, ...]) -> Callable[[View], View]:
    """The format from the URL, the allowed methods and jurisdiction_id checked, Open311Error
    answered in the spec's error format."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return errors(JSON, 404, _("Unknown format: use .json or .xml."))
            if request.method not in methods:
                response = errors(fmt, 405, _("Method not allowed."))
                response["Allow"] = ", ".join(methods)
                return response
            data = request.POST if request.method == "POST" else request.GET
            jurisdiction = data.get("jurisdiction_id", "").strip()
            if jurisdiction and jurisdiction != JURISDICTION:
                return errors(fmt, 404, _("Unknown jurisdiction_id: this server serves “%(j)s”.")
                              % {"j": JURISDICTION})
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return errors(fmt, exc.status, exc.description)

        return csrf_exempt(wrapper)

    return decorate


@georeport(("GET", "HEAD"))
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:root"))
    data = {
        "changeset": CHANGESET,
        "contact": _("Regional appeals centre «Vikno»: write to us through the portal."),
        "key_service": _("Keys are issued by the system administrator on request."),
        "endpoints": [{"specification": SPECIFICATION, "url": base.rstrip("/"),
                       "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }
    return respond(fmt, data, root="discovery", item=None)


@georeport(("GET", "HEAD"))
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return respond(fmt, catalog.services(), root="services", item="service")


@georeport(("GET", "HEAD"))
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    subtopic = catalog.service(code)
    if subtopic is None:
        raise Open311Error(404, _("Unknown service_code “%(code)s”: see services.")
                           % {"code": code[:20]})
    return respond(fmt, catalog.service_definition(subtopic), root="service_definition",
                   item=None)


@georeport(("GET", "HEAD", "POST"))
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt)
    return respond(fmt, _public(_search(request)), root="service_requests", item="request")


@georeport(("GET", "HEAD"))
def request_detail(request: HttpRequest, number: str, *, fmt: str) -> HttpResponse:
    found = public_appeals(numbers=[number]) if len(number) <= 32 else []
    if not found:
        raise Open311Error(404, _("No service request with this id."))
    return respond(fmt, _public(found), root="service_requests", item="request")


@georeport(("GET", "HEAD"))
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    try:
        number = appeal_number_for_token(uuid.UUID(token)) if len(token) <= 40 else None
    except ValueError:
        number = None
    if number is None:
        raise Open311Error(404, _("No service request with this token."))
    return respond(fmt, [{"service_request_id": number, "token": token}],
                   root="service_requests", item="request")


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    key = api_key_authenticate(request.POST.get("api_key"), scope="open311")
    if key is None:
        raise Open311Error(403, _("api_key was not provided or is not valid."))
    given = submission(request.POST, key_id=key.pk)
    try:
        appeal = appeal_register(actor=key.account, intake=given.intake)
    except AppealsError as exc:
        status = 404 if exc.code == Code.UNKNOWN_TOPIC else 400
        raise Open311Error(status, exc.message) from None
    notice = (str(NotConsideredReason(appeal.not_considered_reason).label)
              if appeal.not_considered_reason else _term_notice(appeal.due_date))
    return respond(fmt, [{"service_request_id": appeal.number,
                          "token": str(given.intake.idempotency_key),
                          "service_notice": notice, "account_id": given.account_id}],
                   root="service_requests", item="request")


def _when(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw) if len(raw) <= 40 else None
    except ValueError:
        moment = None
    if moment is None:
        raise bad(_("%(field)s must be a date and time in ISO 8601, e.g. "
                    "2026-11-01T00:00:00+02:00.") % {"field": name})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=timezone.get_current_timezone())
    if not EARLIEST <= moment <= LATEST:
        raise bad(_("%(field)s is out of range.") % {"field": name})
    return moment


def _search(request: HttpRequest) -> list[PublicAppeal]:
    """The spec's filters: service_request_id (overrides the rest), service_code, start_date,
    end_date (at most 90 days apart; the last 90 days by default), status; 1000 at most."""
    ids = [n.strip() for n in request.GET.get("service_request_id", "").split(",") if n.strip()]
    if ids:
        if len(ids) > MAX_IDS or any(len(n) > 32 for n in ids):
            raise bad(_("At most %(n)d service_request_id values.") % {"n": MAX_IDS})
        return public_appeals(numbers=ids)
    start, end = _when(request, "start_date"), _when(request, "end_date")
    if start is not None and end is not None:
        if end < start:
            raise bad(_("end_date is earlier than start_date."))
        if end - start > WINDOW:
            raise bad(_("start_date and end_date may be at most 90 days apart."))
    elif start is not None:
        end = start + WINDOW
    elif end is not None:
        start = end - WINDOW
    else:
        end = timezone.now()
        start = end - WINDOW
    codes = {c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()}
    statuses = None
    wanted = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
    if wanted:
        if not wanted <= {OPEN, CLOSED}:
            raise bad(_("status is open or closed."))
        statuses = set().union(*(appeal_statuses(s) for s in wanted))
    return public_appeals(subtopic_codes=codes, start=start, end=end, statuses=statuses,
                          limit=PUBLIC_LIMIT)


def _term_notice(due: Any) -> str | None:
    if due is None:
        return None
    return _("To be considered by %(date)s.") % {"date": due.strftime("%d.%m.%Y")}


def _public(found: list[PublicAppeal]) -> list[dict[str, Any]]:
    """The requests as GeoReport shows them to anyone: no applicant, no text, no typed address;
    the description is the service's name, the address the territory's, the point rounded.
    The time zone and the translated status notes are looked up once per list."""
    zone = timezone.get_current_timezone()
    notes: dict[tuple[str, str], str] = {}
    answer = []
    for a in found:
        status = georeport_status(a.status)
        key = (a.status, a.not_considered_reason)
        if key not in notes:
            note = str(AppealStatus(a.status).label)
            if a.not_considered_reason:
                note = f"{note}: {NotConsideredReason(a.not_considered_reason).label}"
            notes[key] = note
        updated = a.closed_at if status == CLOSED and a.closed_at else a.status_changed_at
        expected = (datetime.combine(a.due_date, time(23, 59, 59), tzinfo=zone)
                    if a.due_date else None)
        answer.append({
            "service_request_id": a.number,
            "status": status,
            "status_notes": notes[key],
            "service_name": a.subtopic_name or None,
            "service_code": a.subtopic_code,
            "description": a.subtopic_name or None,
            "agency_responsible": a.authority_name or None,
            "service_notice": _term_notice(a.due_date) if status != CLOSED else None,
            "requested_datetime": w3c(a.received_at, zone),
            "updated_datetime": w3c(updated, zone),
            "expected_datetime": w3c(expected, zone),
            "address": a.territory_name or None,
            "address_id": None,
            "zipcode": None,
            "lat": a.lat,
            "long": a.lon,
            "media_url": None,
        })
    return answer
