"""Jobs, operations, blockers and work centers over the API (scans are the floor's, floor.api).

Handlers are thin: they resolve ids through shop-scoped getters and call the same services
as the HTML views. A job is addressed by its number ("J-1042" or "1042").
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import Strict

from shopdesk.core.api_errors import error_responses
from shopdesk.core.errors import InvalidInput
from shopdesk.customers.selectors import customer_field
from shopdesk.jobs import selectors, services
from shopdesk.jobs.lookups import member_field, work_center_field
from shopdesk.jobs.models import (
    Blocker,
    BlockerKind,
    Job,
    JobStage,
    MaterialStatus,
    Operation,
    Priority,
    RevisionNotice,
    WorkCenter,
    WorkCenterKind,
)
from shopdesk.jobs.services.jobs import MAX_QUANTITY
from shopdesk.jobs.services.routing import MAX_MINUTES
from shopdesk.lib.schemas import (
    Count,
    CustomerRefOut,
    DbId,
    DocumentFieldsOut,
    InSchema,
    PageQuery,
    PartRefOut,
    PersonOut,
    SearchText,
    WorkCenterRefOut,
    paginate,
    reason_text,
    text,
)
from shopdesk.parts.models import Document
from shopdesk.parts.selectors import document_url, part_field, released_files

router = Router()

JobNumber = text(20)
ShortText = text(60)
Revision = text(10)
Notes = text(4000)
OperationName = text(120)
VendorName = text(120)
Reason = reason_text(500)
BlockerNote = reason_text(2000)
WorkCenterName = text(80)
HoursPerDay = Annotated[Decimal, Field(ge=0, le=24, allow_inf_nan=False)]
ClientId = Annotated[
    str,
    Field(
        max_length=64,
        description="A client-made id (8 to 64 letters, digits or - _ . :) so a retry is "
        "applied once.",
    ),
]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
Minutes = Annotated[Decimal, Field(ge=0, le=MAX_MINUTES, allow_inf_nan=False)]

# Enums in the schema come from the models' choices, so the API never lags behind them.
StageName = Literal[("open", *JobStage.values)]
PriorityName = Literal[tuple(name.lower() for name in Priority.names)]
PRIORITY_BY_NAME = {name.lower(): Priority[name] for name in Priority.names}
PRIORITY_NAMES = {value: name for name, value in PRIORITY_BY_NAME.items()}
WorkCenterKindName = Literal[tuple(WorkCenterKind.values)]
BlockerKindName = Literal[tuple(BlockerKind.values)]
MaterialStatusName = Literal[tuple(MaterialStatus.values)]


# ----------------------------------------------------------------------------- output schemas


class ProgressOut(Schema):
    done: int = Field(description="Operations finished.")
    total: int = Field(description="Operations in the routing.")


class OperationOut(Schema):
    id: int
    job: str = Field(description="The job number, e.g. J-1042.")
    sequence: int
    name: str
    work_center: WorkCenterRefOut | None = Field(
        description="Where it runs in the shop; null for outside work (see outside_vendor)."
    )
    outside_vendor: str = Field(
        description="The supplier that does this operation outside; empty for shop work."
    )
    is_outside: bool
    setup_minutes: Decimal
    run_minutes: Decimal
    status: str
    status_label: str
    qty_good: int
    qty_scrap: int
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_job(obj: Operation) -> str:
        return obj.job.display_number

    @staticmethod
    def resolve_status_label(obj: Operation) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_is_outside(obj: Operation) -> bool:
        return obj.is_outside


class BlockerOut(Schema):
    id: int
    job: str = Field(description="The job number, e.g. J-1042.")
    operation: int | None = Field(description="Id of the operation it holds, if any.")
    kind: str
    kind_label: str
    note: str
    owner: PersonOut | None
    raised_by: PersonOut | None
    raised_at: datetime.datetime
    open: bool
    resolved_at: datetime.datetime | None
    resolved_by: PersonOut | None
    resolution_note: str

    @staticmethod
    def resolve_job(obj: Blocker) -> str:
        return obj.job.display_number

    @staticmethod
    def resolve_operation(obj: Blocker) -> int | None:
        return obj.operation_id

    @staticmethod
    def resolve_kind_label(obj: Blocker) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_open(obj: Blocker) -> bool:
        return obj.is_open


class JobListItemOut(Schema):
    number: str = Field(description='The job number, e.g. "J-1042".')
    customer: CustomerRefOut
    part: PartRefOut
    revision: str
    revision_status: str | None = Field(
        description="draft, released or superseded: the status of the job's revision."
    )
    material_status: MaterialStatusName
    quantity: int | None
    quantity_shipped: int = Field(
        description="Good parts shipped so far; the stage is shipped once every good part is."
    )
    customer_po: str
    due_date: datetime.date | None
    priority: PriorityName
    owner: PersonOut | None
    stage: str
    stage_label: str
    late: bool
    blocked: bool
    open_blocker_count: int
    current_work_center: WorkCenterRefOut | None
    progress: ProgressOut
    released_at: datetime.datetime | None
    updated_at: datetime.datetime

    @staticmethod
    def resolve_number(obj: Job) -> str:
        return obj.display_number

    @staticmethod
    def resolve_revision_status(obj: Job) -> str | None:
        return obj.part_revision.status if obj.part_revision_id else None

    @staticmethod
    def resolve_priority(obj: Job) -> str:
        return PRIORITY_NAMES.get(obj.priority, "normal")

    @staticmethod
    def resolve_late(obj: Job) -> bool:
        return obj.is_late()

    @staticmethod
    def resolve_blocked(obj: Job) -> bool:
        return obj.is_blocked

    @staticmethod
    def resolve_progress(obj: Job) -> dict[str, int]:
        return {"done": obj.operations_done, "total": obj.operations_total}


class JobDocumentOut(DocumentFieldsOut):
    kind_label: str
    url: str = Field(description="Where to download it (the caller's shop is checked).")

    @staticmethod
    def resolve_kind_label(obj: Document) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_url(obj: Document) -> str:
        return document_url(obj)


class NoticeOut(Schema):
    id: int
    job: str = Field(description="The job number, e.g. J-1042.")
    from_revision: str = Field(description="The revision the job is on (now superseded).")
    to_revision: str = Field(description="The revision released in its place.")
    status: str = Field(description="open, confirmed, dismissed or moved.")
    status_label: str
    created_at: datetime.datetime
    decided_by: PersonOut | None
    decided_at: datetime.datetime | None
    decision_note: str
    blocker: int | None = Field(description="Id of the blocker raised when confirmed.")

    @staticmethod
    def resolve_job(obj: RevisionNotice) -> str:
        return obj.job.display_number

    @staticmethod
    def resolve_from_revision(obj: RevisionNotice) -> str:
        return obj.from_revision.code

    @staticmethod
    def resolve_to_revision(obj: RevisionNotice) -> str:
        return obj.to_revision.code

    @staticmethod
    def resolve_status_label(obj: RevisionNotice) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_blocker(obj: RevisionNotice) -> int | None:
        return obj.blocker_id


class JobOut(JobListItemOut):
    state: str
    notes: str
    current_operation: int | None = Field(description="Id of the first operation not done.")
    operations: list[OperationOut]
    open_blockers: list[BlockerOut]
    released_revision: str | None = Field(
        description="The code of the part's released revision: the one the floor works to."
    )
    documents: list[JobDocumentOut] = Field(
        description="The released revision's current documents, newest first."
    )
    notices: list[NoticeOut] = Field(description="Notices of change, open ones first.")
    created_at: datetime.datetime
    warnings: list[str] = Field(
        default_factory=list,
        description=(
            "What this request was accepted with but should be read, e.g. a due date already "
            "past. Given by POST /jobs and PATCH /jobs/{number}; empty otherwise."
        ),
    )

    @staticmethod
    def resolve_warnings(obj: Job) -> list[str]:
        return getattr(obj, "warnings", [])

    @staticmethod
    def resolve_released_revision(obj: Job) -> str | None:
        return obj.released_revision.code if obj.released_revision else None

    @staticmethod
    def resolve_documents(obj: Job) -> list[Document]:
        return obj.released_documents

    @staticmethod
    def resolve_notices(obj: Job) -> list[RevisionNotice]:
        for notice in obj.notices:
            notice.job = obj  # the job number without a query per notice
        return obj.notices

    @staticmethod
    def resolve_current_operation(obj: Job) -> int | None:
        return obj.current_operation_id

    @staticmethod
    def resolve_operations(obj: Job) -> list[Operation]:
        return obj.routing

    @staticmethod
    def resolve_open_blockers(obj: Job) -> list[Blocker]:
        return obj.open_blockers


class JobPage(Schema):
    count: int
    items: list[JobListItemOut]


class BlockerPage(Schema):
    count: int
    items: list[BlockerOut]


class WorkCenterOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    hours_per_day: Decimal
    active: bool

    @staticmethod
    def resolve_kind_label(obj: WorkCenter) -> str:
        return obj.get_kind_display()


class WorkCenterPage(Schema):
    count: int
    items: list[WorkCenterOut]


# ------------------------------------------------------------------------------ input schemas


class OperationIn(InSchema):
    work_center: DbId | None = Field(
        None, description="The work center it runs at. Give this or outside_vendor."
    )
    outside_vendor: VendorName = Field(
        "", description="Outside work: the supplier's name. Give this or work_center."
    )
    name: OperationName = Field("", description="Defaults to the work center's name.")
    instructions: Notes = ""
    setup_minutes: Minutes = Decimal("0")
    run_minutes: Minutes = Field(Decimal("0"), description="Run minutes per part.")


class OperationAddIn(OperationIn):
    position: int | None = Field(
        None, ge=1, le=1000, description="1-based place in the routing; default: the end."
    )


class OperationPatch(InSchema):
    work_center: DbId = None
    outside_vendor: VendorName = Field(
        None, description="Move the operation outside, to this supplier (work_center: null)."
    )
    name: OperationName = None
    instructions: Notes = None
    setup_minutes: Minutes = None
    run_minutes: Minutes = None


class RoutingIn(InSchema):
    # Strict: in a list of ids, true or "12" is a client bug to report, not an id to guess at.
    operation_ids: list[Annotated[DbId, Strict()]] = Field(
        max_length=200,
        description="Every operation id of the job, each once, in the new order.",
    )


class MoveIn(InSchema):
    direction: Literal["up", "down"] = Field(description="One place up or down the routing.")


class JobIn(InSchema):
    customer: DbId
    part: DbId
    quantity: Quantity | None = None
    due_date: datetime.date | None = None
    revision: Revision = Field("", description="Defaults to the part's current revision.")
    material_status: MaterialStatusName = "not_ordered"
    customer_po: ShortText = ""
    priority: PriorityName = "normal"
    owner: DbId | None = Field(None, description="Id of the person in this shop who owns it.")
    notes: Notes = ""
    operations: list[OperationIn] = Field(default_factory=list, max_length=200)
    client_id: uuid.UUID | None = Field(
        None,
        description="A UUID the caller makes for this creation so a retry creates one job: the "
        "same client_id again answers 200 with the job it created; with other header values "
        "it is a 409. The new-job page sends its form's id the same way.",
    )


class JobPatch(InSchema):
    customer: DbId = None
    part: DbId = None
    quantity: Quantity | None = None
    due_date: datetime.date | None = None
    material_status: MaterialStatusName = None
    customer_po: ShortText = None
    priority: PriorityName = None
    owner: DbId | None = None
    notes: Notes = None


class UnreleaseIn(InSchema):
    reason: Reason


class CloseIn(InSchema):
    reason: Reason = Field("", description="Why the job closes; needed unless it is shipped.")


class ShipIn(InSchema):
    quantity: Annotated[int, Strict(), Field(ge=1, le=10_000_000)] | None = Field(
        None, description="Good parts in this shipment; default: every good part left to ship."
    )


class SendOutIn(InSchema):
    note: BlockerNote = ""


class ReceiveIn(InSchema):
    qty_good: Count
    qty_scrap: Count = 0
    note: BlockerNote = ""


class ReleaseIn(InSchema):
    override_reason: Reason | None = Field(
        None,
        description="A supervisor's or owner's reason to release past the gate's problems; "
        "recorded with them in a job.release_overridden event.",
    )


class MoveRevisionIn(InSchema):
    revision: DbId = Field(description="Id of a draft or released revision of the job's part.")
    reason: Reason


class DismissIn(InSchema):
    note: BlockerNote


class BlockerIn(InSchema):
    job: JobNumber
    kind: BlockerKindName
    note: BlockerNote
    owner: DbId | None = None
    operation: DbId | None = None
    client_id: ClientId | None = None


class ResolveIn(InSchema):
    note: BlockerNote


class WorkCenterIn(InSchema):
    name: WorkCenterName
    kind: WorkCenterKindName = "other"
    hours_per_day: HoursPerDay = Decimal("8")


class WorkCenterPatch(InSchema):
    name: WorkCenterName = None
    kind: WorkCenterKindName = None
    hours_per_day: HoursPerDay = None
    active: bool = None


class JobQuery(PageQuery):
    stage: StageName | None = Field(None, description='A stage, or "open" for every open one.')
    customer: DbId | None = Field(None, description="Only this customer's jobs.")
    work_center: DbId | None = Field(None, description="Only jobs now at this work center.")
    late: bool = False
    blocked: bool = False
    q: SearchText = Field("", description="Job number, customer PO or part number.")


class BlockerQuery(PageQuery):
    job: JobNumber | None = Field(None, description="Only this job's blockers.")
    open: bool | None = Field(None, description="true: open only; false: resolved only.")


class WorkCenterQuery(PageQuery):
    active: bool | None = Field(None, description="true: active only; false: retired only.")


# ------------------------------------------------------------------------------------- reads


def _job_with_routing(shop: Any, number: str) -> Job:
    """The job with its routing, open blockers, released files and notices, in six queries."""
    job = selectors.get_job_for(shop, number)
    job.routing = list(job.operations.select_related("work_center").order_by("sequence", "id"))
    job.open_blockers = list(
        job.blockers.filter(resolved_at__isnull=True)
        .select_related("owner", "raised_by", "resolved_by")
        .order_by("-raised_at")
    )
    job.released_revision, job.released_documents = released_files(shop, job.part_id)
    job.notices = selectors.job_notices(job)
    return job


def _operation_specs(shop: Any, operations: list[OperationIn]) -> list[dict[str, Any]]:
    specs = []
    for index, operation in enumerate(operations):
        spec = operation.dict()
        if spec["work_center"] is not None:
            spec["work_center"] = work_center_field(
                shop, spec["work_center"], field=f"operations.{index}.work_center"
            )
        specs.append(spec)
    return specs


# -------------------------------------------------------------------------------------- jobs


@router.get("/jobs", response={200: JobPage, **error_responses()}, tags=["jobs"])
def job_list(request: HttpRequest, filters: Query[JobQuery]) -> dict:
    """Jobs of the shop, soonest due first, filtered and paginated."""
    jobs = selectors.job_list(
        request.shop,
        selectors.JobFilters(
            stage=filters.stage or "",
            customer_id=filters.customer,
            work_center_id=filters.work_center,
            late=filters.late,
            blocked=filters.blocked,
            q=filters.q,
        ),
    )
    return paginate(jobs, filters)


@router.post(
    "/jobs", response={201: JobOut, 200: JobOut, **error_responses(403, 409)}, tags=["jobs"]
)
def job_create(request: HttpRequest, payload: JobIn) -> Status[Job]:
    """Create a planned job, with its routing when `operations` are given. With `client_id`,
    a retry answers 200 with the job first created instead of creating another."""
    shop = request.shop
    values = payload.dict(exclude={"operations"})
    values["customer"] = customer_field(shop, payload.customer)
    values["part"] = part_field(shop, payload.part)
    values["owner"] = member_field(shop, payload.owner)
    values["priority"] = PRIORITY_BY_NAME[payload.priority]
    job = services.job_create(
        user=request.user, operations=_operation_specs(shop, payload.operations), **values
    )
    created = _job_with_routing(shop, job.number)
    created.warnings = job.warnings
    return Status(200 if job.replayed else 201, created)


@router.get("/jobs/{number}", response={200: JobOut, **error_responses(404)}, tags=["jobs"])
def job_get(request: HttpRequest, number: str) -> Job:
    return _job_with_routing(request.shop, number)


@router.patch(
    "/jobs/{number}", response={200: JobOut, **error_responses(403, 404, 409)}, tags=["jobs"]
)
def job_update(request: HttpRequest, number: str, payload: JobPatch) -> Job:
    """Change any of the job's header fields; fields left out stay as they are."""
    shop = request.shop
    job = selectors.get_job_for(shop, number)
    changes = payload.dict(exclude_unset=True)
    if "customer" in changes:
        changes["customer"] = customer_field(shop, changes["customer"])
    if "part" in changes:
        changes["part"] = part_field(shop, changes["part"])
    if "owner" in changes:
        changes["owner"] = member_field(shop, changes["owner"])
    if "priority" in changes:
        changes["priority"] = PRIORITY_BY_NAME[changes["priority"]]
    warnings: list[str] = []
    if changes:
        warnings = services.job_update(user=request.user, job=job, **changes).warnings
    updated = _job_with_routing(shop, number)
    updated.warnings = warnings
    return updated


