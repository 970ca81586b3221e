"""Open jobs with their routings from a shop's file: a jobs table keyed by job number and a
routing table with one row per operation, keyed by job number and sequence.

New jobs are written in bulk (thousands in seconds) with the same facts job_create writes: the
job with its number from the file, its routing in sequence order, the derived fields computed
by jobs.derive, and a "job.created" event each. Jobs already in ShopDesk are changed through
job_update and the routing services, so their events and rules are the pages'. A job is
imported planned; one marked released goes through job_release (past the gate only for a
supervisor or owner, with the reason recorded).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Event, Shop
from shopdesk.customers.models import Customer
from shopdesk.imports import cells
from shopdesk.imports.services.catalog import Write
from shopdesk.imports.services.tables import ImportReport, RowIn, Table, invalid
from shopdesk.jobs import services as job_services
from shopdesk.jobs.derive import derive_stage, derive_work_left
from shopdesk.jobs.models import (
    Job,
    JobStage,
    JobState,
    MaterialStatus,
    Operation,
    OperationStatus,
    Priority,
    WorkCenter,
)
from shopdesk.jobs.selectors import parse_job_number
from shopdesk.jobs.services.jobs import MAX_QUANTITY, can_override_gate, job_gate_problems
from shopdesk.jobs.services.routing import MAX_MINUTES
from shopdesk.lib.db import for_update
from shopdesk.parts.models import Document, DocumentKind, Part, PartRevision, RevisionStatus

MAX_OPERATIONS = 200
BATCH = 500
RELEASE_REASON = "Imported as released: the job was on the floor before ShopDesk."

PRIORITIES: dict[str, int] = {
    **{name.lower(): value for name, value in zip(Priority.names, Priority.values, strict=True)},
    **{str(value): value for value in Priority.values},
    "urgent": Priority.HOT,
    "rush": Priority.HOT,
}
MATERIAL: dict[str, str] = {
    **{value: value for value in MaterialStatus.values},
    **{"_".join(label.lower().split()): value for value, label in MaterialStatus.choices},
    "stock": MaterialStatus.FROM_STOCK,
    "in_stock": MaterialStatus.FROM_STOCK,
    "on_order": MaterialStatus.ORDERED,
}
STATES = {
    "planned": JobState.PLANNED,
    "plan": JobState.PLANNED,
    "open": JobState.PLANNED,
    "released": JobState.RELEASED,
    "release": JobState.RELEASED,
}


def _job_number(raw: Any) -> int | None:
    if cells.is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise cells.CellError("Expected a job number, found TRUE/FALSE.")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    number = parse_job_number(str(raw))
    if number is None or number < 1 or number > 2_000_000_000:
        raise cells.CellError(f"A job number looks like 1042 or J-1042, not {str(raw)[:30]!r}.")
    return number


@dataclass
class OperationIn:
    row: RowIn
    sequence: int
    work_center: WorkCenter
    name: str | None
    setup_minutes: Decimal
    run_minutes: Decimal
    instructions: str | None


@dataclass
class JobIn:
    row: RowIn
    number: int
    existing: Job | None
    values: dict[str, Any]
    state: str | None
    operations: list[OperationIn] = field(default_factory=list)
    override_release: list[str] = field(default_factory=list)


class _Catalog:
    """What the rows refer to, loaded once for the whole file."""

    def __init__(self, shop: Shop, numbers: set[int]):
        self.customers: dict[str, list[Customer]] = {}
        for customer in Customer.objects.filter(shop=shop).exclude(code=""):
            self.customers.setdefault(customer.code.lower(), []).append(customer)
        self.parts = {part.number.lower(): part for part in Part.objects.filter(shop=shop)}
        self.revisions: dict[int, list[PartRevision]] = {}
        for revision in PartRevision.objects.filter(shop=shop).order_by("-created_at", "-id"):
            self.revisions.setdefault(revision.part_id, []).append(revision)
        self.work_centers = {wc.name.lower(): wc for wc in WorkCenter.objects.filter(shop=shop)}
        self.people = {
            user.get_username().lower(): user
            for user in get_user_model()
            .objects.filter(membership__shop=shop)
            .select_related("membership")
        }
        self.jobs: dict[int, Job] = {}
        ordered = sorted(numbers)
        for start in range(0, len(ordered), BATCH):
            for job in Job.objects.filter(
                shop=shop, number__in=ordered[start : start + BATCH]
            ).select_related("customer", "part", "part_revision", "owner"):
                self.jobs[job.number] = job
        self.routings: dict[int, list[Operation]] = {}
        job_ids = [job.pk for job in self.jobs.values()]
        for start in range(0, len(job_ids), BATCH):
            for op in (
                Operation.objects.filter(job_id__in=job_ids[start : start + BATCH])
                .select_related("work_center")
                .order_by("job_id", "sequence", "id")
            ):
                self.routings.setdefault(op.job_id, []).append(op)
        self.drawings: dict[int, list[Document]] = {}
        for document in Document.objects.filter(
            shop=shop,
            kind=DocumentKind.DRAWING,
            replaced_at__isnull=True,
            revision__status=RevisionStatus.RELEASED,
        ):
            self.drawings.setdefault(document.revision_id, []).append(document)

    def revision_for(self, part: Part, code: str | None) -> PartRevision | None:
        revisions = self.revisions.get(part.pk, [])
        if code:
            return next((r for r in revisions if r.code.lower() == code.lower()), None)
        return next((r for r in revisions if r.status == RevisionStatus.RELEASED), None) or next(
            (r for r in revisions if r.status == RevisionStatus.DRAFT), None
        )

    def released_of(self, part: Part) -> PartRevision | None:
        return next(
            (r for r in self.revisions.get(part.pk, []) if r.status == RevisionStatus.RELEASED),
            None,
        )


def _one_customer(catalog: _Catalog, row: RowIn, code: str) -> Customer | None:
    found = catalog.customers.get(code.lower(), [])
    if len(found) == 1:
        return found[0]
    row.problem(
        "customer_code",
        f"No customer with code {code} in this shop; import customers first."
        if not found
        else f"{len(found)} customers have code {code}; give them distinct codes.",
    )
    return None


def _is_final(job: Job) -> bool:
    """Closed, or with parts shipped: the import leaves such a job as it is."""
    return job.state == JobState.CLOSED or job.quantity_shipped > 0


def _final_word(job: Job) -> str:
    return "closed" if job.state == JobState.CLOSED else "shipped"


def _read_job(row: RowIn) -> tuple[int | None, dict[str, Any] | None]:
    number = row.read("job_number", _job_number)
    raw = {
        "customer_code": row.read("customer_code", cells.text, 20),
        "part_number": row.read("part_number", cells.text, 60),
        "revision": row.read("revision", cells.text, 10),
        "quantity": row.read("quantity", cells.whole_number, low=1, high=MAX_QUANTITY),
        "due_date": row.read("due_date", cells.date),
        "customer_po": row.read("customer_po", cells.text, 60),
        "priority": row.read("priority", cells.choice, PRIORITIES, "priority"),
        "material_status": row.read("material_status", cells.choice, MATERIAL, "material status"),
        "owner": row.read("owner", cells.text, 150),
        "notes": row.read("notes", cells.text, 4000),
        "status": row.read("status", cells.choice, STATES, "status"),
    }
    if invalid(number):
        return None, None
    if number is None:
        row.problem("job_number", "A job number is required.")
        return None, None
    # The number is answered even when other cells have problems, so a duplicate is found too.
    return number, None if any(invalid(v) for v in raw.values()) else raw


def _resolve(
    catalog: _Catalog, row: RowIn, number: int, raw: dict[str, Any]
) -> dict[str, Any] | None:
    """The job's values with customer, part, revision and owner found; None on a problem."""
    existing = catalog.jobs.get(number)
    values: dict[str, Any] = {}
    ok = True
    if raw["customer_code"]:
        values["customer"] = _one_customer(catalog, row, raw["customer_code"])
        ok = ok and values["customer"] is not None
    elif existing is None:
        row.problem("customer_code", "A new job needs a customer code.")
        ok = False
    part = existing.part if existing else None
    if raw["part_number"]:
        part = catalog.parts.get(raw["part_number"].lower())
        if part is None:
            row.problem(
                "part_number",
                f"No part {raw['part_number']} in this shop; import parts first.",
            )
            ok = False
        else:
            values["part"] = part
    elif existing is None:
        row.problem("part_number", "A new job needs a part number.")
        ok = False
    if part is not None and (existing is None or raw["revision"] or "part" in values):
        revision = catalog.revision_for(part, raw["revision"])
        if revision is None:
            row.problem(
                "revision" if raw["revision"] else "part_number",
                f"{part.number} has no revision {raw['revision']}."
                if raw["revision"]
                else f"{part.number} has no current revision; import its revisions first.",
            )
            ok = False
        else:
            values["part_revision"] = revision
    if raw["owner"]:
        owner = catalog.people.get(raw["owner"].lower())
        if owner is None:
            row.problem("owner", f"No one in this shop has the username {raw['owner']}.")
            ok = False
        values["owner"] = owner
    for name in ("quantity", "due_date", "customer_po", "priority", "material_status", "notes"):
        if raw[name] is not None:
            values[name] = raw[name]
    return values if ok else None


