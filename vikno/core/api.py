"""REST error handling: every refusal is JSON with a machine-readable code."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from vikno.core.errors import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response({"error": exc.as_dict()}, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"error": {"code": "validation_error", "message": "; ".join(exc.messages),
                       "fields": getattr(exc, "message_dict", {})}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        code = getattr(exc, "default_code", "error")
        response.data = {"error": {"code": code, "message": str(getattr(exc, "detail", exc)),
                                   "detail": response.data}}
    return response
