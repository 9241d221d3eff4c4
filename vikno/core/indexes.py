"""Indexes that both databases take (ADR lists)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import OrderBy


class NullsLastIndex(models.Index):
    """An index over ordered expressions with the place of empty values (`F(…).desc(nulls_last=
    True)`), as PostgreSQL takes it to serve an `ORDER BY … NULLS LAST` that its default does not
    give; SQLite refuses NULLS in an index, so there it is the same index without them."""

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(
            *[OrderBy(e.expression, descending=e.descending) if isinstance(e, OrderBy) else e
              for e in self.expressions],
            condition=self.condition, name=self.name)
        return plain.create_sql(model, schema_editor, using=using, **kwargs)
