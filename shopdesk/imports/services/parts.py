"""Parts with their revisions from a shop's file: one row per revision, keyed by part number
and revision code. Written through the parts services: a new part starts with its first
revision as a draft, more revisions are added as drafts, and a revision marked released is
released (superseding the one before, with notices on open jobs), as on the part's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from shopdesk.core.errors import InvalidInput
from shopdesk.core.models import Event, Shop
from shopdesk.customers.models import Customer
from shopdesk.imports import cells
from shopdesk.imports.services.catalog import Write
from shopdesk.imports.services.tables import ImportReport, RowIn, Table, invalid
from shopdesk.parts import services as part_services
from shopdesk.parts.models import Part, PartRevision, RevisionStatus
from shopdesk.parts.services.revisions import clean_revision_code

STATUSES = {
    "draft": RevisionStatus.DRAFT,
    "released": RevisionStatus.RELEASED,
    "release": RevisionStatus.RELEASED,
    "superseded": RevisionStatus.SUPERSEDED,
    "obsolete": RevisionStatus.SUPERSEDED,
}


def _revision_code(raw: Any) -> str | None:
    value = cells.text(raw, 10)
    if value is None:
        return None
    try:
        return clean_revision_code(value)
    except InvalidInput as exc:
        raise cells.CellError(exc.message) from exc


@dataclass
class PartPlan:
    number: str
    first_row: RowIn
    fields: dict[str, Any] = field(default_factory=dict)
    # (row, code, status, note) in file order
    revisions: list[tuple[RowIn, str, str, str]] = field(default_factory=list)


def check_parts(
    *, user: AbstractBaseUser, shop: Shop, tables: dict[str, Table], report: ImportReport
) -> list[Write]:
    customers: dict[str, list[Customer]] = {}
    for customer in Customer.objects.filter(shop=shop).exclude(code=""):
        customers.setdefault(customer.code.lower(), []).append(customer)
    parts = {part.number.lower(): part for part in Part.objects.filter(shop=shop)}
    revisions: dict[int, dict[str, PartRevision]] = {}
    for revision in PartRevision.objects.filter(shop=shop).order_by("created_at", "id"):
        revisions.setdefault(revision.part_id, {})[revision.code.lower()] = revision

    plans: dict[str, PartPlan] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in tables["Parts"].rows:
        number = row.read("part_number", cells.text, 60)
        code = row.read("revision", _revision_code)
        status = row.read("revision_status", cells.choice, STATUSES, "revision status")
        note = row.read("revision_note", cells.text, 500)
        values = {
            "description": row.read("description", cells.text, 200),
            "material": row.read("material", cells.text, 120),
        }
        customer_code = row.read("customer_code", cells.text, 20)
        if invalid(number) or invalid(code):
            continue
        if not number:
            row.problem("part_number", "A part number is required.")
            continue
        if not code:
            row.problem("revision", "A revision code is required (A if the part has none).")
            continue
        key = (number.lower(), code.lower())
        if key in seen:
            row.problem("revision", f"{number} rev {code} is also on line {seen[key]}.")
            continue
        seen[key] = row.line
        if any(invalid(v) for v in (status, note, customer_code, *values.values())):
            continue
        if customer_code:
            found = customers.get(customer_code.lower(), [])
            if len(found) != 1:
                row.problem(
                    "customer_code",
                    f"No customer with code {customer_code} in this shop; import customers first."
                    if not found
                    else f"{len(found)} customers have code {customer_code}.",
                )
                continue
            values["customer"] = found[0]
        plan = plans.setdefault(number.lower(), PartPlan(number=number, first_row=row))
        for name, value in values.items():
            if value is None:
                continue
            if name in plan.fields and plan.fields[name] != value:
                row.problem(
                    "customer_code" if name == "customer" else name,
                    f"Differs from line {plan.first_row.line} for the same part.",
                )
                continue
            plan.fields[name] = value
        plan.revisions.append((row, code, status or RevisionStatus.DRAFT, note or ""))

    writes: list[Write] = []
    new_parts: list[PartPlan] = []
    for plan in plans.values():
        part = parts.get(plan.number.lower())
        known = revisions.get(part.pk, {}) if part else {}
        released = [r for r in plan.revisions if r[2] == RevisionStatus.RELEASED]
        if len(released) > 1:
            released[1][0].problem(
                "revision_status",
                f"{plan.number} has another released revision on line {released[0][0].line}; "
                "one revision is released at a time.",
            )
            continue
        problem = False
        to_release: list[tuple[RowIn, str]] = []
        for row, code, status, _note in plan.revisions:
            current = known.get(code.lower())
            now = current.status if current else None
            if status == RevisionStatus.DRAFT and now in (
                RevisionStatus.RELEASED,
                RevisionStatus.SUPERSEDED,
            ):
                row.problem(
                    "revision_status",
                    f"Rev {current.code} is {now}; a revision does not go back to draft.",
                )
                problem = True
            elif status == RevisionStatus.RELEASED and now == RevisionStatus.SUPERSEDED:
                row.problem(
                    "revision_status",
                    f"Rev {current.code} was superseded; it is not released again.",
                )
                problem = True
            elif status == RevisionStatus.SUPERSEDED and now != RevisionStatus.SUPERSEDED:
                if not released:
                    row.problem(
                        "revision_status",
                        "A revision is superseded by releasing a newer one; mark the newer "
                        "one released.",
                    )
                    problem = True
                elif now != RevisionStatus.RELEASED:
                    # Released on the way, then superseded by the file's released revision.
                    to_release.append((row, code))
        if problem:
            continue
        if released and (
            known.get(released[0][1].lower()) is None
            or (known[released[0][1].lower()].status != RevisionStatus.RELEASED)
        ):
            to_release.append((released[0][0], released[0][1]))
        new_codes = [
            (row, code, note) for row, code, _s, note in plan.revisions if code.lower() not in known
        ]
        changes = {}
        if part is not None:
            changes = {
                name: value for name, value in plan.fields.items() if getattr(part, name) != value
            }
        if part is None:
            report.created += 1
            new_parts.append(plan)
            continue
        if changes or new_codes or to_release:
            report.updated += 1
        else:
            report.unchanged += 1
            continue
        writes.append((plan.first_row, _writer(user, part, plan, changes, new_codes, to_release)))
    if new_parts:
        writes.insert(0, (new_parts[0].first_row, lambda: _create_parts(user, shop, new_parts)))
    return writes


def _create_parts(user: AbstractBaseUser, shop: Shop, plans: list[PartPlan]) -> None:
    """New parts with their revisions in bulk, with the facts and events the parts services
    write one by one: the part, each revision (released, superseded by the later release, or
    a draft), the part's current revision code, and part.created, part.revision_created,
    part.revision_released and part.revision_superseded events. A new part has no jobs, so
    releasing its revision raises no notices."""
    now = timezone.now()
    parts: list[Part] = []
    revisions: list[list[PartRevision]] = []
    for plan in plans:
        released = next(
            (code for _r, code, status, _n in plan.revisions if status == RevisionStatus.RELEASED),
            None,
        )
        drafts = [code for _r, code, status, _n in plan.revisions if status == RevisionStatus.DRAFT]
        part = Part(
            shop=shop,
            number=plan.number,
            revision=released or (drafts[-1] if drafts else plan.revisions[-1][1]),
            created_at=now,
            **plan.fields,
        )
        parts.append(part)
        revisions.append(
            [
                PartRevision(
                    shop=shop,
                    part=part,
                    code=code,
                    status=status,
                    note=note,
                    created_by=user,
                    created_at=now,
                    released_by=user if status != RevisionStatus.DRAFT else None,
                    released_at=now if status != RevisionStatus.DRAFT else None,
                    superseded_at=now if status == RevisionStatus.SUPERSEDED else None,
                )
                for _row, code, status, note in plan.revisions
            ]
        )
    Part.objects.bulk_create(parts, batch_size=500)
    for part, part_revisions in zip(parts, revisions, strict=True):
        for revision in part_revisions:
            revision.part = part
    PartRevision.objects.bulk_create(
        [revision for group in revisions for revision in group], batch_size=500
    )
    events: list[Event] = []

    def event(kind: str, subject: Any, summary: str, **after: Any) -> None:
        events.append(
            Event(
                shop=shop,
                actor=user,
                kind=kind,
                subject_type=type(subject).__name__.lower(),
                subject_id=subject.pk,
                summary=summary[:300],
                after={**after, "imported": True},
                created_at=now,
            )
        )

    for part, part_revisions in zip(parts, revisions, strict=True):
        first = part_revisions[0]
        event("part.created", part, f"Part {part.number} rev {first.code} created (imported)")
        for revision in part_revisions[1:]:
            event(
                "part.revision_created",
                revision,
                f"Revision {revision.code} of {part.number} added as a draft",
                draft=revision.code,
                note=revision.note,
            )
        for revision in part_revisions:
            if revision.status != RevisionStatus.DRAFT:
                event(
                    "part.revision_released",
                    revision,
                    f"Revision {revision.code} of {part.number} released",
                    released=revision.code,
                )
        final = next((r for r in part_revisions if r.status == RevisionStatus.RELEASED), None)
        for revision in part_revisions:
            if revision.status == RevisionStatus.SUPERSEDED and final is not None:
                event(
                    "part.revision_superseded",
                    revision,
                    f"Revision {revision.code} of {part.number} superseded by {final.code}",
                    status=RevisionStatus.SUPERSEDED,
                    by=final.code,
                )
    Event.objects.bulk_create(events, batch_size=500)


def _writer(
    user: AbstractBaseUser,
    part: Part,
    plan: PartPlan,
    changes: dict[str, Any],
    new_codes: list[tuple[RowIn, str, str]],
    to_release: list[tuple[RowIn, str]],
) -> Any:
    """An existing part's changes, through the parts services: its fields, its new revisions
    as drafts, then the releases (superseding the one before, with notices on open jobs)."""

    def write() -> None:
        target = part
        if changes:
            target = part_services.part_update(user=user, part=target, **changes)
        for _row, code, note in new_codes:
            part_services.revision_create(user=user, part=target, code=code, note=note)
        for _row, code in to_release:
            revision = PartRevision.objects.get(part=target, code__iexact=code)
            part_services.revision_release(user=user, revision=revision)

    return write
