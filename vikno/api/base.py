"""What every operation of the partner API shares: the key, the rate limit, JSON errors, and the
`Idempotency-Key` of a POST."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vikno.api.authentication import ApiKeyAuthentication
from vikno.api.errors import exception_handler
from vikno.api.throttling import KeyRateThrottle
from vikno.core.idempotency import fingerprint, idempotent_run

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Any unique string (a UUID) per operation: a retry with the same key returns "
                "the first response and does nothing again.")


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField(help_text="Stable and machine-readable, e.g. invalid_api_key, "
                                           "validation_error, not_found, throttled.")
    message = serializers.CharField(help_text="For people: Ukrainian, or English with "
                                              "Accept-Language: en.")
    # DRF moves declared fields off the class, so this does not hide Serializer.fields.
    fields = serializers.DictField(child=serializers.CharField(),  # type: ignore[assignment]
                                   help_text="The refused inputs by path, e.g. "
                                             "questions.0.subtopic_code.")


class ErrorOutput(serializers.Serializer):
    error = ErrorDetail()


# The refusals every operation may answer (vikno.api.errors), for the schema.
READ_ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 429: ErrorOutput}
LIST_ERRORS = {400: ErrorOutput, **READ_ERRORS}
WRITE_ERRORS = {400: ErrorOutput, 415: ErrorOutput, 422: ErrorOutput, **READ_ERRORS}


def cursor_page(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """The schema of a cursor-paginated list (DRF's CursorPagination): links and the page."""
    return inline_serializer(name, {
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    })


class ApiView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [KeyRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    def get_exception_handler(self) -> Callable[..., Any]:
        return exception_handler


def idempotency_key(request: Request) -> str | None:
    value = request.headers.get("Idempotency-Key")
    return value if value is not None else None


def once(request: Request, run: Callable[[], tuple[int, Any]]) -> Response:
    """`run()`'s response, or, for a retry with the same `Idempotency-Key`, the first one."""
    key = idempotency_key(request)
    if key is None:
        status, body = run()
    else:
        # Over the parsed body: the same JSON however it is spaced or ordered.
        body_text = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
        request_print = fingerprint(request.method or "", request.path, body_text)
        status, body = idempotent_run(owner=request.auth.pk, key=key,
                                      request_print=request_print, run=run)
    return Response(body, status=status)
