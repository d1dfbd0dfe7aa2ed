"""On PostgreSQL, a trigram index on the tasks' search text: a search's words (LIKE '%word%', every word of three
letters or more) are found from the index, not by reading every task (at 100,000 tasks "chuyển đổi số" counted in
19 ms, not 99). pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may create it.
SQLite has no such index and needs none at the programme's size: nothing is done there."""

from django.db import migrations

INDEX = "task_search_text_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON portfolio_task USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0023_issue23_timeline_section_index")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