def _read_operation(
    catalog: _Catalog, row: RowIn
) -> tuple[int | None, int | None, OperationIn | None]:
    """(job number, sequence, the operation); the key is answered even when another cell of
    the row has a problem, so a duplicate is reported as well."""
    number = row.read("job_number", _job_number)
    sequence = row.read("sequence", cells.whole_number, low=0, high=1_000_000)
    center_name = row.read("work_center", cells.text, 80)
    name = row.read("operation", cells.text, 120)
    setup = row.read(
        "setup_minutes", cells.decimal_number, low=Decimal(0), high=MAX_MINUTES, places="0.01"
    )
    run = row.read(
        "run_minutes", cells.decimal_number, low=Decimal(0), high=MAX_MINUTES, places="0.01"
    )
    instructions = row.read("instructions", cells.text, 4000)
    missing = [
        column
        for column, value in (
            ("job_number", number),
            ("sequence", sequence),
            ("work_center", center_name),
        )
        if value is None
    ]
    for column in missing:
        row.problem(column, f"The {column.replace('_', ' ')} is required.")
    key_ok = not (invalid(number) or invalid(sequence) or number is None or sequence is None)
    key = (number, sequence) if key_ok else (None, None)
    if missing or any(invalid(v) for v in (number, sequence, center_name, name, setup, run)):
        return (*key, None)
    if invalid(instructions):
        return (*key, None)
    center = catalog.work_centers.get(center_name.lower())
    if center is None:
        row.problem(
            "work_center", f"No work center named {center_name}; import work centers first."
        )
        return (*key, None)
    return (
        number,
        sequence,
        OperationIn(
            row=row,
            sequence=sequence,
            work_center=center,
            name=name,
            setup_minutes=setup if setup is not None else Decimal("0.00"),
            run_minutes=run if run is not None else Decimal("0.00"),
            instructions=instructions,
        ),
    )


