"""Customers and work centers from a shop's file: checked row by row, then written through
the same services the pages use (so each change appends its event and the rules apply).

A check answers a list of writes (callables) and reports every problem; the writes run only
when the whole file is free of problems, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from shopdesk.core.models import Shop
from shopdesk.customers import services as customer_services
from shopdesk.customers.models import Customer
from shopdesk.imports import cells
from shopdesk.imports.services.tables import ImportReport, RowIn, Table, invalid
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import WorkCenter, WorkCenterKind

Write = tuple[RowIn, Callable[[], Any]]


def _email(raw: Any) -> str | None:
    value = cells.text(raw, 254)
    if value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise cells.CellError(f"Not an email address: {value[:60]!r}.") from exc
    return value


def _changes(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The given values that differ from the instance's (None means the cell was blank)."""
    return {
        name: value
        for name, value in values.items()
        if value is not None and getattr(instance, name) != value
    }


def check_customers(
    *, user: AbstractBaseUser, shop: Shop, tables: dict[str, Table], report: ImportReport
) -> list[Write]:
    existing = list(Customer.objects.filter(shop=shop))
    by_code: dict[str, list[Customer]] = {}
    by_name: dict[str, Customer] = {}
    for customer in existing:
        if customer.code:
            by_code.setdefault(customer.code.lower(), []).append(customer)
        by_name[customer.name.lower()] = customer
    codes_seen: dict[str, int] = {}
    names_seen: dict[str, int] = {}
    writes: list[Write] = []
    for row in tables["Customers"].rows:
        code = row.read("customer_code", cells.text, 20)
        values = {
            "name": row.read("name", cells.text, 120),
            "email": row.read("email", _email),
            "phone": row.read("phone", cells.text, 40),
            "notes": row.read("notes", cells.text, 4000),
        }
        # The key is checked even when other cells have problems: every problem is listed.
        if invalid(code):
            continue
        if not code:
            row.problem("customer_code", "A customer code is required.")
            continue
        if code.lower() in codes_seen:
            row.problem(
                "customer_code", f"Customer code {code} is also on line {codes_seen[code.lower()]}."
            )
            continue
        codes_seen[code.lower()] = row.line
        if any(invalid(v) for v in values.values()):
            continue
        name = values["name"]
        if name:
            if name.lower() in names_seen:
                row.problem("name", f"{name} is also on line {names_seen[name.lower()]}.")
                continue
            names_seen[name.lower()] = row.line
        matches = by_code.get(code.lower(), [])
        if len(matches) > 1:
            row.problem(
                "customer_code",
                f"{len(matches)} customers in ShopDesk have code {code}; give them distinct codes.",
            )
            continue
        target = matches[0] if matches else None
        if target is None and name:
            # A customer typed in by hand before, without a code, is the same customer.
            named = by_name.get(name.lower())
            if named is not None and named.code and named.code.lower() != code.lower():
                row.problem("name", f"{named.name} already has customer code {named.code}.")
                continue
            target = named
        if name:
            holder = by_name.get(name.lower())
            if holder is not None and holder is not target:
                row.problem(
                    "name", f"{holder.name} is another customer's name (code {holder.code})."
                )
                continue
        if target is None:
            if not name:
                row.problem("name", "A new customer needs a name.")
                continue
            fields = {k: v for k, v in values.items() if v is not None}
            report.created += 1
            writes.append(
                (
                    row,
                    lambda f=fields, c=code: customer_services.customer_create(
                        user=user, code=c, **f
                    ),
                )
            )
            continue
        changes = _changes(target, {**values, "code": code})
        if not changes:
            report.unchanged += 1
            continue
        report.updated += 1
        writes.append(
            (
                row,
                lambda t=target, c=changes: customer_services.customer_update(
                    user=user, customer=t, **c
                ),
            )
        )
    return writes


KIND_NAMES: dict[str, str] = {
    **{value: value for value in WorkCenterKind.values},
    **{"_".join(label.lower().split()): value for value, label in WorkCenterKind.choices},
}


def check_work_centers(
    *, user: AbstractBaseUser, shop: Shop, tables: dict[str, Table], report: ImportReport
) -> list[Write]:
    from decimal import Decimal

    by_name = {wc.name.lower(): wc for wc in WorkCenter.objects.filter(shop=shop)}
    seen: dict[str, int] = {}
    writes: list[Write] = []
    for row in tables["Work centers"].rows:
        name = row.read("work_center", cells.text, 80)
        values = {
            "kind": row.read("kind", cells.choice, KIND_NAMES, "kind of work center"),
            "hours_per_day": row.read(
                "hours_per_day",
                cells.decimal_number,
                low=Decimal("0"),
                high=Decimal("24"),
                places="0.1",
            ),
            "active": row.read("active", cells.yes_no),
        }
        if invalid(name):
            continue
        if not name:
            row.problem("work_center", "A work center name is required.")
            continue
        if name.lower() in seen:
            row.problem("work_center", f"{name} is also on line {seen[name.lower()]}.")
            continue
        seen[name.lower()] = row.line
        if any(invalid(v) for v in values.values()):
            continue
        target = by_name.get(name.lower())
        if target is None:
            report.created += 1
            create = {k: v for k, v in values.items() if v is not None and k != "active"}

            def write(n: str = name, c: dict = create, active: Any = values["active"]) -> Any:
                center = job_services.work_center_create(user=user, name=n, **c)
                if active is False:
                    job_services.work_center_update(user=user, work_center=center, active=False)
                return center

            writes.append((row, write))
            continue
        changes = _changes(target, values)
        if not changes:
            report.unchanged += 1
            continue
        report.updated += 1
        writes.append(
            (
                row,
                lambda t=target, c=changes: job_services.work_center_update(
                    user=user, work_center=t, **c
                ),
            )
        )
    return writes
