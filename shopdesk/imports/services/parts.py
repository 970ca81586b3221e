"""Parts with their revisions from a shop's file: one row per revision, keyed by part number
and revision code. Written through the parts services: a new part starts with its first
revision as a draft, more revisions are added as drafts, and a revision marked released is
released (superseding the one before, with notices on open jobs), as on the part's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from shopdesk.core.errors import InvalidInput
from shopdesk.core.models import Shop
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
                else:
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
        elif changes or new_codes or to_release:
            report.updated += 1
        else:
            report.unchanged += 1
            continue
        writes.append((plan.first_row, _writer(user, part, plan, changes, new_codes, to_release)))
    return writes


def _writer(
    user: AbstractBaseUser,
    part: Part | None,
    plan: PartPlan,
    changes: dict[str, Any],
    new_codes: list[tuple[RowIn, str, str]],
    to_release: list[tuple[RowIn, str]],
) -> Any:
    def write() -> None:
        target = part
        codes = list(new_codes)
        if target is None:
            _row, first, note = codes.pop(0)
            target = part_services.part_create(
                user=user, number=plan.number, revision=first, **plan.fields
            )
            if note:
                # The first revision is made by part_create; its note is the file's.
                PartRevision.objects.filter(part=target, code=first).update(note=note)
        elif changes:
            target = part_services.part_update(user=user, part=target, **changes)
        for _row, code, note in codes:
            part_services.revision_create(user=user, part=target, code=code, note=note)
        for _row, code in to_release:
            revision = PartRevision.objects.get(part=target, code__iexact=code)
            part_services.revision_release(user=user, revision=revision)

    return write
