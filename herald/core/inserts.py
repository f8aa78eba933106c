"""Raw INSERTs and UPDATEs of model rows for hot paths (ingest, many a second).

`insert`, `insert_many` and `insert_rows` write the rows that
`Model.save(force_insert=True)` and `bulk_create` would, and `update` the row
that `Model.save()` of a stored instance would, each value prepared for
the database in use as its field prepares it, but without the query compiler, the
model's own `save()` or the pre_save/post_save signals. Callers do what `save()`
would have done (a Story's body is sanitized by its caller) and announce changes
themselves; no receiver in Herald listens to those signals for the models written
this way.
"""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models

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

Spec = tuple[models.Field[Any, Any], type | None]


def _plain_type(field: models.Field[Any, Any]) -> type | None:
    if isinstance(field, models.ForeignKey):
        return int if type(field.target_field) in _KEYS else None
    return _PLAIN.get(type(field))


def _prepare(field: models.Field[Any, Any], plain: type | None, value: Any) -> Any:
    if value is None or (plain is not None and type(value) is plain):
        return value
    if plain is str and isinstance(value, str):  # str choices (TextChoices)
        return value
    return field.get_db_prep_save(value, connection)


@cache
def _statement(
    model: type[models.Model], columns: tuple[str, ...] | None
) -> tuple[list[Spec], str]:
    """The fields written (by attname; all concrete fields but an auto primary key
    when `columns` is None) and the INSERT's SQL."""
    meta = model._meta
    if columns is None:
        fields = [
            f
            for f in meta.concrete_fields
            if not (f.primary_key and isinstance(f, _KEYS))
        ]
    else:
        fields = [meta.get_field(name) for name in columns]  # type: ignore[misc]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - model names
    return [(f, _plain_type(f)) for f in fields], sql


def _values(obj: models.Model, specs: Sequence[Spec]) -> list[Any]:
    return [_prepare(f, plain, f.pre_save(obj, True)) for f, plain in specs]


def insert(obj: models.Model) -> None:
    """INSERT `obj` as one row and set its primary key."""
    model = type(obj)
    specs, sql = _statement(model, None)
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
            cursor.execute(f"{sql} RETURNING {pk}", _values(obj, specs))
            obj.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, _values(obj, specs))
            obj.pk = cursor.lastrowid
    obj._state.adding = False
    obj._state.db = connection.alias


def insert_many(objs: Sequence[models.Model]) -> None:
    """INSERT `objs` (of one model) in one executemany; their keys stay unset."""
    if not objs:
        return
    specs, sql = _statement(type(objs[0]), None)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [_values(obj, specs) for obj in objs])


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """INSERT `rows` of values for `columns` (attnames) of `model`, the others
    left to the database (e.g. an auto key), in one executemany."""
    specs, sql = _statement(model, tuple(columns))
    params = [
        [_prepare(f, plain, v) for (f, plain), v in zip(specs, row, strict=True)]
        for row in rows
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


@cache
def _update_statement(model: type[models.Model]) -> tuple[list[Spec], str]:
    """The fields written (every concrete field but the primary key) and the
    UPDATE's SQL, by primary key."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    pk = quote(meta.pk.column)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {pk} = %s"  # noqa: S608 - model names
    return [(f, _plain_type(f)) for f in fields], sql


def update(obj: models.Model) -> None:
    """UPDATE every column of the stored `obj`'s row, as `obj.save()` would."""
    if obj.pk is None:
        raise ValueError(f"{obj!r} is not stored: there is no row to update.")
    specs, sql = _update_statement(type(obj))
    params = [_prepare(f, plain, f.pre_save(obj, False)) for f, plain in specs]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
        if cursor.rowcount != 1:
            raise ObjectDoesNotExist(f"{obj!r} is gone: no row was updated.")
