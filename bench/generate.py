"""Build a large shop for the benchmarks in a database of their own, quickly.

100,000 jobs and about 500,000 operations by default (about 2,000 of the jobs open, the rest
shipped or closed), written with bulk_create in batches
(not through the services: those would take hours). The derived fields (stage, current
operation and work center, operations done/total, open blocker count, work left) are computed
by the functions the services use, so the data is what the services would have produced.
Some jobs have blockers, about 5% have events, some have a printed traveler.

The database is a separate SQLite file, or with DATABASE_URL a PostgreSQL database whose name
contains "bench" (see bench/settings.py), dropped and created again.

    .venv/bin/python bench/generate.py [--jobs 100000] [--db bench/bench.sqlite3]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import secrets
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO / "bench" / "bench.sqlite3"
SEED = 7
BATCH = 5000
# A shop with 100,000 jobs of history has a couple of thousand open: about 300 planned and
# 1,700 released (on the floor), the rest shipped or closed. The board and the dispatch lists
# read only open work, so this mix is what their benchmarks are measured against.
PLANNED_SHARE = 0.003
RELEASED_SHARE = 0.017
# Raised whenever the data's shape changes: bench/run.py regenerates an older database.
DATA_VERSION = 4  # 4: shipped jobs are released with every good part shipped


def setup_django(db_path: Path) -> None:
    """Point Django at the bench database. Call before importing models."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ["SHOPDESK_BENCH_DB"] = str(db_path)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def meta_path(db_path: Path) -> Path:
    """Where what was generated is written down: beside the SQLite file, or for PostgreSQL
    beside the default file, named after the database (.gitignore keeps both out)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return Path(f"{db_path}.meta.json")
    return DEFAULT_DB.parent / f"{connection.settings_dict['NAME']}.postgresql.meta.json"


def database_exists(db_path: Path) -> bool:
    from django.db import OperationalError, connection

    if connection.vendor == "sqlite":
        return db_path.exists()
    try:
        connection.ensure_connection()
    except OperationalError:
        return False
    return True


def database_label(db_path: Path) -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return str(db_path)
    return f"PostgreSQL database {connection.settings_dict['NAME']}"


def _recreate_database(db_path: Path) -> None:
    """Start from nothing: the SQLite file deleted, or the PostgreSQL database dropped and
    created again (only one named for the bench: it is thrown away)."""
    from django.db import connection

    connection.close()
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        return
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(
            f"DATABASE_URL names the database {name!r}; the bench drops and rebuilds its "
            "database, so it only uses one whose name contains 'bench'."
        )
    quoted = connection.ops.quote_name(name)
    # Django's own connection to the maintenance database, as its test runner uses.
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")


def finish_database() -> None:
    """After the bulk writes: sequences past the explicit ids written (PostgreSQL), and the
    database folded and vacuumed so the first timed request does not pay for it."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "sqlite":
            # Fold the WAL back into the file.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            # Visibility map and statistics for the freshly written tables.
            cursor.execute("VACUUM (ANALYZE)")


def generate(jobs: int, db_path: Path, *, seed: int = SEED, quiet: bool = False) -> dict[str, Any]:
    """Create the bench database from scratch; answers what was made and how long it took."""
    from django.core.management import call_command
    from django.db import connection

    def say(message: str) -> None:
        if not quiet:
            print(message, flush=True)

    started = time.perf_counter()
    meta_path(db_path).unlink(missing_ok=True)
    _recreate_database(db_path)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    say(f"schema ready in {time.perf_counter() - started:.1f} s")
    totals = populate(jobs, seed=seed, quiet=quiet, started=started)
    finish_database()
    seconds = time.perf_counter() - started
    meta = {
        **totals,
        "data_version": DATA_VERSION,
        "seed": seed,
        "generated_seconds": round(seconds, 1),
        "db": database_label(db_path),
        "vendor": connection.vendor,
    }
    meta_path(db_path).write_text(json.dumps(meta, indent=2))
    say(
        f"generated {totals['jobs']:,} jobs, {totals['operations']:,} operations, "
        f"{totals['blockers']:,} blockers, {totals['events']:,} events, "
        f"{totals['travelers']:,} travelers in {seconds:.0f} s -> {database_label(db_path)}"
    )
    return meta


