"""Jobs, their routings (operations at work centers), blockers and floor actions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.lookups import IsNull
from django.utils import timezone

from shopdesk.core.models import Shop
from shopdesk.customers.models import Customer
from shopdesk.parts.models import Part, PartRevision


class WorkCenterKind(models.TextChoices):
    SAW = "saw", "Saw"
    MILL = "mill", "CNC mill"
    LATHE = "lathe", "CNC lathe"
    DEBURR = "deburr", "Deburr"
    WELD = "weld", "Weld"
    FINISH = "finish", "Finish"
    INSPECTION = "inspection", "Inspection"
    SHIPPING = "shipping", "Shipping"
    OTHER = "other", "Other"


class WorkCenter(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="work_centers")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=WorkCenterKind, default=WorkCenterKind.OTHER)
    hours_per_day = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("8.0"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "name"], name="work_center_name_unique_per_shop"
            )
        ]

    def __str__(self) -> str:
        return self.name


class JobState(models.TextChoices):
    """The lifecycle facts a person decides. The stage shown to people is derived from these.

    There is no "shipped" state: a job ships in one or more quantities (Job.quantity_shipped,
    added by services.jobs.job_ship) and its stage is "shipped" once every good part has gone
    (jobs.derive.derive_stage)."""

    PLANNED = "planned", "Planned"
    RELEASED = "released", "Released"
    CLOSED = "closed", "Closed"


class JobStage(models.TextChoices):
    """Derived from the state and the operations (see jobs.derive); never typed in."""

    PLANNED = "planned", "Planned"
    RELEASED = "released", "Released"
    IN_PRODUCTION = "in_production", "In production"
    COMPLETE = "complete", "Complete"
    SHIPPED = "shipped", "Shipped"
    CLOSED = "closed", "Closed"

    @classmethod
    def open_stages(cls) -> list[str]:
        return [cls.PLANNED, cls.RELEASED, cls.IN_PRODUCTION, cls.COMPLETE]


class MaterialStatus(models.TextChoices):
    NOT_ORDERED = "not_ordered", "Not ordered"
    ORDERED = "ordered", "Ordered"
    RECEIVED = "received", "Received"
    FROM_STOCK = "from_stock", "From stock"

    @classmethod
    def ready(cls) -> list[str]:
        return [cls.RECEIVED, cls.FROM_STOCK]


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    HOT = 4, "Hot"


class JobQuerySet(models.QuerySet["Job"]):
    def for_shop(self, shop: Shop) -> JobQuerySet:
        return self.filter(shop=shop)

    def open(self) -> JobQuerySet:
        return self.filter(is_open=True)

    def late(self, today: datetime.date | None = None) -> JobQuerySet:
        return self.filter(late_q(today or timezone.localdate()))

    def blocked(self) -> JobQuerySet:
        return self.filter(open_blocker_count__gt=0)


def late_q(today: datetime.date) -> Q:
    """A job is late when its due date has passed and it has not shipped or closed."""
    return Q(due_date__lt=today, is_open=True)


def due_date_order() -> list:
    """Soonest due first, undated jobs last: the job list's order, matched by an index."""
    return [IsNull(F("due_date"), True), F("due_date"), F("number")]


