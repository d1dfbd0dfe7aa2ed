"""The Office may unlock logins locked by django-axes."""

from django.apps import apps as global_apps
from django.db import migrations

from portfolio.groups import sync_groups


def resync(apps, schema_editor):
    sync_groups(apps, global_apps)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0006_digest_sending"), ("axes", "0010_accessattemptexpiration")]
    operations = [migrations.RunPython(resync, migrations.RunPython.noop)]
