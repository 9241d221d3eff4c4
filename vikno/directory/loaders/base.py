"""Shared machinery of the reference loaders: reading CSV files, validating, upserting.

Every loader reads one file into (line, values) records and hands them to `Upsert`, which
creates new rows, updates changed ones and leaves equal ones alone, so that loading the same
files twice changes nothing. Bad input stops the load with a `LoadError` naming file and line.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from vikno.core.errors import ApplicationError


class LoadError(ApplicationError):
    """Bad reference data. The message starts with "<file>, line <n>:"."""

    def __init__(self, source: str, line: int, message: str) -> None:
        where = _("%(file)s, line %(line)d") % {"file": source, "line": line} if line else source
        super().__init__(
            "invalid_reference_data",
            f"{where}: {message}",
            extra={"file": source, "line": line},
        )


@dataclass
class Record:
    """One data row of a CSV file; `line` is its line number in the file (the header is 1)."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column) or ""


@dataclass
class CsvFile:
    """A reference file under the reference directory, named by its relative path."""

    root: Path
    name: str
    records: list[Record] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.root / self.name

    def exists(self) -> bool:
        return self.path.is_file()

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def read(self, required: Iterable[str]) -> list[Record]:
        if not self.exists():
            raise LoadError(self.name, 0, _("the file is missing"))
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in required if c not in columns]
            if missing:
                raise LoadError(
                    self.name, 1, _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}
                )
            reader.fieldnames = columns
            self.records = []
            for row in reader:
                if None in row:
                    raise LoadError(self.name, reader.line_num, _("too many values in the row"))
                values = {k: (v or "").strip() for k, v in row.items()}
                if any(values.values()):
                    self.records.append(Record(reader.line_num, values))
        return self.records

    def error(self, record: Record | None, message: str) -> LoadError:
        return LoadError(self.name, record.line if record else 0, message)

    def require(self, record: Record, column: str) -> str:
        value = record.get(column)
        if not value:
            raise self.error(record, _("the column %(column)s is empty") % {"column": column})
        return value

    def boolean(self, record: Record, column: str, default: bool | None = None) -> bool:
        value = record.get(column)
        if not value and default is not None:
            return default
        if value in {"1", "true", "yes"}:
            return True
        if value in {"0", "false", "no"}:
            return False
        raise self.error(
            record, _("%(column)s must be 1 or 0, not %(value)r") % {"column": column, "value": value}
        )

    def integer(self, record: Record, column: str, default: int | None = None) -> int:
        value = record.get(column)
        if not value and default is not None:
            return default
        try:
            return int(value)
        except ValueError:
            raise self.error(
                record, _("%(column)s must be a whole number, not %(value)r")
                % {"column": column, "value": value},
            ) from None

    def day(self, record: Record, column: str, *, optional: bool = False) -> date | None:
        value = record.get(column)
        if not value and optional:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.error(
                record, _("%(column)s must be a date YYYY-MM-DD, not %(value)r")
                % {"column": column, "value": value},
            ) from None


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows in the database that the files no longer list: reported, never deleted, so that
    # appeals keep their references; an administrator deactivates them if they are obsolete.
    stale: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "stale": self.stale,
        }


def _clean(obj: models.Model, source: CsvFile, record: Record) -> None:
    """Model-level validation (lengths, choices, e-mail and URL formats) without queries."""
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    try:
        obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        details = "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}"
            for name, messages in exc.message_dict.items()
        )
        raise source.error(record, details) from None


M = TypeVar("M", bound=models.Model)


class Upsert(Generic[M]):
    """Create-or-update by a natural key, writing only rows whose values differ.

    `values` use attribute names (`parent_id`, not `parent`) so that comparing them with the
    stored row needs no extra queries. New rows wait for `flush()`, which inserts them in bulk
    (a fresh load is ~1,000 rows; one INSERT each would dominate the load time).
    """

    def __init__(
        self,
        source: CsvFile,
        model: type[M],
        key: Callable[[dict[str, Any]], Any],
        existing: Iterable[M],
        key_of: Callable[[M], Any],
    ) -> None:
        self.source = source
        self.model = model
        self.key = key
        self.index: dict[Any, M] = {key_of(obj): obj for obj in existing}
        self.seen: dict[Any, Record] = {}
        self.created: set[Any] = set()
        self.updated: set[Any] = set()
        self.pending: list[M] = []

    def put(self, record: Record, values: dict[str, Any]) -> M:
        key = self.key(values)
        if key in self.seen:
            raise self.source.error(
                record, _("duplicate of line %(line)d") % {"line": self.seen[key].line}
            )
        self.seen[key] = record
        obj = self.index.get(key)
        if obj is None:
            obj = self.model(**values)
            _clean(obj, self.source, record)
            self.pending.append(obj)
            self.index[key] = obj
            self.created.add(key)
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            _clean(obj, self.source, record)
            obj.save(update_fields=changed)
            self.updated.add(key)
        return obj

    def flush(self) -> None:
        """Insert the new rows; afterwards each has its primary key."""
        if self.pending:
            self.model._default_manager.bulk_create(self.pending, batch_size=500)
            self.pending = []

    def items(self) -> Iterator[tuple[Any, Record, M]]:
        self.flush()
        for key, record in self.seen.items():
            yield key, record, self.index[key]

    def counts(self) -> Counts:
        self.flush()
        total = len(self.seen)
        return Counts(
            created=len(self.created),
            updated=len(self.updated),
            unchanged=total - len(self.created) - len(self.updated),
            stale=len(set(self.index) - set(self.seen)),
        )