class Job(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="jobs")
    number = models.PositiveIntegerField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="jobs")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="jobs")
    # The part revision this job is made to. `revision` repeats its code for lists, travelers
    # and search; both are set together by jobs.services only (create, move to a revision).
    part_revision = models.ForeignKey(
        PartRevision, on_delete=models.PROTECT, null=True, blank=True, related_name="jobs"
    )
    revision = models.CharField(max_length=10)
    material_status = models.CharField(
        max_length=20, choices=MaterialStatus, default=MaterialStatus.NOT_ORDERED
    )
    quantity = models.PositiveIntegerField(null=True, blank=True)
    customer_po = models.CharField(max_length=60, blank=True)
    due_date = models.DateField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority, default=Priority.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_jobs",
    )
    notes = models.TextField(blank=True, max_length=4000)
    state = models.CharField(max_length=20, choices=JobState, default=JobState.PLANNED)
    released_at = models.DateTimeField(null=True, blank=True)
    # Good parts shipped so far, in one or more shipments; never more than the routing's good
    # output. Added to by services.jobs.job_ship only.
    quantity_shipped = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Derived by jobs.derive.job_refresh_derived() inside every service that changes the
    # state, the operations or the blockers; stored so lists filter 100,000 jobs by index.
    stage = models.CharField(max_length=20, choices=JobStage, default=JobStage.PLANNED)
    current_operation = models.ForeignKey(
        "Operation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    current_work_center = models.ForeignKey(
        WorkCenter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Open means planned, released, in production or complete: not yet shipped or closed.
    is_open = models.BooleanField(default=True)
    operations_done = models.PositiveIntegerField(default=0)
    operations_total = models.PositiveIntegerField(default=0)
    open_blocker_count = models.PositiveIntegerField(default=0)
    # The work left by the live page's rules (jobs.derive.derive_work_left): working days, each
    # operation at its own work center's hours per day, and minutes of the current operation.
    # The dispatch lists and the board read them for thousands of jobs on every refresh.
    work_days_left = models.FloatField(default=0)
    current_minutes_left = models.FloatField(default=0)
    # The id the creating client (the new-job form, an API caller) made for this creation, so
    # a retry answers this job instead of creating a twin (jobs.services.job_create).
    client_id = models.UUIDField(null=True, blank=True, editable=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="job_number_unique_per_shop"),
            models.UniqueConstraint(
                fields=["shop", "client_id"],
                condition=Q(client_id__isnull=False),
                name="job_client_id_unique_per_shop",
            ),
        ]
        indexes = [
            # The default job list: open jobs, soonest due first, undated last.
            models.Index(
                F("shop"),
                IsNull(F("due_date"), True),
                F("due_date"),
                F("number"),
                condition=Q(is_open=True),
                name="job_open_due_idx",
            ),
            # Counting and filtering open jobs by due date (late jobs) without walking the
            # shop's closed history, which the plain due-date index below would.
            models.Index(
                fields=["shop", "due_date"],
                condition=Q(is_open=True),
                name="job_open_shop_due_idx",
            ),
            models.Index(fields=["shop", "due_date", "number"]),
            models.Index(fields=["shop", "stage", "due_date"]),
            models.Index(fields=["shop", "customer", "due_date"]),
            models.Index(fields=["shop", "current_work_center", "due_date"]),
            models.Index(fields=["shop", "open_blocker_count"]),
            models.Index(fields=["shop", "customer_po"]),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"J-{self.number}"

    @property
    def is_blocked(self) -> bool:
        return self.open_blocker_count > 0

    def is_late(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.due_date and self.due_date < today and self.is_open)

    @property
    def stage_label(self) -> str:
        if self.stage == JobStage.IN_PRODUCTION and self.current_work_center_id:
            return f"In production at {self.current_work_center}"
        return self.get_stage_display()

    @property
    def is_partly_shipped(self) -> bool:
        return self.quantity_shipped > 0 and self.stage != JobStage.SHIPPED


class OperationStatus(models.TextChoices):
    PENDING = "pending", "Not started"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    # Only an outside operation: the parts were sent to the supplier and are not back yet.
    AT_SUPPLIER = "at_supplier", "At supplier"
    DONE = "done", "Done"


def inside_operation_q() -> Q:
    """Operations run at one of the shop's work centers, not at a supplier. Dispatch lists,
    queue hours and the kiosk count only these."""
    return Q(work_center__isnull=False)


class Operation(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField()
    # An operation runs either at a work center of the shop or outside, at a supplier: exactly
    # one of work_center and outside_vendor is set (the check constraint below).
    #
    # Why a vendor name and not a reference: suppliers come later as their own app above jobs,
    # and jobs may not import it. The supplier's name is what the routing, the traveler and
    # the live page need today; the suppliers app will keep its own outside order pointing at
    # this operation (and may fill outside_vendor from its supplier), so nothing here changes
    # when it arrives. Sent out and received back are services.outside (supervisor actions).
    work_center = models.ForeignKey(
        WorkCenter, on_delete=models.PROTECT, null=True, blank=True, related_name="operations"
    )
    outside_vendor = models.CharField(max_length=120, blank=True)
    name = models.CharField(max_length=120)
    instructions = models.TextField(blank=True, max_length=4000)
    setup_minutes = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    run_minutes = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), help_text="Run minutes per part."
    )
    status = models.CharField(
        max_length=20, choices=OperationStatus, default=OperationStatus.PENDING
    )
    qty_good = models.PositiveIntegerField(default=0)
    qty_scrap = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The supervisor's place for this operation in its work center's dispatch list (lower runs
    # first); NULL leaves it to priority, critical ratio and due date. Set by services.dispatch.
    dispatch_rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["job", "sequence"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(work_center__isnull=False) & Q(outside_vendor=""))
                | (Q(work_center__isnull=True) & ~Q(outside_vendor="")),
                name="operation_at_work_center_or_supplier",
            ),
            models.CheckConstraint(
                condition=~Q(status="at_supplier") | Q(work_center__isnull=True),
                name="operation_at_supplier_only_when_outside",
            ),
        ]
        indexes = [
            models.Index(fields=["job", "sequence"]),
            models.Index(fields=["work_center", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.sequence:02d} {self.name}"

    @property
    def is_outside(self) -> bool:
        return self.work_center_id is None

    @property
    def holds_later_operations(self) -> bool:
        """Whether the operations after this one must wait for it: it has not been started,
        or it is outside work whose parts are not back (`earlier_operation_pending` is the
        database's side of the same rule)."""
        return self.status == OperationStatus.PENDING or (
            self.is_outside and self.status != OperationStatus.DONE
        )

    @property
    def where(self) -> str:
        """Where the operation runs, for people: the work center, or the supplier."""
        if self.is_outside:
            return f"{self.outside_vendor} (outside)"
        return str(self.work_center)

    @property
    def estimated_minutes(self) -> Decimal:
        quantity = self.job.quantity or 0
        return self.setup_minutes + self.run_minutes * quantity


# --- The ready rule -------------------------------------------------------------------------
# One definition of "ready to run" for an operation, used by the floor (whether a start is
# allowed), the dispatch lists (ready or upcoming) and the kiosk's tiles (their counts).


def operation_is_ready(*, status: str, open_blockers: int, earlier_pending: bool) -> bool:
    """Whether an operation can be worked now: nothing holds its job, and it is started already
    (running or paused) or every earlier operation of the routing has at least been started
    (`earlier_pending` false). A running operation may be overlapped: parts flow on to the next
    operation before the batch is done. A finished operation is not ready: it is done."""
    if open_blockers:
        return False
    if status in (OperationStatus.RUNNING, OperationStatus.PAUSED):
        return True
    return status == OperationStatus.PENDING and not earlier_pending


def earlier_operation_pending(prefix: str = "") -> Case:
    """True for an operation row that has an earlier operation on its job not yet started, or
    one done outside whose parts are not back (`Operation.holds_later_operations`): the
    database's side of `operation_is_ready`. `prefix` reaches the operation from another
    model ("operations__" from a work center). The job's current operation (its first not
    done) has none, which the stored job row says without looking at the routing."""
    return Case(
        When(Q(**{f"{prefix}job__current_operation_id": F(f"{prefix}id")}), then=Value(False)),
        default=Exists(
            Operation.objects.filter(
                Q(status=OperationStatus.PENDING)
                | (Q(work_center__isnull=True) & ~Q(status=OperationStatus.DONE)),
                job_id=OuterRef(f"{prefix}job_id"),
                sequence__lt=OuterRef(f"{prefix}sequence"),
            )
        ),
        output_field=models.BooleanField(),
    )


def ready_operations(prefix: str = "") -> Q:
    """`operation_is_ready` as a filter on operations (through `prefix` from another model)."""
    return Q(**{f"{prefix}job__open_blocker_count": 0}) & (
        Q(**{f"{prefix}status__in": [OperationStatus.RUNNING, OperationStatus.PAUSED]})
        | (
            Q(**{f"{prefix}status": OperationStatus.PENDING})
            & ~Q(earlier_operation_pending(prefix))
        )
    )


class BlockerKind(models.TextChoices):
    MATERIAL = "material", "Material"
    DRAWING = "drawing", "Drawing question"
    MACHINE = "machine", "Machine down"
    QUALITY = "quality", "Quality hold"
    CUSTOMER = "customer", "Customer"
    TOOLING = "tooling", "Tooling"
    SUPPLIER = "supplier", "Supplier"
    OTHER = "other", "Other"


class Blocker(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="blockers")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="blockers")
    operation = models.ForeignKey(
        Operation, on_delete=models.SET_NULL, null=True, blank=True, related_name="blockers"
    )
    kind = models.CharField(max_length=20, choices=BlockerKind)
    note = models.TextField(max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True, max_length=2000)
    # Set when raised from a floor device, so a retried request raises it once.
    client_id = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "client_id"],
                condition=Q(client_id__isnull=False),
                name="blocker_client_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["shop", "resolved_at", "-raised_at"]),
            models.Index(fields=["job", "resolved_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.job}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def age(self) -> datetime.timedelta:
        return (self.resolved_at or timezone.now()) - self.raised_at


class FloorActionKind(models.TextChoices):
    START = "start", "Start"
    PAUSE = "pause", "Pause"
    FINISH = "finish", "Finish"
    NOTE = "note", "Note"


class FloorAction(models.Model):
    """The record of one floor action by its client-made id, so a replay answers the same."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=10, choices=FloorActionKind)
    qty_good = models.PositiveIntegerField(default=0)
    qty_scrap = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True, max_length=2000)
    # A fingerprint of what was asked, so a replay with a changed payload can be refused.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "client_id"], name="floor_action_client_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.operation_id} ({self.client_id})"


class NoticeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONFIRMED = "confirmed", "Blocker raised"
    DISMISSED = "dismissed", "Dismissed"
    MOVED = "moved", "Job moved to the new revision"


class RevisionNotice(models.Model):
    """A notice of change: the part's revision was released while this open job is on an older
    one. It suggests a "drawing revision changed" blocker that a person confirms or dismisses."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="revision_notices")
    from_revision = models.ForeignKey(PartRevision, on_delete=models.CASCADE, related_name="+")
    to_revision = models.ForeignKey(PartRevision, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=NoticeStatus, default=NoticeStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)
    blocker = models.ForeignKey(
        Blocker, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["job", "status"])]

    def __str__(self) -> str:
        return f"{self.job}: revision {self.from_revision} superseded by {self.to_revision}"

    @property
    def is_open(self) -> bool:
        return self.status == NoticeStatus.OPEN


class LaborEndReason(models.TextChoices):
    PAUSE = "pause", "Paused"
    FINISH = "finish", "Finished"
    SHIFT_END = "shift_end", "Shift ended"
    SIGN_OUT = "sign_out", "Signed out"


class LaborEntry(models.Model):
    """Time one operator spent on one operation: opened by start, closed by pause, finish or the
    shift end. Several operators may be on one operation, and one operator on two operations."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="labor_entries")
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="labor_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="labor_entries"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=LaborEndReason, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "user"],
                condition=Q(ended_at__isnull=True),
                name="one_open_labor_entry_per_operator_and_operation",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="labor_entry_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["shop", "ended_at"]),
            models.Index(fields=["job", "operation"]),
            models.Index(fields=["user", "ended_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.operation_id} from {self.started_at:%H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def duration(self, now: datetime.datetime | None = None) -> datetime.timedelta:
        return (self.ended_at or now or timezone.now()) - self.started_at
