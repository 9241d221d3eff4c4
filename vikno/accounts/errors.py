"""Error codes of the accounts. Messages are for staff: Ukrainian first (gettext)."""

from __future__ import annotations

from enum import StrEnum

from vikno.core.errors import ApplicationError


class Code(StrEnum):
    OWN_ACCOUNT = "own_account"
    USERNAME_TAKEN = "username_taken"
    INVALID_VALUE = "invalid_value"
    NO_EMAIL = "no_email"
    INACTIVE = "inactive"
    MAIL_FAILED = "mail_failed"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - an error code, not a secret
    NOT_FOUND = "not_found"


class AccountsError(ApplicationError):
    pass
