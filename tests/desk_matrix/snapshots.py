"""What a request changed: a row with the counts of what hangs off it, in one query
compiled once per model; and on SQLite, every row the connection wrote at all."""

import functools
import uuid
from typing import Any

from django.db import connection, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

SQLITE = connection.vendor == "sqlite"


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The row of `obj` (its columns, as stored) with, as `n_<name>`, how many rows
    each of its many-to-many fields holds and how many rows of every model point
    at it: its events, revisions, corrections, decisions… Empty when it is gone."""
    sql, params = _query(type(obj))
    with connection.cursor() as cursor:
        cursor.execute(sql, [obj.pk if p is _PK else p for p in params])
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description]
    return dict(zip(names, row, strict=True)) if row else {}


def writes() -> int | None:
    """How many rows this connection has written so far (SQLite's count, which
    sees every INSERT, UPDATE and DELETE, rolled back or not); None elsewhere."""
    if not SQLITE:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_changes()")
        return int(cursor.fetchone()[0])


_PK = object()  # stands for the row's pk among the compiled query's parameters


@functools.cache
def _query(model: type[models.Model]) -> tuple[str, list[Any]]:
    fields = [f.attname for f in model._meta.concrete_fields]
    # A pk no row has, to find among the parameters: the task queue's results
    # have UUIDs, which a database adapter may pass as the UUID or as its hex.
    marker: Any = -918_273_645
    if isinstance(model._meta.pk, models.UUIDField):
        marker = uuid.UUID(int=918_273_645)
    found = {marker, str(marker), getattr(marker, "hex", marker)}
    rows = model._base_manager.filter(pk=marker).values(*fields, **_counts(model))
    sql, params = rows.query.sql_with_params()
    assert sum(p in found for p in params) == 1, params
    return sql, [_PK if p in found else p for p in params]


def _counts(model: type[models.Model]) -> dict[str, Any]:
    def count(rows: type[models.Model], key: str) -> Any:
        matching = (
            rows._base_manager.filter(**{key: OuterRef("pk")})
            .order_by()
            .values(key)
            .annotate(n=Count("*"))
            .values("n")
        )
        return Coalesce(Subquery(matching), 0)

    counts = {}
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through  # type: ignore[union-attr]
        counts[f"n_{m2m.name}"] = count(through, m2m.m2m_field_name())  # type: ignore[arg-type,attr-defined]
    for rel in model._meta.related_objects:
        name = f"n_{rel.get_accessor_name() or rel.name}"
        if rel.many_to_many:
            through = rel.field.remote_field.through  # type: ignore[attr-defined]
            key = rel.field.m2m_reverse_field_name()  # type: ignore[attr-defined]
            counts[name] = count(through, key)
        else:
            counts[name] = count(rel.related_model, rel.field.name)  # type: ignore[arg-type]
    return counts
