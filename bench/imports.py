"""Benchmark: import 5,000 open jobs with their routings (about 5 operations each) through the
API, as a shop moving in would: the dry run first, then the real import.

The files are made before the clock starts: customers, work centers and parts (imported first,
timed apart), then a jobs CSV and a routing CSV of about 25,000 rows. The time is Django's
whole handling of POST /api/v1/imports/jobs (multipart parsing, reading, checking every row,
writing). Everything is rolled back after, so the bench shop is left as it was.

    .venv/bin/python bench/imports.py [--jobs 5000]   # alone, on a fresh SQLite database

In `make bench` it runs against the bench shop (100,000 jobs already there).
"""

from __future__ import annotations

import csv
import io
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

JOBS = 5_000
TARGET_S = 60.0
FIRST_NUMBER = 900_000_000  # far above any bench job number


class _Rollback(Exception):
    """Raised to undo the scenario's rows once measured."""


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def files(jobs: int, seed: int = 9) -> dict[str, bytes]:
    """The shop's export: customers, work centers, parts, jobs and their routing."""
    rng = random.Random(seed)
    customers = [[f"BC{i:03d}", f"Bench Customer {i}"] for i in range(1, 41)]
    centers = [
        ["Bench Saw", "saw", 8],
        ["Bench Mill 1", "mill", 16],
        ["Bench Mill 2", "mill", 16],
        ["Bench Lathe", "lathe", 16],
        ["Bench Deburr", "deburr", 8],
        ["Bench Inspect", "inspection", 8],
    ]
    parts = [
        [f"BP-{i:04d}", "A", f"Bench part {i}", customers[i % len(customers)][0], "released"]
        for i in range(1, 401)
    ]
    job_rows = [["job_number", "customer_code", "part_number", "quantity", "due_date", "po"]]
    routing = [["job_number", "sequence", "work_center", "setup_minutes", "run_minutes"]]
    for index in range(jobs):
        number = f"J-{FIRST_NUMBER + index}"
        part = parts[rng.randrange(len(parts))]
        due = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/2031"
        job_rows.append([number, part[3], part[0], rng.randint(1, 500), due, f"PO-{index}"])
        for sequence in range(1, rng.randint(4, 6) + 1):
            center = centers[rng.randrange(len(centers))][0]
            routing.append(
                [number, sequence * 10, center, rng.choice([0, 15, 30, 60]), rng.randint(1, 20)]
            )
    return {
        "customers": _csv([["customer_code", "name"], *customers]),
        "work-centers": _csv([["work_center", "kind", "hours_per_day"], *centers]),
        "parts": _csv(
            [["part_number", "revision", "description", "customer_code", "revision_status"]] + parts
        ),
        "jobs": _csv(job_rows),
        "routing": _csv(routing),
        "routing_rows": str(len(routing) - 1).encode(),
    }


def run(shop: Any, user: Any, *, jobs: int = JOBS) -> dict[str, Any]:
    """Answers {"status", "jobs", "operations", "catalog_s", "dry_run_s", "import_s",
    "total_s"}; status is "ok", "over target" or "error: ..."."""
    from django.db import transaction
    from django.test import Client

    from shopdesk.core.services import api_token_create

    made = files(jobs)
    outcome: dict[str, Any] = {
        "scenario": f"import {jobs:,} jobs with routings",
        "jobs": jobs,
        "operations": int(made["routing_rows"]),
        "bytes": len(made["jobs"]) + len(made["routing"]),
    }

    def post(client: Client, kind: str, dry_run: bool, **uploads: bytes) -> dict[str, Any]:
        data = {}
        for field, content in uploads.items():
            handle = io.BytesIO(content)
            handle.name = f"{field}.csv"
            data[field] = handle
        query = "?dry_run=true" if dry_run else ""
        response = client.post(f"/api/v1/imports/{kind}{query}", data)
        body = response.json()
        if response.status_code != 200 or body.get("problem_count"):
            raise RuntimeError(f"{kind}: {response.status_code} {body.get('detail')}")
        return body

    try:
        with transaction.atomic():
            _, raw = api_token_create(user=user, name="bench import")
            client = Client(raise_request_exception=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
            started = time.perf_counter()
            for kind in ("customers", "work-centers", "parts"):
                post(client, kind, False, file=made[kind])
            outcome["catalog_s"] = round(time.perf_counter() - started, 2)

            started = time.perf_counter()
            checked = post(client, "jobs", True, file=made["jobs"], routing=made["routing"])
            outcome["dry_run_s"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            imported = post(client, "jobs", False, file=made["jobs"], routing=made["routing"])
            outcome["import_s"] = round(time.perf_counter() - started, 2)
            if checked["created"] != jobs or imported["created"] != jobs:
                raise RuntimeError(f"created {imported['created']} of {jobs}")
            # The same file again: every row matched by key, nothing written.
            started = time.perf_counter()
            again = post(client, "jobs", False, file=made["jobs"], routing=made["routing"])
            outcome["reimport_s"] = round(time.perf_counter() - started, 2)
            if again["unchanged"] != jobs:
                raise RuntimeError(f"re-import left {again['unchanged']} of {jobs} unchanged")
            outcome["total_s"] = round(outcome["dry_run_s"] + outcome["import_s"], 2)
            outcome["status"] = "ok" if outcome["total_s"] <= TARGET_S else "over target"
            raise _Rollback
    except _Rollback:
        pass
    except Exception as exc:  # the bench reports, it does not stop
        outcome["status"] = f"error: {exc}"[:300]
    return outcome


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=JOBS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import os

    folder = tempfile.mkdtemp(prefix="shopdesk-import-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from shopdesk.core.models import Role, Shop
    from shopdesk.core.tests.factories import member

    call_command("migrate", verbosity=0)
    shop = Shop.objects.create(name="Import Bench", slug="import-bench")
    supervisor = member(shop, Role.SUPERVISOR, username="bench-supervisor")
    outcome = run(shop, supervisor, jobs=args.jobs)
    print(outcome)


if __name__ == "__main__":
    main()
