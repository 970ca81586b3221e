"""Imports over the API: POST a CSV or Excel file of one kind; `?dry_run=true` answers the
report of problems without writing anything. Templates of each kind's file."""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shopdesk.core.api_errors import ErrorOut, error_responses
from shopdesk.core.errors import InvalidInput
from shopdesk.imports import exports, templates
from shopdesk.imports.kinds import KINDS
from shopdesk.imports.readers import MAX_FILE_BYTES, FileTooLarge
from shopdesk.imports.services import ImportReport, import_file
from shopdesk.jobs import labor, selectors
from shopdesk.jobs.models import JobStage
from shopdesk.lib.schemas import DbId, SearchText, text

router = Router(tags=["imports"])

KindName = Literal[tuple(KINDS)]
StageName = Literal[("open", *JobStage.values)]
JobNumber = text(20)


class ProblemOut(Schema):
    sheet: str = Field(description="The sheet's name, or the file's name for a CSV.")
    line: int = Field(description="The line in the file (the header row is line 1).")
    column: str = Field(description="The column as the file's header row names it.")
    message: str


class ImportReportOut(ErrorOut):
    kind: str = ""
    dry_run: bool = False
    applied: bool = Field(False, description="True when the rows were written.")
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problem_count: int = 0
    problems: list[ProblemOut] = Field(
        [], description="Every problem found (the first 1,000); nothing is written while any."
    )
    notes: list[ProblemOut] = Field([], description="What the import does that is worth a look.")


class DryRunQuery(Schema):
    dry_run: bool = Field(False, description="true: check the file and write nothing.")


class TemplateQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    sheet: Literal["", "routing"] = Field(
        "", description="For jobs as CSV: routing gives the routing file's template."
    )


def _read(upload: UploadedFile | None) -> tuple[str, bytes] | None:
    if upload is None:
        return None
    if (upload.size or 0) > MAX_FILE_BYTES:
        raise FileTooLarge(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.",
            field="file",
        )
    return (upload.name or "upload")[:200], upload.read(MAX_FILE_BYTES + 1)


def _body(report: ImportReport) -> dict:
    body = report.as_dict()
    body["errors"] = [
        {"field": f"{p.sheet} line {p.line}, {p.column}", "message": p.message}
        for p in report.problems
    ]
    return body


@router.post(
    "/imports/{kind}",
    response={
        **error_responses(403, 404, 415),
        200: ImportReportOut,
        422: ImportReportOut,
    },
)
def import_upload(
    request: HttpRequest,
    kind: KindName,
    query: Query[DryRunQuery],
    file: File[UploadedFile],
    routing: File[UploadedFile] | None = None,
) -> Status[dict]:
    """Import one file (multipart `file`, CSV or .xlsx) of customers, work-centers, parts or
    jobs. For jobs, the routing is a second sheet of the workbook or a second file
    (`routing`). Every row is checked first; with any problem nothing is written and the
    answer lists each by sheet, line and column (422 for a real import, 200 for a dry run).
    Rows are matched by key, so the same file imported twice changes nothing."""
    report = import_file(
        user=request.user,
        kind=kind,
        file=_read(file),
        routing=_read(routing),
        dry_run=query.dry_run,
    )
    status = 422 if report.problem_count and not query.dry_run else 200
    return Status(status, _body(report))


@router.get(
    "/imports/{kind}/template",
    response={200: None, **error_responses(404)},
    openapi_extra={
        "responses": {
            200: {
                "description": "An empty file of the kind, with its header row and an example.",
                "content": {"text/csv": {}, templates.XLSX: {}},
            }
        }
    },
)
def import_template(
    request: HttpRequest, kind: KindName, query: Query[TemplateQuery]
) -> HttpResponse:
    """The kind's template: the header row every file of the kind may use, and an example
    row."""
    return templates.response(KINDS[kind], query.format, query.sheet)


