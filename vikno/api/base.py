"""What every operation of the partner API shares: the key, the rate limit, JSON errors, and the
`Idempotency-Key` of a POST."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
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
