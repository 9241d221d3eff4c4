"""A paginator that counts a list only up to a bound.

Counting every row of a list of a million appeals costs as much as reading them; nobody pages
through more than a few thousand, and the filters narrow the rest. The list says "more than
10 000" instead (ADR lists-keyset-and-indexes)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_LIMIT = 10_000


class BoundedPaginator(Paginator):
    """Counts at most `limit` + 1 rows (one query, LIMIT inside): `capped` says there are more,
    and the pages stop after the bound."""

    def __init__(self, object_list: Any, per_page: int, *, limit: int | None = None,
                 count: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.limit = COUNT_LIMIT if limit is None else limit
        if count is not None:
            # Already counted by the caller (e.g. with the list's tabs): not asked again.
            self.__dict__["count"] = min(count, self.limit + 1)

    @cached_property
    def count(self) -> int:
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        return int(rows.order_by().values("pk")[: self.limit + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > self.limit