# ------------------------------------------------------------------------------------ exports

FILE_RESPONSES = {
    "responses": {
        200: {
            "description": "The rows as a CSV (UTF-8 with BOM) or Excel file.",
            "content": {"text/csv": {}, templates.XLSX: {}},
        }
    }
}


class FormatQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"


class JobExportQuery(Schema):
    stage: StageName | None = Field(None, description='A stage, or "open" for every open one.')
    customer: DbId | None = None
    work_center: DbId | None = Field(None, description="Only jobs now at this work center.")
    late: bool = False
    blocked: bool = False
    q: SearchText = Field("", description="Job number, customer PO or part number.")


class OperationExportQuery(Schema):
    work_center: DbId = Field(description="The work center whose dispatch list to export.")


class BlockerExportQuery(Schema):
    job: JobNumber | None = Field(None, description="Only this job's blockers.")
    open: bool | None = Field(None, description="true: open only; false: resolved only.")


class LaborExportQuery(Schema):
    job: JobNumber | None = None
    operation: DbId | None = None
    user: DbId | None = None
    open: bool | None = None
    started_from: datetime.date | None = None
    started_to: datetime.date | None = None


def _number(raw: str | None) -> int | None:
    if raw is None:
        return None
    number = selectors.parse_job_number(raw)
    if number is None:
        raise InvalidInput("A job number looks like J-1042.", field="job")
    return number


@router.get(
    "/exports/jobs",
    response={200: None, **error_responses()},
    openapi_extra=FILE_RESPONSES,
    tags=["exports"],
)
def export_jobs(
    request: HttpRequest, filters: Query[JobExportQuery], output: Query[FormatQuery]
) -> HttpResponse:
    """Every job GET /jobs lists with the same filters (not one page), as CSV or Excel."""
    job_filters = selectors.JobFilters(
        stage=filters.stage or "",
        customer_id=filters.customer,
        work_center_id=filters.work_center,
        late=filters.late,
        blocked=filters.blocked,
        q=filters.q,
    )
    return exports.jobs(request.shop, job_filters).response(output.format)


@router.get(
    "/exports/operations",
    response={200: None, **error_responses(404)},
    openapi_extra=FILE_RESPONSES,
    tags=["exports"],
)
def export_operations(
    request: HttpRequest, filters: Query[OperationExportQuery], output: Query[FormatQuery]
) -> HttpResponse:
    """A work center's whole dispatch list (ready in order, then upcoming)."""
    work_center = selectors.get_work_center_for(request.shop, filters.work_center)
    return exports.operations(request.shop, work_center).response(output.format)


@router.get(
    "/exports/blockers",
    response={200: None, **error_responses()},
    openapi_extra=FILE_RESPONSES,
    tags=["exports"],
)
def export_blockers(
    request: HttpRequest, filters: Query[BlockerExportQuery], output: Query[FormatQuery]
) -> HttpResponse:
    """Every blocker GET /blockers lists with the same filters."""
    return exports.blockers(
        request.shop, job_number=_number(filters.job), open=filters.open
    ).response(output.format)


@router.get(
    "/exports/labor-entries",
    response={200: None, **error_responses()},
    openapi_extra=FILE_RESPONSES,
    tags=["exports"],
)
def export_labor(
    request: HttpRequest, filters: Query[LaborExportQuery], output: Query[FormatQuery]
) -> HttpResponse:
    """Every labor entry GET /labor-entries lists with the same filters."""
    if filters.started_from and filters.started_to and filters.started_from > filters.started_to:
        raise InvalidInput("started_from is after started_to.", field="started_from")
    labor_filters = labor.LaborFilters(
        job_number=_number(filters.job),
        operation_id=filters.operation,
        user_id=filters.user,
        open=filters.open,
        started_from=filters.started_from,
        started_to=filters.started_to,
    )
    return exports.labor_entries(request.shop, labor_filters).response(output.format)