@router.post(
    "/jobs/{number}/release",
    response={200: JobOut, **error_responses(403, 404, 409)},
    tags=["jobs"],
)
def job_release(request: HttpRequest, number: str, payload: ReleaseIn | None = None) -> Job:
    """Release the job to the floor; a 409 lists what is missing (one entry per problem).

    A supervisor or owner may release past the problems with `override_reason` (403 for other
    roles, 422 when blank); only a planned job is released, override or not.
    """
    job = selectors.get_job_for(request.shop, number)
    reason = payload.override_reason if payload is not None else None
    services.job_release(user=request.user, job=job, override_reason=reason)
    return _job_with_routing(request.shop, number)


@router.post(
    "/jobs/{number}/move-revision",
    response={200: JobOut, **error_responses(403, 404, 409)},
    tags=["jobs"],
)
def job_move_revision(request: HttpRequest, number: str, payload: MoveRevisionIn) -> Job:
    """Move an open job to another (draft or released) revision of its part, saying why.

    Closes the job's open notices of change. 404 for another shop's revision, 422 for
    another part's, 409 for a superseded revision or a job no longer open.
    """
    shop = request.shop
    job = selectors.get_job_for(shop, number)
    revision = selectors.get_part_revision_for(shop, payload.revision)
    services.job_move_revision(user=request.user, job=job, revision=revision, reason=payload.reason)
    return _job_with_routing(shop, number)


