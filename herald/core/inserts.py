"""Raw INSERTs and UPDATEs of model rows for hot paths (ingest, many a second).

`insert`, `insert_many` and `insert_rows` write the rows that
`Model.save(force_insert=True)` and `bulk_create` would, and `update` the row
that `Model.save()` of a stored instance would, each value prepared for
the database in use as its field prepares it, but without the query compiler, the
model's own `save()` or the pre_save/post_save signals. Callers do what `save()`
would have done (a Story's body is sanitized by its caller) and announce changes
themselves; no receiver in Herald listens to those signals for the models written
this way.

`execute` runs any statement of such a hot path (these writes, ingest's LSH band
writes and candidate lookups, a wire story's locked read and its revision number):
on SQLite on the driver's own cursor, since
Django's cursor wrapper costs more per statement than SQLite takes to write a small
row.
"""

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

# Fields whose preparation returns a value of this type unchanged (Django's own
# get_prep_value: to_python of a str, int() of an int, and so on), so that the
# common case skips the call chain; any other value takes the field's full path.
_PLAIN: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.SlugField: str,
    models.URLField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.BooleanField: bool,
    models.FloatField: float,
}
_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)

# (field, the type its preparation returns unchanged, whether it is a
# DateTimeField, whose aware values go straight to the backend's adapter).
Spec = tuple[models.Field[Any, Any], type | None, bool]


def _db() -> BaseDatabaseWrapper:
    """The connection itself: each attribute read through the `connection` proxy
    looks the connection up again, and a row reads several."""
    return connections[DEFAULT_DB_ALIAS]


# Django's SQLite cursor turns each "%s" (not "%%s") into "?" and "%%" into "%",
# with a regex per statement; done here once per statement text.
_FORMAT_MARK = re.compile(r"(?<!%)%s")


@lru_cache(maxsize=1024)
def _qmark(sql: str) -> str:
    return _FORMAT_MARK.sub("?", sql).replace("%%", "%")


def execute(
    sql: str,
    params: Any = (),
    *,
    many: bool = False,
    db: BaseDatabaseWrapper | None = None,
) -> Any:
    """Run `sql` (with "%s" placeholders) once with `params`, or, with `many`, once
    for each of them; return the cursor, to be read at once.

    On SQLite the statement runs on the driver's own cursor: Django's cursor
    wrapper cost about 7 µs a statement (10.5 against 3.2 µs for a small INSERT),
    more than SQLite's own work for many of ingest's statements. What the wrapper
    does that matters is done here as well: a transaction already broken refuses
    the statement, and the driver's errors become Django's (an IntegrityError is
    django.db.IntegrityError). Where Django records queries (DEBUG, a test
    counting them) and on other databases, Django's cursor runs it, as usual."""
    db = db or _db()
    if db.vendor != "sqlite" or db.queries_logged:
        cursor = db.cursor()
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        return cursor
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        if db.connection is None:
            db.ensure_connection()
        raw = db.connection.cursor()
        if many:
            raw.executemany(_qmark(sql), params)
        else:
            raw.execute(_qmark(sql), params)
    return raw


def _spec(field: models.Field[Any, Any]) -> Spec:
    if isinstance(field, models.ForeignKey):
        return field, int if type(field.target_field) in _KEYS else None, False
    return field, _PLAIN.get(type(field)), type(field) is models.DateTimeField


def _prepare(spec: Spec, value: Any, db: BaseDatabaseWrapper) -> Any:
    field, plain, moment = spec
    if value is None or (plain is not None and type(value) is plain):
        return value
    if plain is str and isinstance(value, str):  # str choices (TextChoices)
        return value
    if moment and type(value) is datetime and value.utcoffset() is not None:
        # What DateTimeField.get_db_prep_save does with an aware datetime.
        return db.ops.adapt_datetimefield_value(value)
    return field.get_db_prep_save(value, db)


