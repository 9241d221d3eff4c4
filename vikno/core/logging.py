"""Structured logs without personal data.

Every record leaves the process as one JSON object per line (python-json-logger) when LOG_FORMAT
is "json" (the default with DEBUG off). `PersonalDataFilter` sits on the handler, so it sees every
record of every logger, ours, Django's, Celery's and gunicorn's, before it is formatted:

- the `request` object Django attaches to its records is replaced by the method and the URL name
  (its repr carries the query string, where a search puts an applicant's name);
- query strings are cut from the message and its arguments (`/appeals/?q=…` becomes `/appeals/`);
- extra fields named like the applicant's data or a free text (name, phone, address, e-mail, text,
  body, password, …) are replaced by "[redacted]", whatever value they hold.

Request bodies are never logged: nothing here reads them, and the access log (observability.py)
records the method, the URL name, the status and the duration only.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"

# Field names (or their parts) that hold personal data or free text in this project.
PERSONAL_FIELDS = frozenset({
    "name", "first_name", "last_name", "patronymic", "full_name", "applicant", "phone", "email",
    "e_mail", "address", "street", "building", "apartment", "text", "body", "summary", "reason",
    "note", "comment", "password", "token", "q", "query", "search", "birth_date", "content",
})

# Attributes every LogRecord has; extra fields are the others.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

# "?" then a key=value pair: a URL's query string, not a question mark in a sentence.
_QUERY = re.compile(r"\?[^\s'\"=?]*=[^\s'\"]*")


def strip_query(value: str) -> str:
    """A text with every URL query string removed."""
    return _QUERY.sub("", value)


def is_personal(key: str) -> bool:
    parts = set(key.lower().replace("-", "_").split("_"))
    return key.lower() in PERSONAL_FIELDS or bool(parts & PERSONAL_FIELDS)


def _clean(value: Any) -> Any:
    return strip_query(value) if isinstance(value, str) else value


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = record.__dict__.pop("request", None)
        if request is not None:
            record.method = getattr(request, "method", None)
            match = getattr(request, "resolver_match", None)
            record.route = getattr(match, "view_name", None)
        if isinstance(record.msg, str):
            record.msg = strip_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: REDACTED if is_personal(str(k)) else _clean(v)
                           for k, v in record.args.items()}
        for key in list(record.__dict__):
            if key in _STANDARD or key in {"method", "route"}:
                continue
            if is_personal(key):
                record.__dict__[key] = REDACTED
            else:
                record.__dict__[key] = _clean(record.__dict__[key])
        return True
