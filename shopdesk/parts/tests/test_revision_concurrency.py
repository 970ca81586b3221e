"""Revisions added to a part while jobs for that part are created, on PostgreSQL's row locks.

Adding a revision locks the part; creating a job locks the shop (for the next job number) and
then takes a key-share lock on the part it references. If the revision's lock also took the
shop row, the two orders cross and PostgreSQL breaks the deadlock by failing one of them.
SQLite has one writer at a time and no row locks, so this runs on PostgreSQL only.
"""

from __future__ import annotations

import datetime
import logging
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from shopdesk.core.models import Role
from shopdesk.core.tests.factories import CustomerFactory, PartFactory, ShopFactory, member
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import Job
from shopdesk.parts import services as part_services
from shopdesk.parts.models import PartRevision

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-lock ordering needs PostgreSQL"
    ),
]

THREADS = 8
ROUNDS = 15


def test_revisions_and_job_creation_never_deadlock(caplog):
    shop = ShopFactory(name="Acme Machining", slug="acme")
    supervisor = member(shop, Role.SUPERVISOR, username="sam")
    customer = CustomerFactory(shop=shop, name="Northwind Pumps")
    part = PartFactory(shop=shop, customer=customer, number="NP-220")
    due = timezone.localdate() + datetime.timedelta(days=10)
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def add_revisions(worker: int) -> None:
        for round_number in range(ROUNDS):
            start.wait()
            part_services.revision_create(
                user=supervisor, part=part, code=f"R{worker}-{round_number}"
            )

    def create_jobs(worker: int) -> None:
        for _ in range(ROUNDS):
            start.wait()
            job_services.job_create(
                user=supervisor,
                customer=customer,
                part=part,
                material_status="from_stock",
                quantity=5,
                due_date=due,
            )

    def run(work, worker: int) -> None:
        try:
            with connections["default"].cursor() as cursor:
                # Detect a deadlock in 50 ms rather than the default second, so the test is
                # quick even when it fails.
                cursor.execute("SET deadlock_timeout = '50ms'")
            work(worker)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
            start.abort()
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(add_revisions if n % 2 else create_jobs, n))
        for n in range(THREADS)
    ]
    with caplog.at_level(logging.WARNING, logger="shopdesk"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert not failures, failures[0]
    # A retry would hide a deadlock from the callers; the locks must not cross at all.
    assert not [r for r in caplog.records if "deadlock" in r.getMessage().lower()]
    assert Job.objects.filter(part=part).count() == THREADS // 2 * ROUNDS
    assert PartRevision.objects.filter(part=part).count() == 1 + THREADS // 2 * ROUNDS
