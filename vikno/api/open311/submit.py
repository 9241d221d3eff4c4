"""`POST requests`: a GeoReport form as an AppealIntake for `appeal_register` (ADR 0032).

The form becomes the appeal as the portal's would: the sub-topic is the question, the point's
hromada (or the KATOTTG code in `address_id`) the territory, the typed address the problem's
address, the person's name, e-mail and phone the applicant. What the Law makes of a missing name
or address (ст.8: anonymous, not considered) is the domain's decision, not refused here.

A retried submission registers once: its idempotency key is a UUID5 over the key's id and an
HMAC (with the server's secret) of every submitted field but the api_key, device_id and
account_id included. The same content from the same key gives the same key, hence the first
appeal; the key cannot be recomputed from a guess of the content without the secret, so it can
serve as the request's public `token`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import QueryDict
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from vikno.appeals.intake import AppealIntake, ApplicantData, QuestionData
from vikno.appeals.models import Channel
from vikno.directory.geo import hromada_code_at
from vikno.directory.models import SubTopic
from vikno.directory.selectors import territory_exists

from . import catalog

TOKEN_NAMESPACE = uuid.UUID("5d0c1f3e-7c1b-5b8e-9a51-0f0b2d3c3111")
MAX_LENGTHS = {
    "service_code": 20, "address_string": 300, "address_id": 19, "email": 254,
    "device_id": 100, "account_id": 100, "first_name": 100, "last_name": 100, "phone": 40,
    "description": 4000, "media_url": 2000, "lat": 40, "long": 40, "jurisdiction_id": 40,
}
MAX_ATTRIBUTE_LENGTH = 500
MAX_ATTRIBUTES = 50
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_.-]{1,50})\](\[\])?$")


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def bad(description: str) -> Open311Error:
    return Open311Error(400, description)


@dataclass(frozen=True)
class Submission:
    intake: AppealIntake
    account_id: str | None


def _field(form: QueryDict, name: str) -> str:
    value = form.get(name, "")
    limit = MAX_LENGTHS.get(name)
    if limit is not None and len(value) > limit:
        raise bad(_("The field %(field)s is too long: at most %(n)d characters.")
                  % {"field": name, "n": limit})
    return value.strip()


def _coordinate(raw: str, name: str, bound: int) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise bad(_("%(field)s must be a number of degrees (WGS84).") % {"field": name}) from None
    if not value.is_finite() or not math.isfinite(float(value)) or abs(value) > bound:
        raise bad(_("%(field)s must be a number of degrees between -%(n)d and %(n)d.")
                  % {"field": name, "n": bound})
    return value.quantize(Decimal("0.000001"))


def _location(form: QueryDict) -> tuple[Decimal | None, Decimal | None, str, str]:
    """(lat, lon, territory code, typed address); at least one of them, as the spec demands."""
    lat_raw, lon_raw = _field(form, "lat"), _field(form, "long")
    address, address_id = _field(form, "address_string"), _field(form, "address_id")
    lat = lon = None
    if lat_raw or lon_raw:
        if not (lat_raw and lon_raw):
            raise bad(_("Give both lat and long, or neither."))
        lat, lon = _coordinate(lat_raw, "lat", 90), _coordinate(lon_raw, "long", 180)
    if lat is None and not address and not address_id:
        raise bad(_("Give the location: lat and long, address_string or address_id."))
    territory = address_id
    if not territory and lat is not None and lon is not None:
        # A point outside every hromada (or one whose territory is not loaded) still routes by
        # its topic: the boundaries are approximate, and the appeal is not refused for it.
        hromada = hromada_code_at(lat, lon)
        territory = hromada if hromada and territory_exists(hromada) else ""
    return lat, lon, territory, address


def _attributes(form: QueryDict, subtopic: SubTopic) -> list[tuple[str, str]]:
    """The answers to the service's attributes as (question, answer) lines of the appeal's text;
    a required one missing, a value not in its list or not of its type is refused. Attributes
    the service does not define are ignored (clients send what other servers asked for)."""
    given: dict[str, list[str]] = {}
    for key in form:
        match = _ATTRIBUTE.match(key)
        if match:
            given[match.group(1)] = [v.strip() for v in form.getlist(key) if v.strip()]
    if len(given) > MAX_ATTRIBUTES:
        raise bad(_("Too many attributes."))
    lines = []
    for attribute in sorted(catalog.attributes_of(subtopic), key=lambda a: a.get("order") or 0):
        code, values = attribute["code"], given.get(attribute["code"], [])
        if not values:
            if attribute.get("required"):
                raise bad(_("The attribute %(code)s is required.") % {"code": code})
            continue
        if any(len(v) > MAX_ATTRIBUTE_LENGTH for v in values):
            raise bad(_("The attribute %(code)s is too long: at most %(n)d characters.")
                      % {"code": code, "n": MAX_ATTRIBUTE_LENGTH})
        lines.append((attribute.get("description") or code, _answer(attribute, values)))
    return lines


def _answer(attribute: dict[str, Any], values: list[str]) -> str:
    code, datatype = attribute["code"], attribute["datatype"]
    if datatype in ("singlevaluelist", "multivaluelist"):
        names = {str(v["key"]): v["name"] for v in attribute.get("values", [])}
        if any(v not in names for v in values) or (datatype == "singlevaluelist"
                                                   and len(values) > 1):
            raise bad(_("The attribute %(code)s takes a key from its list.") % {"code": code})
        return ", ".join(names[v] for v in values)
    value = values[0]
    if datatype == "number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise bad(_("The attribute %(code)s must be a number.") % {"code": code})
    elif datatype == "datetime":
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None:
            raise bad(_("The attribute %(code)s must be a date and time (ISO 8601).")
                      % {"code": code})
    return value


def _contact(form: QueryDict) -> ApplicantData | None:
    first, last = _field(form, "first_name"), _field(form, "last_name")
    email, phone = _field(form, "email"), _field(form, "phone")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise bad(_("The e-mail address is not valid.")) from None
    if not (first or last or email or phone):
        return None  # anonymous: the domain decides what the Law makes of it
    return ApplicantData(first_name=first, last_name=last, email=email, phone=phone)


def _text(form: QueryDict, subtopic: SubTopic, lines: list[tuple[str, str]]) -> str:
    description = _field(form, "description")
    media = _field(form, "media_url")
    if media:
        try:
            URLValidator(schemes=["http", "https"])(media)
        except ValidationError:
            raise bad(_("media_url must be an http or https address.")) from None
    parts = [description or subtopic.name]
    parts += [f"{question}: {answer}" for question, answer in lines]
    if media:
        parts.append(_("Media: %(url)s") % {"url": media})
    return "\n".join(parts)


def idempotency_key(key_id: int, form: QueryDict) -> uuid.UUID:
    fields = sorted((name, form.getlist(name)) for name in form if name != "api_key")
    digest = hmac.new(settings.SECRET_KEY.encode(), json.dumps(fields, ensure_ascii=False)
                      .encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return uuid.uuid5(TOKEN_NAMESPACE, f"{key_id}:{digest}")


def submission(form: QueryDict, *, key_id: int) -> Submission:
    """The intake of a GeoReport form, or Open311Error (400, or 404 for an unknown service)."""
    code = _field(form, "service_code")
    if not code:
        raise bad(_("service_code is required."))
    subtopic = catalog.service(code)
    if subtopic is None:
        raise Open311Error(404, _("Unknown service_code “%(code)s”: see services.")
                           % {"code": code})
    for name in ("device_id", "account_id"):
        _field(form, name)
    lat, lon, territory, address = _location(form)
    lines = _attributes(form, subtopic)
    intake = AppealIntake(
        channel=Channel.OPEN311,
        text=_text(form, subtopic, lines),
        questions=[QuestionData(subtopic_code=subtopic.code)],
        applicant=_contact(form),
        territory_code=territory, location=address, lat=lat, lon=lon,
        idempotency_key=idempotency_key(key_id, form),
    )
    return Submission(intake=intake, account_id=_field(form, "account_id") or None)