def check_jobs(
    *, user: AbstractBaseUser, shop: Shop, tables: dict[str, Table], report: ImportReport
) -> list[Write]:
    job_rows = tables["Jobs"].rows
    routing_rows = tables["Routing"].rows if "Routing" in tables else []
    numbers: set[int] = set()
    read_jobs = []
    for row in job_rows:
        number, raw = _read_job(row)
        read_jobs.append((row, number, raw))
        if number is not None:
            numbers.add(number)
    for row in routing_rows:
        try:
            number = _job_number(row.values.get("job_number"))
        except cells.CellError:
            continue  # reported when the row is read below
        if number is not None:
            numbers.add(number)
    catalog = _Catalog(shop, numbers)

    jobs: dict[int, JobIn] = {}
    failed: set[int] = set()
    for row, number, raw in read_jobs:
        if number is None:
            continue
        if number in jobs:
            row.problem("job_number", f"J-{number} is also on line {jobs[number].row.line}.")
            continue
        values = _resolve(catalog, row, number, raw) if raw is not None else None
        existing = catalog.jobs.get(number)
        if existing is not None and _is_final(existing):
            row.problem(
                "job_number",
                f"J-{number} is {_final_word(existing)} in ShopDesk; take it out of the file.",
            )
            continue
        jobs[number] = JobIn(
            row=row,
            number=number,
            existing=existing,
            values=values or {},
            state=raw["status"] if raw is not None else None,
        )
        if values is None:
            failed.add(number)

    # The routing: operations by job, in sequence order.
    by_job: dict[int, list[OperationIn]] = {}
    seen: dict[tuple[int, int], int] = {}
    for row in routing_rows:
        number, sequence, operation = _read_operation(catalog, row)
        if number is None or sequence is None:
            continue
        if (number, sequence) in seen:
            row.problem(
                "sequence",
                f"J-{number} sequence {sequence} is also on line {seen[(number, sequence)]}.",
            )
            continue
        seen[(number, sequence)] = row.line
        if operation is None:
            continue
        if number not in jobs and number not in catalog.jobs:
            row.problem("job_number", f"J-{number} is neither in the jobs table nor in ShopDesk.")
            continue
        existing = catalog.jobs.get(number)
        if number not in jobs and _is_final(existing):
            row.problem(
                "job_number", f"J-{number} is {_final_word(existing)}; its routing is final."
            )
            continue
        by_job.setdefault(number, []).append(operation)
    for number, operations in by_job.items():
        operations.sort(key=lambda op: op.sequence)
        if len(operations) > MAX_OPERATIONS:
            operations[MAX_OPERATIONS].row.problem(
                "sequence", f"A routing has at most {MAX_OPERATIONS} operations."
            )
            continue
        if number in jobs:
            jobs[number].operations = operations
        else:
            job = catalog.jobs[number]
            jobs[number] = JobIn(
                row=operations[0].row, number=number, existing=job, values={}, state=None
            )
            jobs[number].operations = operations

    new: list[JobIn] = []
    changed: list[JobIn] = []
    for job_in in jobs.values():
        if job_in.number in failed:
            continue
        _check_state(user, catalog, job_in)
        if job_in.existing is None:
            new.append(job_in)
            report.created += 1
        elif _differs(catalog, job_in):
            changed.append(job_in)
            report.updated += 1
        else:
            report.unchanged += 1
    writes: list[Write] = []
    if new and report.problem_count == 0:
        writes.append((new[0].row, lambda: _create_jobs(user, shop, new)))
    for job_in in changed:
        writes.append((job_in.row, lambda j=job_in: _update_job(user, catalog, j)))
    for job_in in (*new, *changed):
        if job_in.state == JobState.RELEASED and (
            job_in.existing is None or job_in.existing.state == JobState.PLANNED
        ):
            writes.append((job_in.row, lambda j=job_in: _release(user, shop, j)))
    return writes


