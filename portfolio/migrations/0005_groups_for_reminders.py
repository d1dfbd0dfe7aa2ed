"""Give the groups their permissions on the reminder models added after the groups were created."""

from django.apps import apps as global_apps
from django.db import migrations

from portfolio.groups import sync_groups


def resync(apps, schema_editor):
    sync_groups(apps, global_apps)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0004_reminders")]
    operations = [migrations.RunPython(resync, migrations.RunPython.noop)]
