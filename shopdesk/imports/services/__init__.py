"""Importing a shop's own data: customers, work centers, parts with revisions, open jobs with
routings, from CSV or Excel.

`import_file` checks every row first and reports each problem by sheet, line and column; a dry
run stops there. A real import runs the same check inside one transaction, holding the shop
row (so no job number is taken meanwhile), and writes only when the whole file is free of
problems: all of it or nothing. Rows are matched by key (customer code, work center name, part
number + revision, job number + sequence), so importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from shopdesk.core.errors import InvalidInput, ShopDeskError
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Shop
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append
from shopdesk.imports.kinds import KINDS
from shopdesk.imports.services.catalog import check_customers, check_work_centers
from shopdesk.imports.services.jobs import check_jobs
from shopdesk.imports.services.parts import check_parts
from shopdesk.imports.services.tables import ImportReport, Problem, Upload, read_tables
from shopdesk.lib.db import for_update

CHECKS: dict[str, Callable[..., list[Any]]] = {
    "customers": check_customers,
    "work-centers": check_work_centers,
    "parts": check_parts,
    "jobs": check_jobs,
}

__all__ = ["ImportReport", "Problem", "import_file"]


class _Rollback(Exception):
    pass


def import_file(
    *,
    user: AbstractBaseUser,
    kind: str,
    file: Upload,
    routing: Upload | None = None,
    dry_run: bool = True,
) -> ImportReport:
    """Check (and unless `dry_run`, import) one file of `kind` for the user's shop.

    `file` and `routing` are (file name, content). Raises PermissionRefused for someone who
    cannot plan, and the readers' errors (413, 415, 422) for a file that cannot be read at
    all; problems in rows are in the report, and then nothing is written.
    """
    shop = require_planner(user).shop
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidInput(f"Unknown kind of import; use one of: {', '.join(KINDS)}.", field="kind")
    report = ImportReport(kind=kind, dry_run=dry_run)
    tables = read_tables(spec, report, file, routing)
    if report.problem_count:
        return report
    if dry_run:
        CHECKS[kind](user=user, shop=shop, tables=tables, report=report)
        return report
    try:
        with transaction.atomic():
            # The shop row first, as job_create takes it: new job numbers wait for the import.
            for_update(Shop.objects).filter(pk=shop.pk).first()
            writes = CHECKS[kind](user=user, shop=shop, tables=tables, report=report)
            if report.problem_count:
                raise _Rollback
            for row, write in writes:
                try:
                    write()
                except ShopDeskError as exc:
                    row.problem(exc.field or "", exc.message)
            if report.problem_count:
                raise _Rollback
            if writes:
                event_append(
                    shop=shop,
                    actor=user,
                    kind=EventKind.IMPORT_APPLIED,
                    subject=shop,
                    summary=(
                        f"{spec.label} imported from {file[0][:100]}: {report.created} new, "
                        f"{report.updated} changed, {report.unchanged} unchanged"
                    ),
                    after={
                        "kind": kind,
                        "file": file[0][:200],
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    },
                )
            report.applied = True
    except _Rollback:
        report.applied = False
    return report
