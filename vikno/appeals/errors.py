"""Error codes of the case file. Messages are for citizens and staff: Ukrainian first (gettext)."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from vikno.core.errors import ApplicationError, NotFound, PermissionDenied


class Code(StrEnum):
    ILLEGAL_TRANSITION = "illegal_transition"
    MISSING_FIELD = "missing_field"
    UNKNOWN_TOPIC = "unknown_topic"
    UNKNOWN_AUTHORITY = "unknown_authority"
    UNKNOWN_TERRITORY = "unknown_territory"
    INVALID_VALUE = "invalid_value"
    EXTENSION_BEYOND_LIMIT = "extension_beyond_limit"
    EXTENSION_NOT_LATER = "extension_not_later"
    EXTENSION_TOO_LATE = "extension_too_late"  # public information: told within 5 working days
    EXTENSION_REASON_REQUIRED = "extension_reason_required"
    REASON_REQUIRED = "reason_required"
    MAIN_EXECUTOR_REQUIRED = "main_executor_required"
    DUPLICATE_EXECUTOR = "duplicate_executor"
    RATING_OUT_OF_RANGE = "rating_out_of_range"
    NO_ROUTE = "no_route"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    DUPLICATE_ATTACHMENT = "duplicate_attachment"
    REFUSAL_INCOMPLETE = "refusal_incomplete"
    ANSWER_LETTER_REQUIRED = "answer_letter_required"
    EXTENSION_DECIDER_REQUIRED = "extension_decider_required"
    TOO_MANY_ROWS = "too_many_rows"


class AppealsError(ApplicationError):
    pass


def from_rule(exc: ApplicationError) -> AppealsError:
    """The same refusal raised by a rule of the directory (deadlines, routing), as an AppealsError,
    so callers of the case file catch one exception type with the rule's own code and message."""
    return AppealsError(exc.code, exc.message, field=exc.field, extra=exc.extra,
                        http_status=exc.http_status)


def illegal_transition(current: str, target: str) -> AppealsError:
    return AppealsError(
        Code.ILLEGAL_TRANSITION,
        _("This action is not possible now: the status “%(current)s” cannot change to “%(target)s”.")
        % {"current": current, "target": target},
        http_status=409,
    )


def not_found() -> NotFound:
    return NotFound(Code.NOT_FOUND, _("The appeal was not found."))


def forbidden() -> PermissionDenied:
    return PermissionDenied(Code.FORBIDDEN, _("You have no access to this appeal."))