# ----------------------------------------------------------------------------------- notices


def _notice(shop: Any, notice_id: int) -> RevisionNotice:
    return selectors.get_notice_for(shop, notice_id)


@router.get(
    "/notices/{notice_id}", response={200: NoticeOut, **error_responses(404)}, tags=["notices"]
)
def notice_get(request: HttpRequest, notice_id: DbId) -> RevisionNotice:
    return _notice(request.shop, notice_id)


@router.post(
    "/notices/{notice_id}/confirm",
    response={200: NoticeOut, **error_responses(403, 404, 409)},
    tags=["notices"],
)
def notice_confirm(request: HttpRequest, notice_id: DbId) -> RevisionNotice:
    """Raise the suggested "drawing revision changed" blocker on the job (409 if decided)."""
    notice = _notice(request.shop, notice_id)
    services.notice_confirm(user=request.user, notice=notice)
    return _notice(request.shop, notice_id)


@router.post(
    "/notices/{notice_id}/dismiss",
    response={200: NoticeOut, **error_responses(403, 404, 409)},
    tags=["notices"],
)
def notice_dismiss(request: HttpRequest, notice_id: DbId, payload: DismissIn) -> RevisionNotice:
    """Decide the change does not affect the job, saying why (409 if already decided)."""
    notice = _notice(request.shop, notice_id)
    services.notice_dismiss(user=request.user, notice=notice, note=payload.note)
    return _notice(request.shop, notice_id)


