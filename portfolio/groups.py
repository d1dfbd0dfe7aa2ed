"""The three kinds of user as Django groups with their permissions (used by a migration and by tests).

The per-agency rule lives in portfolio.access.
"""

from django.contrib.auth.management import create_permissions

OFFICE = "Văn phòng Thành ủy"
REPORTER = "Cơ quan báo cáo"
VIEWER = "Lãnh đạo (chỉ xem)"

REPORTER_PERMISSIONS = [
    "view_programme", "view_section", "view_agency", "view_fundingsource", "view_milestone", "view_assignment",
    # change_task lets a reporter open its tasks to add a report inline; every task field is read-only to it.
    "view_task", "change_task",
    "view_progressreport", "add_progressreport",
    "view_reportattachment", "add_reportattachment",
    "view_taskcomment", "add_taskcomment",
    # The Resolution's targets: change_targetfigure opens a figure to add a value inline; its own fields stay read-only.
    "view_target", "view_targetfigure", "change_targetfigure", "view_targetvalue", "add_targetvalue",
]


def sync_groups(apps, global_apps):
    """Create or update the groups; ``apps`` is a migration state or django.apps.apps."""
    for app_config in global_apps.get_app_configs():
        if apps is not global_apps:
            # During migrate, permissions are only created after the last migration; create them now.
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    portfolio = Permission.objects.filter(content_type__app_label="portfolio")

    office, _ = Group.objects.get_or_create(name=OFFICE)
    office.permissions.set(
        list(portfolio)
        + list(Permission.objects.filter(content_type__app_label="auth", content_type__model__in=["user", "group"]))
        # Unlocking a locked-out login is deleting its django-axes records.
        + list(Permission.objects.filter(content_type__app_label="axes"))
    )
    reporter, _ = Group.objects.get_or_create(name=REPORTER)
    reporter.permissions.set(portfolio.filter(codename__in=REPORTER_PERMISSIONS))
    viewer, _ = Group.objects.get_or_create(name=VIEWER)
    viewer.permissions.set(portfolio.filter(codename__startswith="view_"))


def remove_groups(apps):
    apps.get_model("auth", "Group").objects.filter(name__in=[OFFICE, REPORTER, VIEWER]).delete()
