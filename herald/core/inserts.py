"""Raw INSERTs of model rows for hot paths (ingest makes many stories a second).

`insert`, `insert_many` and `insert_rows` write the rows that
`Model.save(force_insert=True)` and `bulk_create` would, each value prepared for
the database in use as its field prepares it, but without the query compiler, the
model's own `save()` or the pre_save/post_save signals. Callers do what `save()`
would have done (a Story's body is sanitized by its caller) and announce changes
themselves; no receiver in Herald listens to those signals for the models written
this way.
"""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

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