def _check_state(user: AbstractBaseUser, catalog: _Catalog, job_in: JobIn) -> None:
    """A job is imported planned; released only as the release gate allows."""
    existing = job_in.existing
    if job_in.state == JobState.PLANNED and existing is not None:
        if existing.state == JobState.RELEASED:
            job_in.row.problem(
                "status",
                f"J-{job_in.number} is released; unrelease it on its page, saying why.",
            )
        return
    if job_in.state != JobState.RELEASED:
        return
    if existing is not None and existing.state == JobState.RELEASED:
        return
    job = _job_as_it_will_be(catalog, job_in)
    part = job.part
    problems = job_gate_problems(
        job,
        released_revision=catalog.released_of(part),
        released_documents=catalog.drawings.get(job.part_revision_id, []),
        open_blockers=[] if existing is None else None,
    )
    if problems and not can_override_gate(user):
        job_in.row.problem(
            "status",
            "Only a supervisor or the owner can import a job as released past the release "
            "gate: " + " ".join(problems),
        )
    elif problems:
        job_in.override_release = problems
        job_in.row.note(
            "status", f"J-{job_in.number} will be released past the gate: " + " ".join(problems)
        )


def _job_as_it_will_be(catalog: _Catalog, job_in: JobIn) -> Job:
    existing = job_in.existing
    job = Job(
        number=job_in.number,
        customer=job_in.values.get("customer") or (existing.customer if existing else None),
        part=job_in.values.get("part") or (existing.part if existing else None),
        part_revision=job_in.values.get("part_revision")
        or (existing.part_revision if existing else None),
        quantity=job_in.values.get("quantity", existing.quantity if existing else None),
        due_date=job_in.values.get("due_date", existing.due_date if existing else None),
        material_status=job_in.values.get(
            "material_status",
            existing.material_status if existing else MaterialStatus.NOT_ORDERED,
        ),
    )
    if existing is not None:
        job.pk = existing.pk
    job.operations_total = max(
        len(job_in.operations), len(catalog.routings.get(existing.pk, [])) if existing else 0
    )
    return job


