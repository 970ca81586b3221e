"""bench/imports.py keeps working: a small run imports every job, then leaves nothing behind."""

from __future__ import annotations

from bench import imports as import_bench
from shopdesk.customers.models import Customer
from shopdesk.jobs.models import Job


def test_the_import_bench_runs_and_rolls_back(supervisor, shop):
    outcome = import_bench.run(shop, supervisor, jobs=30)
    assert outcome["status"] == "ok", outcome
    assert outcome["operations"] >= 30 * 4
    assert {"dry_run_s", "import_s", "reimport_s", "total_s"} <= set(outcome)
    assert not Job.objects.filter(shop=shop).exists()
    assert not Customer.objects.filter(shop=shop).exists()
