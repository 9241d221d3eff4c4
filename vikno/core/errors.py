"""ApplicationError: a rule of the domain was broken by the caller's input.

Every app defines its codes in its own errors.py as an Enum; interfaces turn an ApplicationError
into a form error or an HTTP 4xx response with the machine-readable code and the human message.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A refused request. `code` is stable and machine-readable, `message` is for people."""

    http_status = 400

    def __init__(
        self,
        code: Enum | str,
        message: str | Promise,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code.value if isinstance(code, Enum) else code
        self.message: str = str(message)
        self.field = field
        self.extra = extra or {}
        if http_status is not None:
            self.http_status = http_status

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.field:
            data["field"] = self.field
        if self.extra:
            data["extra"] = self.extra
        return data


class PermissionDenied(ApplicationError):
    http_status = 403


class NotFound(ApplicationError):
    http_status = 404