HEADER_FIELDS = (
    "customer",
    "part",
    "quantity",
    "due_date",
    "customer_po",
    "priority",
    "material_status",
    "owner",
    "notes",
)
OPERATION_FIELDS = ("work_center", "name", "setup_minutes", "run_minutes", "instructions")


def _header_changes(job_in: JobIn) -> dict[str, Any]:
    existing = job_in.existing
    return {
        name: job_in.values[name]
        for name in HEADER_FIELDS
        if name in job_in.values and getattr(existing, name) != job_in.values[name]
    }


def _operation_changes(current: Operation, operation: OperationIn) -> dict[str, Any]:
    return {
        name: getattr(operation, name)
        for name in OPERATION_FIELDS
        if getattr(operation, name) is not None
        and getattr(current, name) != getattr(operation, name)
    }


def _differs(catalog: _Catalog, job_in: JobIn) -> bool:
    existing = job_in.existing
    revision = job_in.values.get("part_revision")
    if (
        revision is not None
        and revision.pk != existing.part_revision_id
        and ("part" not in job_in.values or job_in.values["part"].pk == existing.part_id)
    ):
        job_in.row.problem(
            "revision",
            f"J-{job_in.number} is on rev {existing.revision}; move it to {revision.code} on its "
            "page, saying why.",
        )
        return False
    if _header_changes(job_in):
        return True
    current = catalog.routings.get(existing.pk, [])
    for index, operation in enumerate(job_in.operations):
        if index >= len(current):
            return True
        if _operation_changes(current[index], operation):
            if (
                current[index].status == OperationStatus.DONE
                and operation.work_center.pk != current[index].work_center_id
            ):
                operation.row.problem(
                    "work_center",
                    f"Operation {index + 1} of J-{job_in.number} is done; it stays at "
                    f"{current[index].work_center.name}.",
                )
                return False
            return True
    if job_in.operations and len(current) > len(job_in.operations):
        job_in.row.note(
            "job_number",
            f"J-{job_in.number} has {len(current)} operations in ShopDesk and "
            f"{len(job_in.operations)} in the file; the others stay.",
        )
    return job_in.state == JobState.RELEASED and existing.state == JobState.PLANNED


def _update_job(user: AbstractBaseUser, catalog: _Catalog, job_in: JobIn) -> None:
    job = job_in.existing
    changes = _header_changes(job_in)
    if changes:
        job = job_services.job_update(user=user, job=job, **changes)
    current = catalog.routings.get(job.pk, [])
    for index, operation in enumerate(job_in.operations):
        spec = {
            name: getattr(operation, name)
            for name in OPERATION_FIELDS
            if getattr(operation, name) is not None
        }
        if index < len(current):
            if _operation_changes(current[index], operation):
                job_services.operation_update(user=user, operation=current[index], **spec)
        else:
            spec.setdefault("name", operation.work_center.name)
            job_services.operation_add(user=user, job=job, **spec)


