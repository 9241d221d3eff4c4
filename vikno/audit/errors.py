"""Error codes of the audit trail's readers. Messages are for staff: Ukrainian first (gettext)."""

from __future__ import annotations

from enum import StrEnum

from vikno.core.errors import ApplicationError


class Code(StrEnum):
    EXPORT_TOO_LARGE = "export_too_large"
    INVALID_VALUE = "invalid_value"


class AuditError(ApplicationError):
    pass
