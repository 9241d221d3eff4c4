"""The search key of appeals (vikno.core.fulltext): filled at registration; this refills it for
rows written before the key existed or after the lemmatiser changed (`manage.py search_reindex`).

The key is derived from the text alone, so refilling it changes no fact of the case file and
records no audit event."""

from __future__ import annotations

from django.db import connection, transaction

from vikno.appeals.models import Appeal
from vikno.core import fulltext


def search_reindex(*, batch: int = 2000, only_missing: bool = False) -> int:
    """Recompute `Appeal.search_lemmas` in batches of ids, one transaction per batch; returns the
    number of appeals written."""
    written = 0
    last = 0
    base = Appeal.objects.order_by("pk")
    if only_missing:
        base = base.filter(search_lemmas="")
    while True:
        rows = list(base.filter(pk__gt=last).values_list("pk", "text")[:batch])
        if not rows:
            return written
        keys = [(pk, fulltext.index_text(text)) for pk, text in rows]
        with transaction.atomic():
            _write(keys)
        written += len(keys)
        last = rows[-1][0]


def _write(keys: list[tuple[int, str]]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE appeals_appeal AS a SET search_lemmas = v.key "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, key) WHERE a.id = v.id",
                [[pk for pk, _ in keys], [key for _, key in keys]])
        return
    Appeal.objects.bulk_update([Appeal(pk=pk, search_lemmas=key) for pk, key in keys],
                               ["search_lemmas"], batch_size=500)