def _release(user: AbstractBaseUser, shop: Shop, job_in: JobIn) -> None:
    job = Job.objects.get(shop=shop, number=job_in.number)
    job_services.job_release(
        user=user,
        job=job,
        override_reason=RELEASE_REASON if job_in.override_release else None,
    )


def _create_jobs(user: AbstractBaseUser, shop: Shop, new: list[JobIn]) -> None:
    """Write the new jobs, their routings, derived fields and "job.created" events in bulk.
    Call inside the import's transaction, holding the shop row (numbers are taken from it)."""
    now = timezone.now()
    jobs: list[Job] = []
    routings: list[list[Operation]] = []
    for job_in in new:
        values = job_in.values
        revision = values["part_revision"]
        job = Job(
            shop=shop,
            number=job_in.number,
            customer=values["customer"],
            part=values["part"],
            part_revision=revision,
            revision=revision.code,
            material_status=values.get("material_status", MaterialStatus.NOT_ORDERED),
            quantity=values.get("quantity"),
            customer_po=values.get("customer_po", ""),
            due_date=values.get("due_date"),
            priority=values.get("priority", Priority.NORMAL),
            owner=values.get("owner"),
            notes=values.get("notes", ""),
            state=JobState.PLANNED,
            created_at=now,
            updated_at=now,
        )
        operations = [
            Operation(
                job=job,
                sequence=sequence,
                work_center=op.work_center,
                name=op.name or op.work_center.name,
                instructions=op.instructions or "",
                setup_minutes=op.setup_minutes,
                run_minutes=op.run_minutes,
            )
            for sequence, op in enumerate(job_in.operations, start=1)
        ]
        # The derived fields by the same rules as job_refresh_derived.
        stage, current = derive_stage(job.state, operations, job.quantity_shipped)
        job.stage = stage
        job.is_open = stage in JobStage.open_stages()
        job.current_work_center = current.work_center if current else None
        job.operations_total = len(operations)
        job.operations_done = 0
        job.open_blocker_count = 0
        job.work_days_left, job.current_minutes_left = derive_work_left(job, operations, current)
        jobs.append(job)
        routings.append(operations)
    Job.objects.bulk_create(jobs, batch_size=BATCH)
    operations = []
    for job, routing in zip(jobs, routings, strict=True):
        for operation in routing:
            operation.job = job
            operations.append(operation)
    Operation.objects.bulk_create(operations, batch_size=BATCH)
    current = []
    for job, routing in zip(jobs, routings, strict=True):
        if routing:
            job.current_operation = routing[0]
            current.append((routing[0].pk, job.pk))
    if current:
        # One plain statement per job: bulk_update's CASE over 500 ids costs more than this.
        table = connection.ops.quote_name(Job._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET current_operation_id = %s WHERE id = %s",  # noqa: S608
                current,
            )
    Event.objects.bulk_create(
        [
            Event(
                shop=shop,
                job=job,
                actor=user,
                kind=EventKind.JOB_CREATED,
                subject_type="job",
                subject_id=job.pk,
                summary=(
                    f"{job} created for {job.customer}: {job.quantity or '?'} × "
                    f"{job.part.number} (imported)"
                )[:300],
                after={**_snapshot(job), "revision": job.revision, "imported": True},
                created_at=now,
            )
            for job in jobs
        ],
        batch_size=BATCH,
    )
    top = max(job.number for job in jobs)
    locked = for_update(Shop.objects).get(pk=shop.pk)
    if locked.next_job_number <= top:
        Shop.objects.filter(pk=shop.pk).update(next_job_number=top + 1)


def _snapshot(job: Job) -> dict[str, Any]:
    snapshot: dict[str, Any] = {}
    for name in HEADER_FIELDS:
        value = getattr(job, f"{name}_id" if name in {"customer", "part", "owner"} else name)
        snapshot[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return snapshot