@router.post(
    "/jobs/{number}/unrelease",
    response={200: JobOut, **error_responses(403, 404, 409)},
    tags=["jobs"],
)
def job_unrelease(request: HttpRequest, number: str, payload: UnreleaseIn) -> Job:
    """Send a released job back to planning, saying why."""
    job = selectors.get_job_for(request.shop, number)
    services.job_unrelease(user=request.user, job=job, reason=payload.reason)
    return _job_with_routing(request.shop, number)


@router.post(
    "/jobs/{number}/close",
    response={200: JobOut, **error_responses(403, 404, 409)},
    tags=["jobs"],
)
def job_close(request: HttpRequest, number: str, payload: CloseIn) -> Job:
    """Close a job: a shipped job closes as it is; an unshipped one (cancelled) needs a
    `reason`, by the same rule as the job page's Close button."""
    job = selectors.get_job_for(request.shop, number)
    services.job_close(user=request.user, job=job, reason=payload.reason)
    return _job_with_routing(request.shop, number)


@router.post(
    "/jobs/{number}/ship",
    response={200: JobOut, **error_responses(403, 404, 409)},
    tags=["jobs"],
)
def job_ship(request: HttpRequest, number: str, payload: ShipIn | None = None) -> Job:
    """Ship good parts of a job whose operations are all done: `quantity` of them (a partial
    shipment), or every good part left when no quantity is given. The stage turns shipped once
    every good part has shipped; more than are left to ship is refused (422)."""
    job = selectors.get_job_for(request.shop, number)
    quantity = payload.quantity if payload is not None else None
    if quantity is None:
        services.job_mark_shipped(user=request.user, job=job)
    else:
        services.job_ship(user=request.user, job=job, quantity=quantity)
    return _job_with_routing(request.shop, number)


