"""The bench's generated shop (bench/generate.py) leaves the database ready for new rows.

The generator writes jobs and operations with explicit ids; on PostgreSQL their sequences must
be moved past them, or the next job or operation created collides with a generated one.
"""

from __future__ import annotations

import pytest

from bench.generate import finish_database, populate
from shopdesk.core.models import Shop
from shopdesk.jobs.models import Job, Operation


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_rows_created_after_the_bench_data_get_fresh_ids():
    totals = populate(30, quiet=True)
    finish_database()
    assert totals["jobs"] == 30 and totals["operations"] >= 90
    shop = Shop.objects.get(slug="bench")
    generated_jobs = set(Job.objects.values_list("pk", flat=True))
    generated_operations = set(Operation.objects.values_list("pk", flat=True))

    # A new job like the first one, with an operation: both numbered by the database.
    job = Job.objects.get(shop=shop, number=1001)
    job.pk = None
    job._state.adding = True
    job.number = shop.next_job_number
    job.save()
    operation = Operation.objects.filter(job__number=1001).first()
    operation.pk = None
    operation._state.adding = True
    operation.job = job
    operation.save()

    assert job.pk not in generated_jobs and job.pk > max(generated_jobs)
    assert operation.pk not in generated_operations and operation.pk > max(generated_operations)
    assert Job.objects.filter(shop=shop).count() == 31
