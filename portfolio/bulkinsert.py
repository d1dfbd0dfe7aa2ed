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

from django.db import connection


def _json_value(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert_rows(model, objs) -> int:
    """INSERT every object of ``objs`` (new instances of ``model``, primary key from the database) in one statement."""
    objs = list(objs)
    if not objs:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [[_json_value(f.get_db_prep_save(f.pre_save(obj, True), connection)) for f in fields] for obj in objs]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "postgresql":
        # Cast to the bare type (varchar, not varchar(20)): a cast would cut a value short where the column refuses it.
        values = ", ".join(f"(e->>{i})::{f.db_type(connection).split('(')[0]}" for i, f in enumerate(fields))
        source = "jsonb_array_elements(%s::jsonb) AS e"
    else:
        values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(fields)))
        source = "json_each(%s)"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {values} FROM {source}", [json.dumps(rows)])
    return len(objs)
