"""The three kinds of user as Django groups with their permissions; see portfolio.groups."""

from django.apps import apps as global_apps
from django.db import migrations

from portfolio.groups import remove_groups, sync_groups


def create_groups(apps, schema_editor):
    sync_groups(apps, global_apps)


def delete_groups(apps, schema_editor):
    remove_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0002_reporting"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
