"""``__in_list`` (portfolio/lookups.py): a long list of ids as one parameter, the same rows as ``__in``."""

import pytest

from portfolio.models import Assignment, Task


@pytest.mark.django_db
def test_in_list_finds_the_same_rows_as_in_with_one_parameter():
    ids = list(Task.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 252
    chosen = ids[::3] + [max(ids) + 1000]  # one id that names nothing
    rows = Task.objects.filter(pk__in_list=chosen).values_list("pk", flat=True)
    assert set(rows) == set(Task.objects.filter(pk__in=chosen).values_list("pk", flat=True)) == set(ids[::3])
    _sql, params = rows.query.sql_with_params()
    assert len(params) == 1  # one parameter, not one per id
    assert set(Assignment.objects.filter(task_id__in_list=chosen).values_list("pk", flat=True)) == set(
        Assignment.objects.filter(task__in=chosen).values_list("pk", flat=True))
    assert not Task.objects.filter(pk__in_list=[]).exists()


@pytest.mark.django_db
def test_in_list_takes_ids_only():
    with pytest.raises(ValueError):
        list(Task.objects.filter(pk__in_list=["1) OR (1=1"]))
