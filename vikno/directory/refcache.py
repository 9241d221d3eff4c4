"""Reference data read on every registration (sub-topics, territories, Classifier codes, the
routing rules) or on every page of a list (its filters' choices), kept per process so that it is
not queried again and again.

Like the working calendar (selectors.working_calendar): an admin edit or a reference load clears
it at once in the process that made it (signals, apps.py; the loader on commit); the timeout
bounds how long another process may still hold the old rows. Only found rows are kept: an
unknown code is asked of the database every time (and refused by the caller).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from vikno.directory.models import ClassifierItem, SubTopic, Territory
from vikno.directory.routing import RuleBook
from vikno.directory.selectors import CALENDAR_CACHE_SECONDS, classifier_edition_for

T = TypeVar("T")
TIMEOUT_SECONDS = CALENDAR_CACHE_SECONDS

_store: dict[tuple[Any, ...], tuple[float, Any]] = {}
_lock = threading.Lock()


def _kept(key: tuple[Any, ...], build: Callable[[], T | None]) -> T | None:
    now = time.monotonic()
    hit = _store.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[no-any-return]
    value = build()
    if value is not None:
        with _lock:
            _store[key] = (now + TIMEOUT_SECONDS, value)
    return value


def kept(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """`build()` kept per process under `key` (e.g. the choices of a list's filters, shown on
    every page): cleared with the rest by forget()."""
    return _kept(("kept", *key), build)  # type: ignore[return-value]


def forget(**_kwargs: object) -> None:
    """Drop everything kept (after a load or an admin edit of reference data)."""
    with _lock:
        _store.clear()


def subtopic(code: str) -> SubTopic | None:
    """The active sub-topic with this code, with its topic loaded."""
    return _kept(("subtopic", code), lambda: SubTopic.objects.filter(
        code=code, is_active=True).select_related("topic").first())


def territory(code: str) -> Territory | None:
    return _kept(("territory", code), lambda: Territory.objects.filter(code=code).first())


def classifier_item(day: date, axis: int, code: str) -> ClassifierItem | None:
    """The code in the Classifier edition in force on `day`."""
    edition = _kept(("edition", day), lambda: classifier_edition_for(day))
    return _kept(("classifier", edition.pk, axis, code),  # type: ignore[union-attr]
                 lambda: ClassifierItem.objects.filter(version=edition, axis=axis,
                                                       code=code).first())


def rulebook() -> RuleBook:
    """Every active routing rule, read once: the same answers as routing.route()."""
    book = _kept(("rulebook",), RuleBook)
    assert book is not None
    return book
