"""Django's SQLite backend, told the bound-parameter limit of the SQLite library actually loaded.

Django assumes SQLite's old default of 999 parameters per query, so a bulk insert of a 17-column row goes in
batches of 58 rows; the SQLite shipped with Python 3.11 allows 32,766 or more (250,000 on Debian), and batches
of 1,000 rows then go in one query each.
"""

import sqlite3

from django.db.backends.sqlite3 import base, features

with sqlite3.connect(":memory:") as _probe:
    LIMIT = _probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = LIMIT


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
