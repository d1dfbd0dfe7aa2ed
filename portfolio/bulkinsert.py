"""Many new rows in one INSERT, their values sent as one JSON parameter.

``bulk_create`` sends one placeholder per value: SQLite takes 999 of them per statement (so 124 reminders of eight
columns), and on a report day at province scale the reminder job records some 90,000 reminders, which made its
query count grow with the province instead of with the e-mails sent. Here the rows go as one JSON array, unpacked by
the database (json_each on SQLite, jsonb_array_elements on PostgreSQL), in one statement whatever their number.
The values are those ``bulk_create`` would write (each field's pre_save and get_db_prep_save); the constraints,
unique ones included, refuse the statement exactly as they refuse a bulk_create. No primary keys come back.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, models


def _json_value(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _stamped(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


# Django's own fields whose pre_save reads the attribute and whose get_db_prep_save gives back a value of this exact
# type unchanged (a foreign key: its target's integer key): such a value goes as it is, anything else the full way.
AS_IS = {
    models.CharField: str, models.TextField: str, models.IntegerField: int, models.SmallIntegerField: int, models.BigIntegerField: int,
    models.PositiveIntegerField: int, models.PositiveSmallIntegerField: int, models.PositiveBigIntegerField: int,
    models.BooleanField: bool, models.ForeignKey: int,
}


def _prepared(field, stamp=None):
    """obj -> the field's value as bulk_create writes it (pre_save, get_db_prep_save), JSON-ready. A field stamped
    with the time of its insertion (auto_now, auto_now_add) takes ``stamp``, the first row's, on every row: one
    statement, one moment (and 10,000 rows no longer ask the clock twice each). A text, number or key of its own
    field's type (AS_IS) is taken as it is: 10,000 reports of 15 columns made 150,000 calls through the field."""
    if stamp is not None:
        return lambda obj: stamp

    def full(obj):
        return _json_value(field.get_db_prep_save(field.pre_save(obj, True), connection))

    kind, attname = AS_IS.get(type(field)), field.attname
    if kind is None:
        return full

    def as_is(obj):
        value = getattr(obj, attname)
        return value if value is None or type(value) is kind else full(obj)
    return as_is


def insert_rows(model, objs, *, returning: bool = False) -> int | list[int]:
    """INSERT every object of ``objs`` (new instances of ``model``, primary key from the database) in one statement.

    Returns how many rows were written, or with ``returning`` their new primary keys, sorted (the database promises
    no order between the rows and their keys: the objects are not given theirs)."""
    objs = list(objs)
    if not objs:
        return [] if returning else 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    prepared = [_prepared(f, _prepared(f)(objs[0]) if _stamped(f) else None) for f in fields]
    rows = [[value(obj) for value in prepared] for obj in objs]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "postgresql":
        # Cast to the bare type (varchar, not varchar(20)): a cast would cut a value short where the column refuses it.
        values = ", ".join(f"(e->>{i})::{f.db_type(connection).split('(')[0]}" for i, f in enumerate(fields))
        source = "jsonb_array_elements(%s::jsonb) AS e"
    else:
        values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(fields)))
        source = "json_each(%s)"
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {values} FROM {source}"
    with connection.cursor() as cursor:
        if not returning:
            cursor.execute(sql, [json.dumps(rows)])
            return len(objs)
        cursor.execute(f"{sql} RETURNING {quote(model._meta.pk.column)}", [json.dumps(rows)])
        return sorted(pk for (pk,) in cursor.fetchall())