@cache
def _statement(
    model: type[models.Model], columns: tuple[str, ...] | None, alias: str
) -> tuple[list[Spec], str, str | None]:
    """The fields written (by attname; all concrete fields but an auto primary key
    when `columns` is None), the INSERT's SQL, and that SQL returning the key
    where the database can (else None)."""
    db = connections[alias]
    meta = model._meta
    if columns is None:
        fields = [
            f
            for f in meta.concrete_fields
            if not (f.primary_key and isinstance(f, _KEYS))
        ]
    else:
        fields = [meta.get_field(name) for name in columns]  # type: ignore[misc]
    quote = db.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - model names
    returning = None
    if db.features.can_return_columns_from_insert:
        returning = f"{sql} RETURNING {quote(meta.pk.column)}"  # type: ignore[union-attr]
    return [_spec(f) for f in fields], sql, returning


def _values(
    obj: models.Model, specs: Sequence[Spec], db: BaseDatabaseWrapper, add: bool
) -> list[Any]:
    return [_prepare(spec, spec[0].pre_save(obj, add), db) for spec in specs]


def insert(obj: models.Model) -> None:
    """INSERT `obj` as one row and set its primary key."""
    db = _db()
    specs, sql, returning = _statement(type(obj), None, db.alias)
    if returning is not None:
        obj.pk = execute(returning, _values(obj, specs, db, True), db=db).fetchone()[0]
    else:
        obj.pk = execute(sql, _values(obj, specs, db, True), db=db).lastrowid
    obj._state.adding = False
    obj._state.db = db.alias


def insert_many(objs: Sequence[models.Model]) -> None:
    """INSERT `objs` (of one model) in one executemany; their keys stay unset."""
    if not objs:
        return
    db = _db()
    specs, sql, _ = _statement(type(objs[0]), None, db.alias)
    execute(sql, [_values(obj, specs, db, True) for obj in objs], many=True, db=db)


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """INSERT `rows` of values for `columns` (attnames) of `model`, the others
    left to the database (e.g. an auto key), in one executemany."""
    db = _db()
    specs, sql, _ = _statement(model, tuple(columns), db.alias)
    params = [
        [_prepare(spec, v, db) for spec, v in zip(specs, row, strict=True)]
        for row in rows
    ]
    if params:
        execute(sql, params, many=True, db=db)


@cache
def _update_statement(model: type[models.Model], alias: str) -> tuple[list[Spec], str]:
    """The fields written (every concrete field but the primary key) and the
    UPDATE's SQL, by primary key."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connections[alias].ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    pk = quote(meta.pk.column)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {pk} = %s"  # noqa: S608 - model names
    return [_spec(f) for f in fields], sql


def update(obj: models.Model) -> None:
    """UPDATE every column of the stored `obj`'s row, as `obj.save()` would."""
    if obj.pk is None:
        raise ValueError(f"{obj!r} is not stored: there is no row to update.")
    db = _db()
    specs, sql = _update_statement(type(obj), db.alias)
    cursor = execute(sql, [*_values(obj, specs, db, False), obj.pk], db=db)
    if cursor.rowcount != 1:
        raise ObjectDoesNotExist(f"{obj!r} is gone: no row was updated.")


def update_columns(model: type[models.Model], pk: Any, values: dict[str, Any]) -> None:
    """UPDATE the columns `values` names (by field name or attname) of `model`'s
    row `pk`, each value prepared as its field prepares it; the others stay."""
    if not values:
        return
    db = _db()
    meta = model._meta
    quote = db.ops.quote_name
    specs = [_spec(meta.get_field(name)) for name in values]  # type: ignore[arg-type]
    sets = ", ".join(f"{quote(str(spec[0].column))} = %s" for spec in specs)
    params = [
        _prepare(spec, value, db)
        for spec, value in zip(specs, values.values(), strict=True)
    ]
    pk_column = quote(meta.pk.column)  # type: ignore[union-attr]
    execute(
        f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {pk_column} = %s",  # noqa: S608 - model names
        [*params, pk],
        db=db,
    )