# -------------------------------------------------------------------------------- operations


@router.get(
    "/jobs/{number}/operations",
    response={200: list[OperationOut], **error_responses(404)},
    tags=["operations"],
)
def operation_list(request: HttpRequest, number: str) -> list[Operation]:
    """The job's routing in order."""
    return _job_with_routing(request.shop, number).routing


@router.post(
    "/jobs/{number}/operations",
    response={201: OperationOut, **error_responses(403, 404, 409)},
    tags=["operations"],
)
def operation_add(request: HttpRequest, number: str, payload: OperationAddIn) -> Status[Operation]:
    shop = request.shop
    job = selectors.get_job_for(shop, number)
    spec = payload.dict()
    if payload.work_center is not None:
        spec["work_center"] = work_center_field(shop, payload.work_center)
    operation = services.operation_add(user=request.user, job=job, **spec)
    return Status(201, selectors.get_operation_for(shop, operation.pk))


@router.get(
    "/operations/{operation_id}",
    response={200: OperationOut, **error_responses(404)},
    tags=["operations"],
)
def operation_get(request: HttpRequest, operation_id: DbId) -> Operation:
    return selectors.get_operation_for(request.shop, operation_id)


@router.patch(
    "/operations/{operation_id}",
    response={200: OperationOut, **error_responses(403, 404, 409)},
    tags=["operations"],
)
def operation_update(
    request: HttpRequest, operation_id: DbId, payload: OperationPatch
) -> Operation:
    shop = request.shop
    operation = selectors.get_operation_for(shop, operation_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("work_center") is not None:
        changes["work_center"] = work_center_field(shop, changes["work_center"])
    if changes:
        services.operation_update(user=request.user, operation=operation, **changes)
    return selectors.get_operation_for(shop, operation_id)


@router.delete(
    "/operations/{operation_id}",
    response={204: None, **error_responses(403, 404, 409)},
    tags=["operations"],
)
def operation_remove(request: HttpRequest, operation_id: DbId) -> Status[None]:
    """Remove an operation no one has worked on; the rest of the routing closes up.

    A 409 when the floor has reported on it, or when it is the last one of a released job.
    """
    operation = selectors.get_operation_for(request.shop, operation_id)
    services.operation_remove(user=request.user, operation=operation)
    return Status(204, None)


@router.put(
    "/jobs/{number}/routing",
    response={200: list[OperationOut], **error_responses(403, 404, 409)},
    tags=["operations"],
)
def routing_reorder(request: HttpRequest, number: str, payload: RoutingIn) -> list[Operation]:
    """Put the job's operations in the given order; answers the routing in its new order.

    `operation_ids` must hold every operation of the job exactly once (422 otherwise). Started
    or finished operations stay ahead of those not started (409 otherwise).
    """
    job = selectors.get_job_for(request.shop, number)
    services.routing_reorder(user=request.user, job=job, operation_ids=payload.operation_ids)
    return _job_with_routing(request.shop, number).routing


@router.post(
    "/operations/{operation_id}/move",
    response={200: list[OperationOut], **error_responses(403, 404, 409)},
    tags=["operations"],
)
def operation_move(request: HttpRequest, operation_id: DbId, payload: MoveIn) -> list[Operation]:
    """Move an operation one place up or down; answers the job's routing in its new order.

    A 409 when it is already first or last, or when the move would put a started operation
    behind one not started.
    """
    shop = request.shop
    operation = selectors.get_operation_for(shop, operation_id)
    services.operation_move(user=request.user, operation=operation, direction=payload.direction)
    return _job_with_routing(shop, operation.job.number).routing


@router.post(
    "/operations/{operation_id}/send-out",
    response={200: OperationOut, **error_responses(403, 404, 409)},
    tags=["operations"],
)
def operation_send_out(request: HttpRequest, operation_id: DbId, payload: SendOutIn) -> Operation:
    """Outside work: the parts left for the supplier (status at_supplier). 409 for an
    operation at a work center, or when an earlier operation is not done."""
    operation = selectors.get_operation_for(request.shop, operation_id)
    services.operation_send_out(user=request.user, operation=operation, note=payload.note)
    return selectors.get_operation_for(request.shop, operation_id)


@router.post(
    "/operations/{operation_id}/receive",
    response={200: OperationOut, **error_responses(403, 404, 409)},
    tags=["operations"],
)
def operation_receive(request: HttpRequest, operation_id: DbId, payload: ReceiveIn) -> Operation:
    """Outside work: the parts came back from the supplier, `qty_good` good and `qty_scrap`
    scrapped (never more than were sent out). The operation is done."""
    operation = selectors.get_operation_for(request.shop, operation_id)
    services.operation_receive(
        user=request.user,
        operation=operation,
        qty_good=payload.qty_good,
        qty_scrap=payload.qty_scrap,
        note=payload.note,
    )
    return selectors.get_operation_for(request.shop, operation_id)


# ---------------------------------------------------------------------------------- blockers


def _blocker(shop: Any, blocker_id: int) -> Blocker:
    blocker = (
        Blocker.objects.select_related("job", "owner", "raised_by", "resolved_by")
        .filter(pk=blocker_id, shop=shop)
        .first()
    )
    if blocker is None:
        raise Http404("No such blocker.")
    return blocker


@router.get("/blockers", response={200: BlockerPage, **error_responses()}, tags=["blockers"])
def blocker_list(request: HttpRequest, filters: Query[BlockerQuery]) -> dict:
    """Blockers of the shop, newest first."""
    number = None
    if filters.job is not None:
        number = selectors.parse_job_number(filters.job)
        if number is None:
            raise InvalidInput("A job number looks like J-1042.", field="job")
    blockers = selectors.blocker_list(request.shop, job_number=number, open=filters.open)
    return paginate(blockers, filters)


@router.post(
    "/blockers",
    response={201: BlockerOut, 200: BlockerOut, **error_responses(403, 404, 409)},
    tags=["blockers"],
)
def blocker_create(request: HttpRequest, payload: BlockerIn) -> Status[Blocker]:
    """Raise a blocker. With a client_id, a retry answers 200 with the blocker first raised;
    the same client_id on another job of the shop is a 409, as on the job page."""
    shop = request.shop
    job = selectors.get_job_for(shop, payload.job)
    operation = None
    if payload.operation is not None:
        operation = Operation.objects.filter(pk=payload.operation, job=job).first()
        if operation is None:
            raise InvalidInput(f"That operation is not on {job}.", field="operation")
    blocker, replayed = services.blocker_raise(
        user=request.user,
        job=job,
        kind=payload.kind,
        note=payload.note,
        owner_id=payload.owner,
        operation=operation,
        client_id=payload.client_id,
    )
    return Status(200 if replayed else 201, _blocker(shop, blocker.pk))


@router.get(
    "/blockers/{blocker_id}", response={200: BlockerOut, **error_responses(404)}, tags=["blockers"]
)
def blocker_get(request: HttpRequest, blocker_id: DbId) -> Blocker:
    return _blocker(request.shop, blocker_id)


@router.post(
    "/blockers/{blocker_id}/resolve",
    response={200: BlockerOut, **error_responses(403, 404, 409)},
    tags=["blockers"],
)
def blocker_resolve(request: HttpRequest, blocker_id: DbId, payload: ResolveIn) -> Blocker:
    blocker = _blocker(request.shop, blocker_id)
    services.blocker_resolve(user=request.user, blocker=blocker, note=payload.note)
    return _blocker(request.shop, blocker_id)


# ------------------------------------------------------------------------------ work centers


@router.get(
    "/work-centers", response={200: WorkCenterPage, **error_responses()}, tags=["work-centers"]
)
def work_center_list(request: HttpRequest, filters: Query[WorkCenterQuery]) -> dict:
    centers = selectors.work_centers_for(request.shop, active_only=False)
    if filters.active is not None:
        centers = centers.filter(active=filters.active)
    return paginate(centers.order_by("name", "id"), filters)


@router.post(
    "/work-centers", response={201: WorkCenterOut, **error_responses(403)}, tags=["work-centers"]
)
def work_center_create(request: HttpRequest, payload: WorkCenterIn) -> Status[WorkCenter]:
    return Status(201, services.work_center_create(user=request.user, **payload.dict()))


@router.get(
    "/work-centers/{work_center_id}",
    response={200: WorkCenterOut, **error_responses(404)},
    tags=["work-centers"],
)
def work_center_get(request: HttpRequest, work_center_id: DbId) -> WorkCenter:
    return selectors.get_work_center_for(request.shop, work_center_id)


@router.patch(
    "/work-centers/{work_center_id}",
    response={200: WorkCenterOut, **error_responses(403, 404)},
    tags=["work-centers"],
)
def work_center_update(
    request: HttpRequest, work_center_id: DbId, payload: WorkCenterPatch
) -> WorkCenter:
    work_center = selectors.get_work_center_for(request.shop, work_center_id)
    changes = payload.dict(exclude_unset=True)
    if not changes:
        return work_center
    return services.work_center_update(user=request.user, work_center=work_center, **changes)
