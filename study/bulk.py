"""Bulk writes that every app may use: plans, simulated panels, rows read back with ids.

It imports no app, so it sits at the bottom of the layering (docs/ARCHITECTURE.md).
1,000 raters are 1.2 million plan items and, simulated, 1.1 million ratings; the
ORM's per-object overhead would dominate that. PostgreSQL receives the rows through
one ``COPY``, SQLite through one ``executemany`` (a loop in C). Table and column names
come from the model, so a renamed field cannot drift; values are numbers, choice
labels and datetimes produced by our own code, never user text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def create_rows(
    model: type[M], rows: list[M], *, read_back: Iterable[M], batch_size: int = 1000
) -> list[M]:
    """``bulk_create`` whose rows come back with their ids on every database.

    PostgreSQL and SQLite >= 3.35 return the ids of inserted rows (``RETURNING``);
    on a backend without it the ids stay ``None``, and the new rows are read back with
    ``read_back``, a query (evaluated only then) for exactly the rows just made.
    """
    created = model._default_manager.bulk_create(rows, batch_size=batch_size)
    if any(row.pk is None for row in created):
        return list(read_back)
    return created


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (tuples of values for ``fields``, in that order) into ``model``'s table."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        if connection.vendor == "sqlite":
            # The default 2 MB page cache thrashes on the indexes of a table with
            # ~10^6 rows; 64 MB keeps them in memory (per connection).
            cursor.execute("PRAGMA cache_size = -65536")
        rows = _adapt_datetimes(rows)
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def _adapt_datetimes(rows: Sequence[tuple]) -> Sequence[tuple]:
    """Datetimes as the backend stores them (executemany bypasses the ORM's adaptation)."""
    if not any(isinstance(value, datetime) for value in rows[0]):
        return rows
    adapt = connection.ops.adapt_datetimefield_value
    cache: dict[datetime, str] = {}

    def value(item: object) -> object:
        if not isinstance(item, datetime):
            return item
        if item not in cache:
            cache[item] = adapt(item)
        return cache[item]

    return [tuple(value(item) for item in row) for row in rows]
