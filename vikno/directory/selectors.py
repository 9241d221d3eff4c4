"""Reads of the rulebook that belong to the directory itself.

The lookups the staff pages use (territories and sub-topics by name or code, the choices of the
selects) are in vikno.workspace.reads, matched with core.search.Fold, the project's one folding
rule (case and apostrophes), so the same query answers the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from vikno.core import clock
from vikno.directory.models import ClassifierVersion


def current_version(*, on: date | None = None) -> ClassifierVersion | None:
    """The Classifier edition valid on `on` (today by default); the newest if several are."""
    day = on or clock.today()
    return (
        ClassifierVersion.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .order_by("-valid_from")
        .first()
    )
