"""Bulk inserts for the platform's largest writes: plans and simulated panels.

1,000 raters are 1.2 million plan items and, simulated, 1.1 million ratings; the
ORM's per-object overhead would dominate that. PostgreSQL receives the rows through
one ``COPY``, SQLite through one ``executemany`` (a loop in C). Table and column names
come from the model, so a renamed field cannot drift; values are numbers, choice
labels and datetimes produced by our own code, never user text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection, models


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
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


def _adapt_datetimes(rows: list[tuple]) -> list[tuple]:
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
