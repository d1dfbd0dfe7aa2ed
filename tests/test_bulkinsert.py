"""insert_rows (portfolio/bulkinsert.py): many rows in one INSERT, the same rows bulk_create writes."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from portfolio.choices import ReminderReason
from portfolio.bulkinsert import insert_rows
from portfolio.models import Agency, Digest, Reminder, Task

FIELDS = ("digest_id", "agency_id", "task_id", "reason", "step", "due_date")


def reminders(digest, tasks, step):
    return [Reminder(digest=digest, agency=digest.agency, task=task, reason=ReminderReason.OVERDUE, step=f"{step} «{task.number}»",
                     due_date=date(2026, 12, 15) if task.number % 2 else None) for task in tasks]


@pytest.mark.django_db
def test_insert_rows_writes_what_bulk_create_writes_in_one_statement():
    agency = Agency.objects.create(name="Sở thử chèn hàng loạt", emails="thu@example.vn")
    digest = Digest.objects.create(agency=agency, sent_on=date(2026, 12, 1), recipients="thu@example.vn")
    tasks = list(Task.objects.order_by("number")[:200])
    Reminder.objects.bulk_create(reminders(digest, tasks, "bulk_create"))
    with CaptureQueriesContext(connection) as captured:
        assert insert_rows(Reminder, reminders(digest, tasks, "insert_rows")) == 200
    assert len(captured) == 1  # 200 rows of 8 columns: bulk_create needs 2 statements on SQLite
    by = {kind: sorted((*row[:4], row[4].split(" ", 1)[1], row[5]) for row in Reminder.objects.filter(step__startswith=kind).values_list(*FIELDS))
          for kind in ("bulk_create", "insert_rows")}
    assert by["bulk_create"] == by["insert_rows"] and len(by["insert_rows"]) == 200
    stamped = Reminder.objects.filter(step__startswith="insert_rows")
    assert not stamped.filter(created_at__isnull=True).exists() and stamped.first().created_at.tzinfo is not None
    assert insert_rows(Reminder, []) == 0


@pytest.mark.django_db
def test_insert_rows_is_refused_whole_by_a_constraint_or_a_value_too_long():
    agency = Agency.objects.create(name="Sở thử ràng buộc", emails="rb@example.vn")
    digest = Digest.objects.create(agency=agency, sent_on=date(2026, 12, 1), recipients="rb@example.vn")
    tasks = list(Task.objects.order_by("number")[:3])
    insert_rows(Reminder, reminders(digest, tasks[:1], "một lần"))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Reminder, reminders(digest, tasks, "một lần"))  # the first task's step was recorded: the whole statement fails
    assert Reminder.objects.filter(digest=digest).count() == 1
    if connection.vendor == "postgresql":  # SQLite does not enforce a column's length
        from django.db import DataError

        too_long = reminders(digest, tasks[1:2], "x" * 70)
        with pytest.raises(DataError), transaction.atomic():
            insert_rows(Reminder, too_long)  # refused, not cut to 60 characters


@pytest.mark.django_db
def test_insert_rows_returning_gives_exactly_the_new_rows_keys():
    agency = Agency.objects.create(name="Sở thử khóa mới", emails="km@example.vn")
    digest = Digest.objects.create(agency=agency, sent_on=date(2026, 12, 1), recipients="km@example.vn")
    tasks = list(Task.objects.order_by("number")[:50])
    before = set(Reminder.objects.values_list("pk", flat=True))
    keys = insert_rows(Reminder, reminders(digest, tasks, "khóa"), returning=True)
    assert keys == sorted(set(Reminder.objects.values_list("pk", flat=True)) - before) and len(keys) == 50
    assert sorted(Reminder.objects.filter(pk__in=keys).values_list("task_id", flat=True)) == sorted(t.pk for t in tasks)
    assert insert_rows(Reminder, [], returning=True) == []


@pytest.mark.django_db
def test_insert_rows_writes_every_column_as_bulk_create_whatever_the_python_type_given(django_user_model):
    """Texts, numbers and keys of their field's type go as they are; others (a period given as a number, a percentage
    as a text, a flag as 0/1) go through the field as bulk_create sends them: the rows are the same."""
    from django.utils.translation import gettext_lazy

    from portfolio.models import ProgressReport

    agency = Agency.objects.create(name="Sở thử kiểu giá trị", emails="kg@example.vn")
    user = django_user_model.objects.create_user("kieu-gia-tri")
    tasks = list(Task.objects.order_by("number")[:3])

    def reports(tag):
        return [
            ProgressReport(task=tasks[0], agency=agency, submitted_by=user, period=f"{tag} Quý IV/2026", status="in_progress", percent=40, results="Đã làm"),
            ProgressReport(task_id=tasks[1].pk, agency_id=agency.pk, submitted_by_id=user.pk, period=tag, status="in_progress", percent="55", results=2026,
                           difficulties=gettext_lazy("Không có")),  # a lazy text: sent as it is, it would not even be JSON
            ProgressReport(task=tasks[2], agency=agency, submitted_by=user, period=tag, status="done", percent=100, completed_on=date(2026, 11, 30),
                           difficulties="", proposals="Không có"),
        ]
    ProgressReport.objects.bulk_create(reports("bulk"))
    keys = insert_rows(ProgressReport, reports("rows"), returning=True)
    compared = [f.attname for f in ProgressReport._meta.concrete_fields if f.attname not in ("id", "period", "created_at", "updated_at")]
    by = {tag: sorted(ProgressReport.objects.filter(period__startswith=tag).values_list(*compared)) for tag in ("bulk", "rows")}
    assert by["bulk"] == by["rows"] and len(keys) == 3
    assert sorted(ProgressReport.objects.filter(pk__in=keys).values_list("results", flat=True)) == ["", "2026", "Đã làm"]
