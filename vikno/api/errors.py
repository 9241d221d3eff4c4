"""Every refusal of the API as one JSON shape:

    {"error": {"code": "…", "message": "…", "fields": {"applicant.last_name": "…"}}}

`code` is stable and machine-readable; `message` is in the request's language (Ukrainian unless
the client sends `Accept-Language: en`); `fields` maps each refused input, by its path in the
request body (`questions.0.subtopic_code`), to what is wrong with it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from vikno.core.errors import ApplicationError

CODES = {
    status.HTTP_400_BAD_REQUEST: "bad_request",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def flatten(detail: Any, prefix: str = "") -> dict[str, str]:
    """DRF's nested error detail as {"a.0.b": "message"} (the first message of each field)."""
    if isinstance(detail, dict):
        out: dict[str, str] = {}
        for name, value in detail.items():
            path = prefix if name == "non_field_errors" else (
                f"{prefix}.{name}" if prefix else str(name))
            out.update(flatten(value, path))
        return out
    if isinstance(detail, list):
        if detail and all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "request": str(detail[0])}
        out = {}
        for index, item in enumerate(detail):
            if item:
                out.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "request": str(detail)}


def _validation(detail: Any) -> dict[str, Any]:
    fields = flatten(detail)
    message = next(iter(fields.values()), "") if len(fields) == 1 else _(
        "Check the fields marked in the request.")
    return error_body("validation_error", message, fields)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        fields = {exc.field: exc.message} if exc.field else {}
        return Response(error_body(str(exc.code), exc.message, fields), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"request": exc.messages}
        return Response(_validation(messages), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation(exc.detail)
        return response
    code = CODES.get(response.status_code, "error")
    detail: Any = getattr(exc, "detail", "")
    if isinstance(exc, exceptions.APIException) and isinstance(detail, str):
        code = getattr(detail, "code", None) or code
        if code in ("error", "invalid"):
            code = CODES.get(response.status_code, "error")
    response.data = error_body(str(code), str(detail) if isinstance(detail, str) else str(exc))
    return response


@csrf_exempt  # no session here: a stray POST is "not found" too, not a CSRF page
def not_found(request: Any, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under /api/: JSON, not the site's HTML page."""
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)