def populate(
    jobs: int, *, seed: int = SEED, quiet: bool = False, started: float | None = None
) -> dict[str, int]:
    """Write the bench shop ("bench") and its `jobs` jobs into the current database, with
    explicit ids for jobs and operations; answers how many rows of each kind. Call
    finish_database() after, before anything else writes."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from shopdesk.core.models import Event, Membership, Role, Shop
    from shopdesk.customers.models import Customer
    from shopdesk.jobs.derive import derive_stage, derive_work_left
    from shopdesk.jobs.models import (
        Blocker,
        BlockerKind,
        Job,
        JobStage,
        JobState,
        Operation,
        OperationStatus,
        WorkCenter,
    )
    from shopdesk.parts.models import Part
    from shopdesk.travelers.models import Traveler

    started = time.perf_counter() if started is None else started

    def say(message: str) -> None:
        if not quiet:
            print(message, flush=True)

    rng = random.Random(seed)  # noqa: S311 (benchmark data)
    now = timezone.now()
    today = timezone.localdate()
    user_model = get_user_model()

    with transaction.atomic():
        shop = Shop.objects.create(name="Bench Precision", slug="bench")
        people = {}
        for username, role in (
            ("owner", Role.OWNER),
            ("supervisor", Role.SUPERVISOR),
            ("operator", Role.OPERATOR),
        ):
            user = user_model.objects.create_user(
                username=username,
                password="bench",
                first_name=username.title(),
                last_name="Bench",
                email=f"{username}@bench.example.com",
            )
            Membership.objects.create(user=user, shop=shop, role=role)
            people[username] = user
        operator, supervisor = people["operator"], people["supervisor"]
        route_order = [
            ("Saw", "saw"),
            ("Haas VF-2", "mill"),
            ("Haas VF-4", "mill"),
            ("DMG 5-axis", "mill"),
            ("Okuma lathe", "lathe"),
            ("Mazak lathe", "lathe"),
            ("Weld", "weld"),
            ("Deburr", "deburr"),
            ("Finish", "finish"),
            ("Inspection", "inspection"),
            ("Shipping", "shipping"),
        ]
        centers = WorkCenter.objects.bulk_create(
            [WorkCenter(shop=shop, name=name, kind=kind) for name, kind in route_order]
        )
        customers = Customer.objects.bulk_create(
            [Customer(shop=shop, name=f"Customer {n:04d}", code=f"C{n:04d}") for n in range(400)]
        )
        parts = Part.objects.bulk_create(
            [
                Part(
                    shop=shop,
                    customer=customers[n % len(customers)],
                    number=f"P-{10000 + n}",
                    description="Bracket, 6061-T6",
                    revision=rng.choice("ABC"),
                )
                for n in range(4000)
            ]
        )
    say(f"shop, people, {len(centers)} work centers, customers and parts ready")

    inspection_index = len(route_order) - 2
    kinds = list(BlockerKind.values)
    job_id = (Job.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    op_id = (Operation.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    totals = {"jobs": 0, "operations": 0, "blockers": 0, "events": 0, "travelers": 0}

    for batch_start in range(0, jobs, BATCH):
        job_rows: list[Job] = []
        op_rows: list[Operation] = []
        blocker_rows: list[Blocker] = []
        event_rows: list[Event] = []
        traveler_rows: list[Traveler] = []
        for n in range(batch_start, min(batch_start + BATCH, jobs)):
            part = parts[rng.randrange(len(parts))]
            roll = rng.random()
            shipped = False
            if roll < PLANNED_SHARE:
                state = JobState.PLANNED
                age = rng.uniform(0, 20)
            elif roll < PLANNED_SHARE + RELEASED_SHARE:
                state = JobState.RELEASED
                age = rng.uniform(1, 60)
            elif roll < 0.10:
                # Shipped: released, every good part shipped (the stage derives from that).
                state = JobState.RELEASED
                shipped = True
                age = rng.uniform(20, 365)
            else:
                state = JobState.CLOSED
                age = rng.uniform(30, 700)
            created = now - datetime.timedelta(days=age)
            is_open = state in (JobState.PLANNED, JobState.RELEASED) and not shipped
            if is_open:
                due = today + datetime.timedelta(days=rng.randint(-12, 60))
            else:
                due = (created + datetime.timedelta(days=rng.randint(10, 40))).date()
            if state == JobState.PLANNED and rng.random() < 0.1:
                due = None

            job = Job(
                id=job_id,
                shop=shop,
                number=1001 + n,
                customer_id=part.customer_id,
                part=part,
                revision=part.revision,
                quantity=rng.choice([5, 10, 25, 50, 100, 250, 1000]),
                customer_po=f"PO-{rng.randint(100000, 999999)}",
                due_date=due,
                priority=rng.choice([1, 2, 2, 2, 2, 3, 4]),
                owner=supervisor if rng.random() < 0.7 else None,
                state=state,
                released_at=created + datetime.timedelta(days=1) if state != "planned" else None,
                created_at=created,
                updated_at=created,
            )
            job_id += 1

            count = rng.choice([3, 4, 5, 6, 7])
            chosen = sorted(rng.sample(range(inspection_index), count - 1)) + [inspection_index]
            if state == JobState.PLANNED:
                done = 0
            elif state == JobState.RELEASED and not shipped:
                done = count if rng.random() < 0.08 else rng.randint(0, count - 1)
            else:
                done = count
            operations = []
            moment = created + datetime.timedelta(days=1)
            remaining = job.quantity
            for sequence, center_index in enumerate(chosen, start=1):
                operation = Operation(
                    id=op_id,
                    job=job,
                    sequence=sequence,
                    work_center=centers[center_index],
                    name=route_order[center_index][0],
                    setup_minutes=Decimal(rng.randint(0, 120)),
                    run_minutes=Decimal(rng.randint(1, 40)) / 4,
                )
                op_id += 1
                if sequence <= done:
                    scrap = rng.choice([0, 0, 0, 0, 1, 2])
                    remaining = max(remaining - scrap, 0)
                    operation.status = OperationStatus.DONE
                    operation.qty_good = remaining
                    operation.qty_scrap = scrap
                    operation.started_at = moment
                    operation.started_by = operator
                    moment += datetime.timedelta(hours=rng.uniform(1, 20))
                    operation.finished_at = moment
                    operation.finished_by = operator
                elif sequence == done + 1 and state == JobState.RELEASED and rng.random() < 0.6:
                    operation.status = rng.choice([OperationStatus.RUNNING, OperationStatus.PAUSED])
                    operation.started_at = moment
                    operation.started_by = operator
                operations.append(operation)
            op_rows.extend(operations)

            if shipped and remaining:
                job.quantity_shipped = remaining
            elif shipped:
                job.state = JobState.CLOSED  # every part scrapped: nothing shipped, closed
            stage, current = derive_stage(job.state, operations, job.quantity_shipped)
            job.stage = stage
            job.is_open = stage in JobStage.open_stages()
            job.current_operation_id = current.id if current else None
            job.current_work_center_id = current.work_center_id if current else None
            job.operations_total = len(operations)
            job.operations_done = done
            job.work_days_left, job.current_minutes_left = derive_work_left(
                job, operations, current
            )

            open_blockers = 0
            if is_open and rng.random() < 0.05:
                for _ in range(rng.choice([1, 1, 1, 2])):
                    blocker_rows.append(
                        Blocker(
                            shop=shop,
                            job=job,
                            operation=current,
                            kind=rng.choice(kinds),
                            note="Waiting on material cert from the mill.",
                            owner=supervisor,
                            raised_by=operator,
                            raised_at=now - datetime.timedelta(hours=rng.uniform(1, 300)),
                        )
                    )
                    open_blockers += 1
            if rng.random() < 0.03:
                raised = created + datetime.timedelta(hours=rng.uniform(2, 48))
                blocker_rows.append(
                    Blocker(
                        shop=shop,
                        job=job,
                        kind=rng.choice(kinds),
                        note="Drawing question on the bore tolerance.",
                        owner=supervisor,
                        raised_by=operator,
                        raised_at=raised,
                        resolved_at=raised + datetime.timedelta(hours=rng.uniform(1, 72)),
                        resolved_by=supervisor,
                        resolution_note="Customer confirmed the drawing.",
                    )
                )
            job.open_blocker_count = open_blockers
            job_rows.append(job)

            if state != JobState.PLANNED and rng.random() < 0.25:
                traveler_rows.append(
                    Traveler(
                        shop=shop,
                        job=job,
                        token=secrets.token_urlsafe(16),
                        revision=job.revision,
                        paper_size=shop.paper_size,
                        printed_by=supervisor,
                        printed_at=created + datetime.timedelta(days=1),
                    )
                )

            if rng.random() < 0.05:
                event_rows.extend(_job_events(shop, job, operations, supervisor, operator, created))

        with transaction.atomic():
            Job.objects.bulk_create(job_rows, batch_size=2000)
            Operation.objects.bulk_create(op_rows, batch_size=2000)
            Blocker.objects.bulk_create(blocker_rows, batch_size=2000)
            Traveler.objects.bulk_create(traveler_rows, batch_size=2000)
            Event.objects.bulk_create(event_rows, batch_size=2000)
        totals["jobs"] += len(job_rows)
        totals["operations"] += len(op_rows)
        totals["blockers"] += len(blocker_rows)
        totals["events"] += len(event_rows)
        totals["travelers"] += len(traveler_rows)
        say(
            f"  {totals['jobs']:>7,} jobs, {totals['operations']:>8,} operations "
            f"({time.perf_counter() - started:.0f} s)"
        )

    Shop.objects.filter(pk=shop.pk).update(next_job_number=1001 + jobs)
    return totals


def _job_events(shop, job, operations, supervisor, operator, created) -> list:  # noqa: ANN001
    """The events the services would have appended for this job's history."""
    from shopdesk.core.models import Event
    from shopdesk.jobs.models import JobState, OperationStatus

    events = [
        Event(
            shop=shop,
            job=job,
            actor=supervisor,
            kind="job.created",
            subject_type="job",
            subject_id=job.id,
            summary=f"J-{job.number} created",
            created_at=created,
        )
    ]
    if job.state != JobState.PLANNED:
        events.append(
            Event(
                shop=shop,
                job=job,
                actor=supervisor,
                kind="job.released",
                subject_type="job",
                subject_id=job.id,
                summary=f"J-{job.number} released to the floor",
                created_at=job.released_at,
            )
        )
    for operation in operations:
        if operation.started_at is None:
            break
        events.append(
            Event(
                shop=shop,
                job=job,
                actor=operator,
                kind="operation.start",
                subject_type="operation",
                subject_id=operation.id,
                summary=f"Op {operation.sequence} {operation.name} started",
                created_at=operation.started_at,
            )
        )
        if operation.status == OperationStatus.DONE:
            events.append(
                Event(
                    shop=shop,
                    job=job,
                    actor=operator,
                    kind="operation.finish",
                    subject_type="operation",
                    subject_id=operation.id,
                    summary=(
                        f"Op {operation.sequence} {operation.name} finished: "
                        f"{operation.qty_good} good, {operation.qty_scrap} scrap"
                    ),
                    created_at=operation.finished_at,
                )
            )
    return events


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs to create (100000)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="the SQLite file to write")
    args = parser.parse_args(argv)
    if args.jobs < 10:
        parser.error("--jobs must be at least 10")
    setup_django(args.db.resolve())
    generate(args.jobs, args.db.resolve())


if __name__ == "__main__":
    main()
