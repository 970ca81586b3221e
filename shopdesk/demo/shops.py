"""The demo shops: six weeks of a small machine shop's life, replayed through the services.

Every job, operation, floor action and blocker is made by the same service a person would call,
so the events (timelines, blocker ages) are real. The services read the time from
`django.utils.timezone.now()`; while the demo loads, that clock is moved to when each action
happened, so a job started three weeks ago says so. Deterministic: one seeded random.Random.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import django.utils.timezone as django_timezone
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from shopdesk.core.models import DEFAULT_SHIFT_END, Membership, PaperSize, Role, Shop
from shopdesk.customers import services as customer_services
from shopdesk.customers.models import Customer
from shopdesk.floor import services as floor_services
from shopdesk.floor.services.labor import labor_shift_end_for_shop
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import (
    Job,
    JobStage,
    MaterialStatus,
    Operation,
    Priority,
    WorkCenter,
)
from shopdesk.parts import services as part_services
from shopdesk.parts.models import DocumentKind, Part, PartRevision
from shopdesk.travelers.services import traveler_print

SEED = 1042
DEMO_PASSWORD = "demo"  # noqa: S105 (the documented demo login, demo data only)
# The operator's kiosk sign-in, printed by load_demo (demo data only).
DEMO_BADGE = "1001"
DEMO_PIN = "1234"
DEMO_JOB_COUNT = 150


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    shop: str
    does: str


@dataclass
class DemoSummary:
    shops: list[Shop] = field(default_factory=list)
    jobs: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# The clock


class _Clock:
    """What `timezone.now()` answers while the demo loads; None means the real time."""

    at: datetime.datetime | None = None


@contextmanager
def _simulated_clock() -> Iterator[_Clock]:
    clock = _Clock()
    real_datetime = datetime.datetime

    class _DemoDatetime(real_datetime):
        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> datetime.datetime:  # type: ignore[override]
            if clock.at is None:
                return real_datetime.now(tz)
            return clock.at.astimezone(tz) if tz is not None else clock.at.replace(tzinfo=None)

    # timezone.now() is `datetime.now(tz=utc)` on this module's name; model field defaults
    # hold timezone.now itself, so replacing the name moves them too.
    django_timezone.datetime = _DemoDatetime
    try:
        yield clock
    finally:
        django_timezone.datetime = real_datetime


# ---------------------------------------------------------------------------------------------
# The data


PEOPLE = [
    ("owner", "Dana", "Whitaker", Role.OWNER, "everything"),
    ("supervisor", "Marcus", "Reyes", Role.SUPERVISOR, "plans, releases and watches the floor"),
    ("operator", "Tom", "Kowalski", Role.OPERATOR, "the floor: scan, start, finish, block"),
    ("office", "Priya", "Natarajan", Role.OFFICE, "customers, parts, jobs"),
    ("quality", "Grace", "Lindqvist", Role.QUALITY, "inspection and holds"),
]

# The rest of the floor: operators who sign in at the kiosk with a badge (PIN as the demo
# operator's) and have no password login.
FLOOR_CREW = [
    # username, first name, last name, badge
    ("ana", "Ana", "Silva", "1002"),
    ("jamal", "Jamal", "Carter", "1003"),
    ("wei", "Wei", "Chen", "1004"),
]
# Who runs each work center (usernames); a job's operation is run by one of them.
CREWS = {
    "Saw": ["ana", "operator"],
    "CNC Mill": ["operator", "jamal"],
    "CNC Lathe": ["wei", "operator"],
    "Deburr": ["ana", "jamal"],
    "Inspection": ["quality"],
    "Shipping": ["ana", "wei"],
}

WORK_CENTERS = [
    # name, kind, hours per day (the CNCs run two shifts)
    ("Saw", "saw", "8"),
    ("CNC Mill", "mill", "16"),
    ("CNC Lathe", "lathe", "16"),
    ("Deburr", "deburr", "8"),
    ("Inspection", "inspection", "8"),
    ("Shipping", "shipping", "8"),
]

CUSTOMERS = [
    # name, code, contact, title
    ("Northwind Pumps", "NWP", "Karen Holt", "Buyer"),
    ("Cascade Hydraulics", "CAS", "Ben Okafor", "Purchasing manager"),
    ("Ridgeline Aerospace", "RDG", "Alicia Moreno", "Supplier quality engineer"),
    ("Bluewater Marine Systems", "BWM", "Pete Sorensen", "Buyer"),
    ("Keystone Medical Devices", "KMD", "Dr. Helen Cho", "Sourcing lead"),
    ("Prairie Ag Equipment", "PAG", "Luke Brandt", "Planner"),
    ("Summit Robotics", "SUM", "Nadia Petrova", "Mechanical engineer"),
    ("Ironwood Valve Co.", "IWV", "Gary Lutz", "Purchasing agent"),
    ("Harbor Point Instruments", "HPI", "Sofia Castillo", "Buyer"),
    ("Great Lakes Packaging Machinery", "GLP", "Jim Novak", "Operations manager"),
    ("Redstone Defense Components", "RDC", "Col. Ray Whitfield (ret.)", "Program manager"),
    ("Silver Creek Energy", "SCE", "Amber Reyes", "Maintenance planner"),
    ("Meridian Optics", "MOP", "Kenji Watanabe", "Engineering manager"),
    ("Pioneer Fluid Power", "PFP", "Diane Foster", "Buyer"),
    ("Granite State Automation", "GSA", "Mike Tremblay", "Owner"),
    ("Copperline Electric Motors", "CEM", "Rosa Jimenez", "Supply chain analyst"),
    ("Evergreen Food Equipment", "EFE", "Tyler Nguyen", "Buyer"),
    ("Falcon Motorsports", "FMS", "Jake Harmon", "Crew chief"),
    ("Tidewater Offshore", "TWO", "Olu Adeyemi", "Procurement"),
    ("Alpine Test & Measurement", "ATM", "Eva Schneider", "Lab manager"),
    ("Beacon Semiconductor Tools", "BST", "Raj Patel", "Commodity manager"),
    ("Oakridge Rail Services", "ORS", "Bill Carter", "Shop foreman"),
    ("Lone Star Compressor", "LSC", "Maria Gonzalez", "Buyer"),
    ("Westfield Bicycle Works", "WBW", "Sam Goldberg", "Product designer"),
    ("Sterling Dental Labs", "SDL", "Laura Kim", "Office manager"),
]

# description, material, family (milled or turned)
PART_KINDS = [
    ("Pump housing", "6061-T6 aluminum", "milled"),
    ("Mounting bracket", "6061-T6 aluminum", "milled"),
    ("Manifold block", "6061-T651 plate", "milled"),
    ("Valve body", "17-4 PH H1150", "milled"),
    ("Cover plate", "5052-H32 aluminum", "milled"),
    ("Bearing cap", "1018 CRS", "milled"),
    ("Sensor mount", "Delrin 150 acetal", "milled"),
    ("Heat sink", "6063-T5 extrusion", "milled"),
    ("Drive shaft", "4140 HT steel", "turned"),
    ("Weld-neck flange", "316L stainless", "turned"),
    ("Bushing", "C932 bearing bronze", "turned"),
    ("Spacer", "303 stainless", "turned"),
    ("Gear blank", "8620 steel", "turned"),
    ("Adapter fitting", "C360 brass", "turned"),
    ("Pivot pin", "17-4 PH H900", "turned"),
]

# What can hold a job up, by the situation it is in, so that the story holds together: bar
# stock is late only before the first operation (saw or machining) has started, a spindle alarm
# stops only a job waiting for a CNC, a first-article hold stops only work that has begun. Each
# with what was done about it when it is resolved.
# (kind, note, resolution)
BLOCKERS_BEFORE_MATERIAL = [
    (
        "material",
        "Bar stock not delivered; supplier promises it for Thursday.",
        "Material arrived and was checked in.",
    ),
    (
        "supplier",
        "The mill pushed the plate delivery out a week; asking for a partial shipment.",
        "Partial shipment arrived, enough for the whole order.",
    ),
]
BLOCKERS_MATERIAL_RECEIVED = [
    (
        "material",
        "Material cert missing from the delivery; asked the mill for it.",
        "Cert arrived from the mill and matches the heat number.",
    ),
]
BLOCKERS_ANY_TIME = [
    (
        "customer",
        "Customer put the order on hold pending a PO change.",
        "PO change received.",
    ),
]
BLOCKERS_BEFORE_SHIPPING = [
    (
        "customer",
        "Customer asked us to hold the shipment until their dock reopens Monday.",
        "Dock open again; customer confirmed the ship date.",
    ),
]
BLOCKERS_BEFORE_MACHINING = [
    (
        "drawing",
        "Drawing rev calls a 0.250 bore, the model says 0.255. Asked customer engineering.",
        "Customer confirmed the drawing; the 0.250 bore stands.",
    ),
]
BLOCKERS_AT_CNC = [
    (
        "tooling",
        "Waiting for the form tool to come back from regrind.",
        "Tool back from regrind and measured.",
    ),
    (
        "machine",
        "Spindle alarm on the CNC; service tech booked for tomorrow morning.",
        "Tech replaced the spindle encoder; machine is back up.",
    ),
]
BLOCKERS_QUALITY = [
    (
        "quality",
        "First article flatness 0.004 over a 0.002 tolerance. Holding for review.",
        "Reviewed with the customer: use as is, deviation signed.",
    ),
]


def _blockers_fitting(
    operation_spec: dict[str, Any], *, first: bool, material_status: str, begun: bool = False
) -> list[tuple[str, str, str]]:
    """What may hold a job up at this operation (not yet started, or `begun` and paused)."""
    kind = operation_spec["work_center"].kind
    fitting = list(BLOCKERS_ANY_TIME)
    if first and not begun and material_status == MaterialStatus.RECEIVED:
        fitting += BLOCKERS_MATERIAL_RECEIVED
    if kind in ("mill", "lathe"):
        fitting += BLOCKERS_AT_CNC + ([] if begun else BLOCKERS_BEFORE_MACHINING)
        if begun:
            fitting += BLOCKERS_QUALITY
    elif first and not begun:
        fitting += BLOCKERS_BEFORE_MACHINING
    if kind == "shipping":
        fitting += BLOCKERS_BEFORE_SHIPPING
    if kind == "inspection":
        fitting += BLOCKERS_QUALITY
    return fitting


# What operators write while they work, by work center kind: on finishing, on pausing, and
# while an operation runs.
FLOOR_NOTES = {
    "saw": [
        "Cut {n} blanks plus 2 spares for setup.",
        "Bar ends were bent; faced off 1/4 in before the first cut.",
        "Blanks deburred and tagged with the heat number.",
    ],
    "mill": [
        "First part checked good on the CMM, running the batch.",
        "Swapped to a new 1/2 in endmill at part 30, the floor finish was getting rough.",
        "Touched off G55 again after the vise was moved.",
        "Pocket depth running at the high side; adjusted the tool wear by -0.02 mm.",
    ],
    "lathe": [
        "OD running at the high side of tolerance, adjusted the wear offset -0.01 mm.",
        "Chips wrapping on the part; changed to the other insert geometry.",
        "Bar feeder jammed once, cleared it; no parts lost.",
    ],
    "deburr": [
        "Vibratory tumble 20 min, edges look good.",
        "Burr inside the cross hole, hand-deburred each part.",
    ],
    "inspection": [
        "First and last part full dimensional, all in tolerance. Report in the job folder.",
        "Bore measured 22.012 on part 7, within H7. Thread gauges go/no-go OK.",
        "Cosmetic scratch on one part, set aside as scrap.",
    ],
    "shipping": [
        "Packed in 2 boxes, 10 per bag. Certs in box 1.",
        "UPS ground, tracking number on the packing slip.",
    ],
    "finish": [
        "Racked 12 per bar; contact marks on the inside face as agreed.",
        "Coating thickness 0.0004-0.0006 in on the samples.",
        "Seal checked with the dye spot test, OK.",
    ],
}
PAUSE_NOTES = [
    "Waiting on the inspector to sign off the first article.",
    "Pulled off for a hot job; back on it after that.",
    "Stopped to change the coolant, back on it next.",
]

# How many demo jobs end in each stage, and how long ago they started (days, min-max).
STAGE_PLAN = [
    (JobStage.PLANNED, 18, (1, 12)),
    (JobStage.RELEASED, 18, (2, 10)),
    (JobStage.IN_PRODUCTION, 60, (4, 24)),
    (JobStage.COMPLETE, 14, (8, 28)),
    (JobStage.SHIPPED, 20, (12, 38)),
    (JobStage.CLOSED, 20, (20, 45)),
]

MACHINING_KINDS = ("saw", "mill", "lathe", "deburr", "inspection", "shipping")

# The demo floor works weekdays from this time to the shop's shift end.
SHIFT_START = datetime.time(7, 0)


# ---------------------------------------------------------------------------------------------
# Building


class _DemoShop:
    """One shop being built: its people, work centers, the clock and the random source."""

    def __init__(self, shop: Shop, clock: _Clock, rng: random.Random, now: datetime.datetime):
        self.shop = shop
        self.clock = clock
        self.rng = rng
        self.now = now
        self.users: dict[str, Any] = {}
        self.work_centers: dict[str, WorkCenter] = {}
        self.floor_actions = 0
        self._pin_hash = ""

    def add_person(
        self,
        username: str,
        first: str,
        last: str,
        role: str,
        *,
        password_hash: str | None,
        badge: str = "",
    ) -> None:
        """A person of the shop; without a password hash, one who cannot sign in with a
        password. With a badge, they sign in at the kiosk with it and the demo PIN."""
        user_model = get_user_model()
        user = user_model.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@{self.shop.slug}.example.com",
            password=password_hash or make_password(None),
        )
        kiosk = (
            {"badge_number": badge, "pin_hash": self.pin_hash(), "pin_length": len(DEMO_PIN)}
            if badge
            else {}
        )
        Membership.objects.create(user=user, shop=self.shop, role=role, **kiosk)
        self.users[username] = user_model.objects.select_related("membership__shop").get(pk=user.pk)

    def pin_hash(self) -> str:
        if not self._pin_hash:
            self._pin_hash = make_password(DEMO_PIN)
        return self._pin_hash

    def add_people(self, people: list[tuple[str, str, str, str, str]], password_hash: str) -> None:
        for username, first, last, role, _does in people:
            # The floor signs in at the kiosk tablet with a badge number and PIN.
            badge = DEMO_BADGE if role == Role.OPERATOR else ""
            self.add_person(username, first, last, role, password_hash=password_hash, badge=badge)

    def add_crew(self, crew: list[tuple[str, str, str, str]]) -> None:
        for username, first, last, badge in crew:
            self.add_person(username, first, last, Role.OPERATOR, password_hash=None, badge=badge)

    def crew_at(self, work_center: WorkCenter) -> list[Any]:
        return [self.users[name] for name in CREWS.get(work_center.name, ["operator"])]

    def next_client_id(self) -> str:
        self.floor_actions += 1
        return f"demo-{self.shop.slug}-{self.floor_actions:06d}"

    # Working hours: the floor works weekdays from SHIFT_START to the shop's shift end.

    def _at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def shift_end(self, moment: datetime.datetime) -> datetime.datetime:
        """The end of the shift `moment` is in."""
        return self._at(timezone.localtime(moment).date(), self.shop.shift_end_time)

    def shift_start(self, moment: datetime.datetime) -> datetime.datetime:
        return self._at(timezone.localtime(moment).date(), SHIFT_START)

    def next_shift_start(self, moment: datetime.datetime) -> datetime.datetime:
        day = timezone.localtime(moment).date() + datetime.timedelta(days=1)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return self._at(day, SHIFT_START)

    def working_from(self, moment: datetime.datetime) -> datetime.datetime:
        """The first working moment at or after `moment` with a half hour left in the shift;
        moved out of the night, it lands in the shift's first hour, not all on the stroke."""
        settle = datetime.timedelta(minutes=self.rng.randint(0, 60))
        if timezone.localtime(moment).weekday() >= 5:
            return self.next_shift_start(moment) + settle
        if moment < self.shift_start(moment):
            return self.shift_start(moment) + settle
        if moment > self.shift_end(moment) - datetime.timedelta(minutes=30):
            return self.next_shift_start(moment) + settle
        return moment


class _JobStory:
    """The steps of one job's life, planned first, then run in order at moments spread
    between its creation and its last action."""

    def __init__(self, demo: _DemoShop, *, floor_user: Any = None):
        self.demo = demo
        # One person for the whole job, or (None) the work center's crew, one of them per
        # operation: who starts an operation also pauses and finishes it.
        self.floor_user = floor_user
        self.hands: dict[int, Any] = {}
        self.steps: list[Callable[[], None]] = []
        self.job: Job | None = None
        self.available = 0
        self.blocker: Any = None

    # What can happen to a job --------------------------------------------------------------

    def create(self, **values: Any) -> None:
        def step() -> None:
            self.job = job_services.job_create(**values)
            self.available = self.job.quantity or 0

        self.steps.append(step)

    def release(self, user: Any) -> None:
        self.steps.append(lambda: job_services.job_release(user=user, job=self.job))

    def print_traveler(self, user: Any) -> None:
        self.steps.append(lambda: traveler_print(user=user, job=self.job))

    def hand(self, operation: Operation) -> Any:
        if self.floor_user is not None:
            return self.floor_user
        if operation.pk not in self.hands:
            self.hands[operation.pk] = self.demo.rng.choice(
                self.demo.crew_at(operation.work_center)
            )
        return self.hands[operation.pk]

    def _operation(self, sequence: int) -> Operation:
        return Operation.objects.select_related("work_center").get(job=self.job, sequence=sequence)

    def _floor(self, operation: Operation, action: str, note: str = "", **quantities: int) -> None:
        floor_services.floor_action(
            user=self.hand(operation),
            operation=operation,
            action=action,
            client_id=self.demo.next_client_id(),
            note=note,
            **quantities,
        )

    def _note_for(self, operation: Operation) -> str:
        notes = FLOOR_NOTES.get(operation.work_center.kind, FLOOR_NOTES["mill"])
        return self.demo.rng.choice(notes).format(n=self.job.quantity or 0)

    def _estimate(self, operation: Operation) -> datetime.timedelta:
        minutes = operation.setup_minutes + operation.run_minutes * (self.job.quantity or 0)
        # Operations planned without times (the anodizing shop's) take an hour or two.
        return datetime.timedelta(minutes=float(minutes) or self.demo.rng.uniform(60, 120))

    def _work(
        self, sequence: int, share: float, *, end: str, note: bool = False, scrap: int = 0
    ) -> None:
        """Work `share` of the operation's estimate in working hours from the clock on: start,
        let each shift end close the day's labor and start again the next working day, then
        finish (or pause). Moves the clock to the moment it ends, never past the demo's now."""
        demo = self.demo
        clock = demo.clock
        operation = self._operation(sequence)
        left = self._estimate(operation) * share
        latest = demo.now - datetime.timedelta(minutes=5)
        at = min(demo.working_from(clock.at), latest)
        while True:
            clock.at = at
            self._floor(operation, "start")
            shift_end = demo.shift_end(at)
            if at + left <= shift_end or shift_end >= latest or at >= shift_end:
                at = min(at + left, latest)
                break
            left -= shift_end - at
            clock.at = shift_end
            labor_shift_end_for_shop(shop=demo.shop, now=shift_end)
            at = min(demo.next_shift_start(shift_end), latest)
        clock.at = at
        said = self._note_for(operation) if note else ""
        if end == "pause":
            self._floor(operation, "pause", note=said)
            return
        lost = min(scrap, max(self.available - 1, 0))
        self._floor(operation, "finish", note=said, qty_good=self.available - lost, qty_scrap=lost)
        self.available -= lost

    def run_operation(self, sequence: int, *, note: bool = False) -> None:
        """Start and finish one operation, its labor within 60-150 % of its estimate."""
        rng = self.demo.rng
        share = rng.uniform(0.6, 1.5)
        scrap = rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2, 3])
        note = note or rng.random() < 0.35
        self.steps.append(lambda: self._work(sequence, share, end="finish", note=note, scrap=scrap))

    def pause_partway(self, sequence: int) -> None:
        """Start the operation, work part of it and pause it with a word why."""
        share = self.demo.rng.uniform(0.15, 0.7)

        def step() -> None:
            self._work(sequence, share, end="pause")
            # The pause's reason, said as a note, is what the next shift reads.
            self._floor(self._operation(sequence), "note", note=self.demo.rng.choice(PAUSE_NOTES))

        self.steps.append(step)

    def start_this_shift(self, sequence: int, *, note: bool = True) -> None:
        """Start the operation earlier this shift, so its labor so far is a part of its
        estimate (20-90 %), and maybe say how it is going."""
        rng = self.demo.rng
        share = rng.uniform(0.2, 0.9)

        def step() -> None:
            demo = self.demo
            operation = self._operation(sequence)
            latest = demo.now - datetime.timedelta(minutes=2)
            # This shift: since the last shift end (or this morning's start), at most 3 hours.
            since = demo.shift_start(demo.now)
            if demo.now >= demo.shift_end(demo.now):
                since = demo.shift_end(demo.now)
            elif demo.now < since:
                since = demo.shift_end(demo.now) - datetime.timedelta(days=1)
            since = max(since, demo.now - datetime.timedelta(hours=3), demo.clock.at)
            demo.clock.at = min(max(demo.now - self._estimate(operation) * share, since), latest)
            self._floor(operation, "start")
            if note:
                demo.clock.at = min(demo.clock.at + (demo.now - demo.clock.at) / 2, latest)
                self._floor(operation, "note", note=self._note_for(operation))

        self.steps.append(step)

    def start(self, sequence: int) -> None:
        self.steps.append(lambda: self._floor(self._operation(sequence), "start"))

    def raise_blocker(self, kind: str, note: str, owner: Any) -> None:
        def step() -> None:
            job = Job.objects.get(pk=self.job.pk)
            operation = job.current_operation
            raised_by = self.hand(operation) if operation is not None else owner
            self.blocker, _ = job_services.blocker_raise(
                user=raised_by, job=job, kind=kind, note=note, owner=owner, operation=operation
            )

        self.steps.append(step)

    def resolve_blocker(self, note: str) -> None:
        self.steps.append(
            lambda: job_services.blocker_resolve(
                user=self.blocker.owner, blocker=self.blocker, note=note
            )
        )

    def ship(self, user: Any) -> None:
        self.steps.append(
            lambda: job_services.job_mark_shipped(user=user, job=Job.objects.get(pk=self.job.pk))
        )

    def ship_share(self, user: Any, share: float) -> None:
        """Ship `share` of the good parts: a first delivery, the rest to follow."""

        def step() -> None:
            job = Job.objects.get(pk=self.job.pk)
            good = job.operations.order_by("sequence").last().qty_good
            job_services.job_ship(user=user, job=job, quantity=max(int(good * share), 1))

        self.steps.append(step)

    def send_out(self, user: Any, sequence: int, note: str = "") -> None:
        """Outside work: the office sends the parts to the supplier."""
        self.steps.append(
            lambda: job_services.operation_send_out(
                user=user, operation=self._operation(sequence), note=note
            )
        )

    def close(self, user: Any, reason: str = "") -> None:
        self.steps.append(
            lambda: job_services.job_close(
                user=user, job=Job.objects.get(pk=self.job.pk), reason=reason
            )
        )

    # Running it ----------------------------------------------------------------------------

    def run(self, created: datetime.datetime, last: datetime.datetime) -> Job:
        """Run the steps at moments spread between `created` and `last`. A step that takes
        time (an operation worked over shifts) moves the clock on; the next step happens no
        earlier than that, and nothing happens after the demo's now."""
        demo = self.demo
        clock = demo.clock
        # The office and the floor work in working hours: nothing is done at 3 a.m.
        clock.at = min(demo.working_from(created), demo.now)
        self.steps[0]()
        rest = self.steps[1:]
        span = (last - created) / max(len(rest), 1)
        for index, step in enumerate(rest, start=1):
            planned = demo.working_from(created + span * index)
            clock.at = min(max(planned, clock.at), demo.now)
            step()
        assert self.job is not None
        return self.job


def _routing(
    demo: _DemoShop,
    family: str,
    *,
    quantity: int,
    saw: bool,
    shipping: bool,
    extra_machining: int,
) -> list[dict[str, Any]]:
    """A plausible routing of 3 to 7 operations for a milled or a turned part, for a batch of
    `quantity`: big batches are of simpler parts, so no operation is planned past two shifts."""
    rng = demo.rng
    wc = demo.work_centers
    most = Decimal(16 * 60)

    def minutes(low: int, high: int) -> Decimal:
        return Decimal(rng.randint(low * 4, high * 4)) / 4

    operations: list[dict[str, Any]] = []
    if saw:
        operations.append(
            {
                "work_center": wc["Saw"],
                "name": "Saw cut blanks",
                "setup_minutes": minutes(5, 15),
                "run_minutes": minutes(1, 3),
            }
        )
    if family == "turned":
        operations.append(
            {
                "work_center": wc["CNC Lathe"],
                "name": "Turn complete",
                "setup_minutes": minutes(45, 90),
                "run_minutes": minutes(3, 12),
                "instructions": "Hold the OD per drawing; check the first part on the comparator.",
            }
        )
        more = [(wc["CNC Mill"], "Cross drill & tap"), (wc["CNC Lathe"], "Back-face & chamfer")]
    else:
        operations.append(
            {
                "work_center": wc["CNC Mill"],
                "name": "Mill op 1: top side",
                "setup_minutes": minutes(60, 120),
                "run_minutes": minutes(5, 20),
                "instructions": "Vise on the 4th-axis plate, datum A down.",
            }
        )
        more = [(wc["CNC Mill"], "Mill op 2: flip"), (wc["CNC Lathe"], "Turn bore")]
    for work_center, name in more[:extra_machining]:
        operations.append(
            {
                "work_center": work_center,
                "name": name,
                "setup_minutes": minutes(30, 75),
                "run_minutes": minutes(2, 10),
            }
        )
    operations.append(
        {
            "work_center": wc["Deburr"],
            "name": "Deburr & break edges",
            "setup_minutes": Decimal("0"),
            "run_minutes": minutes(1, 4),
        }
    )
    operations.append(
        {
            "work_center": wc["Inspection"],
            "name": "Final inspection",
            "setup_minutes": minutes(10, 20),
            "run_minutes": minutes(1, 2),
            "instructions": "Full dimensional on the first and last part, 10% sample between.",
        }
    )
    if shipping:
        operations.append(
            {
                "work_center": wc["Shipping"],
                "name": "Pack & ship",
                "setup_minutes": Decimal("0"),
                "run_minutes": Decimal("0.50"),
            }
        )
    for operation in operations:
        if operation["setup_minutes"] + operation["run_minutes"] * quantity > most:
            per_part = (most - operation["setup_minutes"]) / quantity
            operation["run_minutes"] = max(Decimal(int(per_part * 4)) / 4, Decimal("0.25"))
    return operations


# ---------------------------------------------------------------------------------------------
# Part files: a small drawing per part and revision, a shop-wide spec shared by every part (the
# same bytes, so the shop stores it once), and an NC program for some.


def _pdf_text(value: str) -> str:
    text = value.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf(pages: list[str]) -> bytes:
    """A plain PDF (letter, landscape, Helvetica) of the given page content streams."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids ["
        + " ".join(f"{5 + index * 2} 0 R" for index in range(len(pages)))
        + f"] /Count {len(pages)} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    for index, content in enumerate(pages):
        stream = content.encode("latin-1")
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 792 612] "
            "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            f"/Contents {6 + index * 2} 0 R >>"
        )
        objects.append(
            f"<< /Length {len(stream)} >>\nstream\n" + stream.decode("latin-1") + "\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _text(x: float, y: float, value: str, *, size: int = 9, bold: bool = False) -> str:
    font = "F2" if bold else "F1"
    return f"BT /{font} {size} Tf {x} {y} Td ({_pdf_text(value)}) Tj ET\n"


def _drawing_pdf(part: Part, code: str, *, bore: str, drawn: str) -> bytes:
    """A one-sheet drawing: frame, a part outline with a bore, dimensions and a title block."""
    k = 0.5523 * 55  # Bezier handle for a circle of radius 55
    cx, cy = 300, 330
    circle = (
        f"{cx + 55} {cy} m "
        f"{cx + 55} {cy + k} {cx + k} {cy + 55} {cx} {cy + 55} c "
        f"{cx - k} {cy + 55} {cx - 55} {cy + k} {cx - 55} {cy} c "
        f"{cx - 55} {cy - k} {cx - k} {cy - 55} {cx} {cy - 55} c "
        f"{cx + k} {cy - 55} {cx + 55} {cy - k} {cx + 55} {cy} c S\n"
    )
    content = (
        "1 w 18 18 756 576 re S\n0.6 w 24 24 744 564 re S\n"
        "1.4 w 140 210 320 240 re S\n" + circle + "0.4 w\n"
        "140 180 m 460 180 l S 140 175 m 140 205 l S 460 175 m 460 205 l S\n"
        "110 210 m 110 450 l S 105 210 m 135 210 l S 105 450 m 135 450 l S\n"
        "[4 3] 0 d 300 200 m 300 460 l S 130 330 m 470 330 l S [] 0 d\n"
        "520 24 248 110 re S 520 80 m 768 80 l S 520 52 m 768 52 l S 680 24 m 680 80 l S\n"
        + _text(285, 185, "120.00")
        + _text(60, 326, "90.00")
        + _text(362, 390, f"BORE {bore}")
        + _text(140, 470, "ALL DIMENSIONS IN MM. BREAK SHARP EDGES 0.2 x 45.", size=8)
        + _text(140, 458, f"MATERIAL: {part.material or 'PER PO'}", size=8)
        + _text(528, 116, part.number, size=14, bold=True)
        + _text(528, 92, (part.description or "")[:40], size=9)
        + _text(528, 62, "DRAWN " + drawn, size=8)
        + _text(528, 32, "SCALE 1:1   SHEET 1/1", size=8)
        + _text(688, 58, "REV", size=8)
        + _text(700, 32, code, size=16, bold=True)
    )
    return _pdf([content])


GENERAL_SPEC = _pdf(
    [
        _text(
            60,
            540,
            "Demo Machine Works - General machining specification GS-01",
            size=14,
            bold=True,
        )
        + "".join(
            _text(60, 500 - 22 * index, line, size=10)
            for index, line in enumerate(
                [
                    "1. Unless stated on the drawing, linear tolerances are ISO 2768-m.",
                    "2. Break all sharp edges 0.2-0.5 mm x 45 degrees. No burrs.",
                    "3. Surface finish Ra 3.2 on machined faces unless stated.",
                    "4. Threads per ISO 965-1 6H/6g; gauge every thread on the first article.",
                    "5. First article: full dimensional report before the batch runs.",
                    "6. Parts are cleaned, dried and bagged in counts of 10.",
                ]
            )
        )
    ]
)


def _nc_program(part: Part, code: str) -> bytes:
    number = 1000 + part.pk % 9000
    return (
        f"%\nO{number} ({part.number} REV {code} OP10)\n"
        "(T1 D12 ENDMILL / T2 D8.5 DRILL / T3 M10 TAP)\n"
        "G21 G90 G17 G40 G49 G80\nG54\nT1 M06\nS8000 M03\nG00 X0. Y0. Z25.\n"
        "G43 H01 Z5. M08\nG01 Z-2. F300.\nX120. F1200.\nY90.\nX0.\nY0.\n"
        "G00 Z25. M09\nM05\nG91 G28 Z0.\nM30\n%\n"
    ).encode("ascii")


def _attach(user: Any, revision: PartRevision, name: str, content: bytes, kind: str) -> None:
    part_services.document_upload(
        user=user, revision=revision, upload=SimpleUploadedFile(name, content), kind=kind
    )


def _give_files(user: Any, part: Part, revision: PartRevision, *, bore: str, program: bool) -> None:
    """Upload a revision's drawing, the shared spec and (for some parts) an NC program."""
    drawn = user.get_full_name() or user.username
    drawing = _drawing_pdf(part, revision.code, bore=bore, drawn=drawn)
    _attach(user, revision, f"{part.number} rev {revision.code}.pdf", drawing, DocumentKind.DRAWING)
    _attach(
        user, revision, "GS-01 general machining spec.pdf", GENERAL_SPEC, DocumentKind.SPECIFICATION
    )
    if program:
        nc = _nc_program(part, revision.code)
        _attach(user, revision, f"{part.number} OP10.nc", nc, DocumentKind.PROGRAM)


def _material_status(stage: str, index: int) -> str:
    """Jobs on the floor have their material; planned ones are at every step of getting it."""
    if stage != JobStage.PLANNED:
        return MaterialStatus.FROM_STOCK if index % 4 == 0 else MaterialStatus.RECEIVED
    return [MaterialStatus.NOT_ORDERED, MaterialStatus.ORDERED, MaterialStatus.RECEIVED][index % 3]


def _next_code(code: str) -> str:
    return (
        chr(ord(code) + 1)
        if len(code) == 1 and code.isalpha() and code.upper() != "Z"
        else f"{code}-1"
    )


def _build_machine_shop(
    clock: _Clock,
    rng: random.Random,
    password_hash: str,
    now: datetime.datetime,
    progress: Callable[[str], None] | None = None,
) -> Shop:
    today = timezone.localdate(now)
    history_starts = now - datetime.timedelta(days=50)
    clock.at = history_starts
    shop = Shop.objects.create(
        name="Demo Machine Works",
        slug="demo",
        paper_size=PaperSize.LETTER,
        shift_end_time=DEFAULT_SHIFT_END,
    )
    demo = _DemoShop(shop, clock, rng, now)
    clock.at = demo.working_from(history_starts)
    demo.add_people(PEOPLE, password_hash)
    demo.add_crew(FLOOR_CREW)
    users = demo.users
    owner, supervisor, office = users["owner"], users["supervisor"], users["office"]
    for name, kind, hours in WORK_CENTERS:
        demo.work_centers[name] = job_services.work_center_create(
            user=owner, name=name, kind=kind, hours_per_day=Decimal(hours)
        )

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    say(
        f"Demo Machine Works: {len(PEOPLE) + len(FLOOR_CREW)} people, "
        f"{len(WORK_CENTERS)} work centers, {len(CUSTOMERS)} customers"
    )
    customers: list[Customer] = []
    for name, code, contact, title in CUSTOMERS:
        domain = "".join(ch for ch in name.lower() if ch.isalnum())[:24] + ".example.com"
        customer = customer_services.customer_create(
            user=office,
            name=name,
            code=code,
            email=f"orders@{domain}",
            phone=f"(555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        )
        mailbox = contact.replace("Dr. ", "").replace("Col. ", "").split()[0].lower()
        customer_services.contact_add(
            user=office,
            customer=customer,
            name=contact,
            title=title,
            email=f"{mailbox}@{domain}",
            phone=f"(555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        )
        customers.append(customer)

    say("  60 parts with drawings, specs and programs")
    parts: list[tuple[Part, str]] = []
    for index in range(60):
        customer = customers[index % len(customers)]
        description, material, family = PART_KINDS[(index * 7) % len(PART_KINDS)]
        part = part_services.part_create(
            user=office,
            number=f"{customer.code}-{2100 + index * 3}",
            revision=rng.choice("AAABBC"),
            customer=customer,
            description=description,
            material=material,
        )
        # Every part's first revision is released with its files before any job is made.
        first = part.revisions.get()
        _give_files(office, part, first, bore="22.00 H7", program=index % 3 == 0)
        part_services.revision_release(user=supervisor, revision=first)
        part.refresh_from_db()
        parts.append((part, family))

    planners = [supervisor, supervisor, owner, office]
    blocker_owners = [supervisor, office, users["quality"], owner]
    blockers_raised = 0

    def next_blocker(
        choices: list[tuple[str, str, str]],
    ) -> tuple[tuple[str, str, Any], str]:
        """One of the blockers that fit the job's situation, its owner, and its resolution."""
        nonlocal blockers_raised
        kind, note, resolution = choices[blockers_raised % len(choices)]
        owner_ = blocker_owners[blockers_raised % len(blocker_owners)]
        blockers_raised += 1
        return (kind, note, owner_), resolution

    stages = [stage for stage, count, _days in STAGE_PLAN for _ in range(count)]
    say(f"  {len(stages)} jobs over six weeks, each through the floor actions")
    ages = {stage: days for stage, _count, days in STAGE_PLAN}
    rng.shuffle(stages)
    # In-production jobs sit at each work center in turn, so every dispatch list has work.
    where_next = iter(list(MACHINING_KINDS) * DEMO_JOB_COUNT)
    planned_seen = 0
    running_at: dict[int, int] = defaultdict(int)
    for job_index, stage in enumerate(stages):
        if job_index and job_index % 25 == 0:
            say(f"  {job_index} of {len(stages)} jobs")
        part, family = parts[rng.randrange(len(parts))]
        created = now - datetime.timedelta(days=rng.uniform(*ages[stage]))
        is_open = stage in JobStage.open_stages()

        at_kind = next(where_next) if stage == JobStage.IN_PRODUCTION else None
        if at_kind == "lathe":
            family = "turned"
        elif at_kind == "mill":
            family = "milled"
        quantity = rng.choice([5, 10, 12, 20, 25, 40, 50, 60, 100, 150, 250, 500])
        routing = _routing(
            demo,
            family,
            quantity=quantity,
            saw=at_kind == "saw" or rng.random() < 0.6,
            shipping=at_kind == "shipping" or rng.random() < 0.5,
            extra_machining=rng.choice([0, 1, 1, 2]),
        )

        if is_open and rng.random() < 0.22:
            due_date: datetime.date | None = today - datetime.timedelta(days=rng.randint(1, 9))
        elif is_open:
            due_date = today + datetime.timedelta(days=rng.randint(2, 35))
        else:
            due_date = (created + datetime.timedelta(days=rng.randint(10, 25))).date()
        if stage == JobStage.PLANNED:
            planned_seen += 1
            # Planning is where the gaps are: no routing yet, no due date yet.
            if planned_seen % 5 == 0:
                routing = []
            elif planned_seen % 5 == 1:
                due_date = None

        material_status = _material_status(stage, job_index)
        story = _JobStory(demo)
        story.create(
            user=rng.choice(planners),
            customer=part.customer,
            part=part,
            quantity=quantity,
            due_date=due_date,
            customer_po=f"PO-{rng.randint(10000, 99999)}",
            priority=rng.choice([Priority.NORMAL] * 6 + [Priority.HIGH] * 2 + [Priority.HOT]),
            owner=rng.choice([supervisor, supervisor, owner, None]),
            # Material the customer sends is received, never taken from our stock.
            notes=rng.choice(
                ["", "", "", "Certs required with shipment."]
                + ([] if material_status == MaterialStatus.FROM_STOCK else ["Customer material."])
            ),
            operations=routing,
            material_status=material_status,
        )
        if stage == JobStage.PLANNED:
            if routing and due_date and rng.random() < 0.3:
                # Planning waits on material not yet here, or on a question to the customer.
                if material_status == MaterialStatus.ORDERED:
                    fitting = BLOCKERS_BEFORE_MATERIAL
                else:
                    fitting = _blockers_fitting(
                        routing[0], first=True, material_status=material_status
                    )
                story.raise_blocker(*next_blocker(fitting)[0])
            last = created + (now - created) * rng.uniform(0.3, 0.9)
            story.run(created, last)
            continue

        story.release(supervisor)
        story.print_traveler(supervisor)
        sequences = [n + 1 for n in range(len(routing))]
        if stage == JobStage.IN_PRODUCTION:
            current = [spec["work_center"].kind for spec in routing].index(at_kind)
        elif stage == JobStage.RELEASED:
            current = 0
        else:
            current = len(routing)
        held_up = current > 0 and rng.random() < 0.2
        held_at = rng.randrange(current) if held_up else -1
        for sequence in sequences[:current]:
            if sequence - 1 == held_at:
                raised, resolution = next_blocker(
                    _blockers_fitting(
                        routing[sequence - 1],
                        first=sequence == 1,
                        material_status=material_status,
                    )
                )
                story.raise_blocker(*raised)
                story.resolve_blocker(resolution)
            # A job on the floor has a word from the floor on its last finished operation
            # when nothing has been said on the current one.
            story.run_operation(
                sequence, note=stage == JobStage.IN_PRODUCTION and sequence == current
            )
        state = ""
        if stage == JobStage.IN_PRODUCTION:
            # The current operation: running, paused, or waiting in the work center's queue
            # (the first operation cannot be waiting: the job would still be "released").
            state = rng.choice(["running", "running", "paused"] + (["waiting"] if current else []))
            # A machine runs one job at a time (the two-shift CNCs have two): the rest of its
            # jobs are paused on it or waiting for it.
            center = routing[current]["work_center"]
            if state == "running" and running_at[center.pk] >= (
                2 if center.hours_per_day >= 16 else 1
            ):
                state = rng.choice(["paused"] + (["waiting"] if current else []))
            if state == "running":
                running_at[center.pk] += 1
                story.start_this_shift(sequences[current])
            elif state == "paused":
                story.pause_partway(sequences[current])
        # A job that is not being worked may be held up by something that fits where it is:
        # never one whose operation is running (an open blocker stops work).
        if stage == JobStage.RELEASED or state in ("paused", "waiting"):
            if rng.random() < 0.3:
                fitting = _blockers_fitting(
                    routing[current],
                    first=current == 0,
                    material_status=material_status,
                    begun=state == "paused",
                )
                story.raise_blocker(*next_blocker(fitting)[0])
        if stage in (JobStage.SHIPPED, JobStage.CLOSED):
            story.ship(rng.choice([supervisor, office]))
        if stage == JobStage.CLOSED:
            story.close(owner)

        if is_open:
            last = now - datetime.timedelta(minutes=rng.randint(60 * 4, 60 * 36))
        else:
            last = created + (now - created) * rng.uniform(0.5, 0.85)
        # The operations take working days of their own (nights and weekends between): the
        # steps are spread early enough that the work done is all done by now.
        work = _working_time(routing[:current], quantity)
        last = min(last, now - work)
        created = min(created, last - work)
        story.run(created, max(last, created + datetime.timedelta(hours=2)))

    say("  a job out at the anodizer, and one shipped in part")
    # Outside work: a milled housing that goes out to be anodized after deburr, now at the
    # supplier, its final inspection waiting for the parts to come back.
    part, _family = parts[7]
    quantity = 40
    routing = _routing_with_anodize(demo, quantity)
    story = _JobStory(demo)
    story.create(
        user=office,
        customer=part.customer,
        part=part,
        quantity=quantity,
        due_date=today + datetime.timedelta(days=9),
        customer_po=f"PO-{rng.randint(10000, 99999)}",
        notes="Anodize black per MIL-A-8625 Type II; certs from the anodizer with the parts.",
        operations=routing,
        material_status=MaterialStatus.RECEIVED,
    )
    story.release(supervisor)
    story.print_traveler(supervisor)
    for sequence in (1, 2, 3):
        story.run_operation(sequence, note=sequence == 3)
    story.send_out(office, 4, note="Picked up by the anodizer's driver, one crate.")
    work = _working_time(routing[:3], quantity)
    last = now - datetime.timedelta(hours=rng.randint(6, 20))
    story.run(last - work - datetime.timedelta(days=2), last)

    # A partial shipment: the customer took the first 60 % on the due date of their line-side
    # stock; the rest ships when they call it off.
    part, family = parts[11]
    quantity = 100
    routing = _routing(demo, family, quantity=quantity, saw=True, shipping=True, extra_machining=1)
    story = _JobStory(demo)
    story.create(
        user=office,
        customer=part.customer,
        part=part,
        quantity=quantity,
        due_date=today + datetime.timedelta(days=6),
        customer_po=f"PO-{rng.randint(10000, 99999)}",
        notes="Ship 60 now, the balance on call-off.",
        operations=routing,
        material_status=MaterialStatus.FROM_STOCK,
    )
    story.release(supervisor)
    story.print_traveler(supervisor)
    for sequence in range(1, len(routing) + 1):
        story.run_operation(sequence)
    story.ship_share(office, 0.6)
    work = _working_time(routing, quantity)
    last = now - datetime.timedelta(hours=rng.randint(4, 30))
    story.run(last - work - datetime.timedelta(days=3), last)

    # Two jobs closed before any work: a cancelled PO and a duplicate.
    for reason in ("Customer cancelled the PO.", "Entered twice by mistake; see the other job."):
        part, family = parts[rng.randrange(len(parts))]
        quantity = rng.choice([10, 25, 50])
        story = _JobStory(demo)
        story.create(
            user=office,
            customer=part.customer,
            part=part,
            quantity=quantity,
            due_date=today + datetime.timedelta(days=rng.randint(5, 20)),
            customer_po=f"PO-{rng.randint(10000, 99999)}",
            operations=_routing(
                demo, family, quantity=quantity, saw=True, shipping=False, extra_machining=0
            ),
        )
        story.close(owner, reason)
        created = now - datetime.timedelta(days=rng.uniform(15, 30))
        story.run(created, created + datetime.timedelta(days=rng.uniform(1, 4)))

    say("  engineering changes on two parts")
    # Engineering changes: the two parts with the most open jobs get a new revision, released
    # yesterday, so their open jobs carry a notice of change (and the old files show superseded).
    changed = sorted(
        (part for part, _family in parts),
        key=lambda part: (-Job.objects.filter(part=part, is_open=True).count(), part.number),
    )[:2]
    for hours_ago, part in zip((30, 20), changed, strict=True):
        clock.at = min(demo.working_from(now - datetime.timedelta(hours=hours_ago)), now)
        part.refresh_from_db()
        revision = part_services.revision_create(
            user=office,
            part=part,
            code=_next_code(part.revision),
            note="Bore 22.00 H7 → 24.00 H7 per customer ECN; chamfer added.",
        )
        _give_files(office, part, revision, bore="24.00 H7", program=True)
        part_services.revision_release(user=supervisor, revision=revision)
    # And one draft in progress, not released yet.
    clock.at = min(demo.working_from(now - datetime.timedelta(hours=4)), now)
    draft_part = parts[-1][0]
    draft_part.refresh_from_db()
    draft = part_services.revision_create(
        user=office, part=draft_part, code=_next_code(draft_part.revision), note="Lighter pocket."
    )
    _give_files(office, draft_part, draft, bore="22.00 H7", program=False)
    return shop


ANODIZING_PEOPLE = [
    ("anodizer", "Rosa", "Delgado", Role.OWNER, "a second shop, to see tenancy"),
]


def _build_anodizing_shop(
    clock: _Clock, rng: random.Random, password_hash: str, now: datetime.datetime
) -> Shop:
    today = timezone.localdate(now)
    clock.at = now - datetime.timedelta(days=30)
    shop = Shop.objects.create(
        name="Demo Anodizing Co",
        slug="anodizing",
        paper_size=PaperSize.A4,
        shift_end_time=DEFAULT_SHIFT_END,
    )
    demo = _DemoShop(shop, clock, rng, now)
    clock.at = demo.working_from(clock.at)
    demo.add_people(ANODIZING_PEOPLE, password_hash)
    anodizer = demo.users["anodizer"]
    for name, kind in (
        ("Racking", "finish"),
        ("Type II line", "finish"),
        ("Type III hardcoat", "finish"),
        ("Inspection", "inspection"),
        ("Shipping", "shipping"),
    ):
        demo.work_centers[name] = job_services.work_center_create(
            user=anodizer, name=name, kind=kind, hours_per_day=Decimal("10")
        )
    customers = [
        customer_services.customer_create(user=anodizer, name=name, code=code)
        for name, code in (
            ("Demo Machine Works", "DMW"),
            ("Coastal Enclosures", "CEN"),
            ("Vector Drone Frames", "VDF"),
        )
    ]
    parts = [
        part_services.part_create(
            user=anodizer,
            number=number,
            customer=customers[index % len(customers)],
            description=description,
            material="6061-T6 aluminum",
        )
        for index, (number, description) in enumerate(
            [
                ("DMW-BRK-11", "Mounting bracket, black Type II"),
                ("CEN-400", "Enclosure lid, clear Type II"),
                ("VDF-ARM-7", "Motor arm, hardcoat Type III"),
                ("DMW-HSG-3", "Pump housing, clear Type II"),
            ]
        )
    ]
    for part in parts:
        first = part.revisions.get()
        _give_files(anodizer, part, first, bore="12.00", program=False)
        part_services.revision_release(user=anodizer, revision=first)
        part.refresh_from_db()
    wc = demo.work_centers
    for index, (stage, finished) in enumerate(
        [
            (JobStage.PLANNED, 0),
            (JobStage.RELEASED, 0),
            (JobStage.IN_PRODUCTION, 1),
            (JobStage.IN_PRODUCTION, 2),
            (JobStage.SHIPPED, 4),
            (JobStage.CLOSED, 4),
        ]
    ):
        part = parts[index % len(parts)]
        line = wc["Type III hardcoat"] if "Type III" in part.description else wc["Type II line"]
        routing = [
            {"work_center": wc["Racking"], "name": "Rack parts", **_minutes("10", "0.50")},
            {"work_center": line, "name": f"Anodize ({line.name})", **_minutes("45", "0.25")},
            {
                "work_center": wc["Inspection"],
                "name": "Inspect coating & thickness",
                **_minutes("15", "0.25"),
            },
            {
                "work_center": wc["Shipping"],
                "name": "Unrack, pack & ship",
                **_minutes("10", "0.25"),
            },
        ]
        story = _JobStory(demo, floor_user=anodizer)
        story.create(
            user=anodizer,
            customer=part.customer,
            part=part,
            quantity=rng.choice([24, 50, 120, 300]),
            due_date=today + datetime.timedelta(days=(-2 if index == 3 else 4 + index)),
            customer_po=f"AN-{5100 + index}",
            operations=routing,
            material_status=_material_status(stage, index),
        )
        if stage != JobStage.PLANNED:
            story.release(anodizer)
        for sequence in range(1, finished + 1):
            story.run_operation(sequence)
        if stage == JobStage.IN_PRODUCTION:
            story.start_this_shift(finished + 1)
        if stage in (JobStage.SHIPPED, JobStage.CLOSED):
            story.ship(anodizer)
        if stage == JobStage.CLOSED:
            story.close(anodizer)
        created = now - datetime.timedelta(days=rng.uniform(3, 20))
        story.run(created, now - datetime.timedelta(hours=rng.uniform(1, 30)))
    return shop


# The other demo shop, as the machine shop's anodizer: its outside work is sent there.
ANODIZING_VENDOR = "Demo Anodizing Co"


def _routing_with_anodize(demo: _DemoShop, quantity: int) -> list[dict[str, Any]]:
    """Saw, mill, deburr, anodize outside at the anodizer, final inspection."""
    wc = demo.work_centers
    return [
        {"work_center": wc["Saw"], "name": "Saw cut blanks", **_minutes("10", "1.5")},
        {
            "work_center": wc["CNC Mill"],
            "name": "Mill complete",
            "instructions": "Mask-free surfaces: no marking stamps, the anodize shows them.",
            **_minutes("75", "9"),
        },
        {"work_center": wc["Deburr"], "name": "Deburr & break edges", **_minutes("0", "2")},
        {
            "outside_vendor": ANODIZING_VENDOR,
            "name": "Anodize Type II, black",
            "instructions": "MIL-A-8625 Type II Class 2, black. Certificate back with the parts.",
            # The anodizer's turnaround, about two days, as setup at a standard day.
            **_minutes("960", "0"),
        },
        {
            "work_center": wc["Inspection"],
            "name": "Final inspection",
            "instructions": "Check the finish and the thread gauges after anodize.",
            **_minutes("15", "1.5"),
        },
    ]


def _working_time(routing: list[dict[str, Any]], quantity: int) -> datetime.timedelta:
    """About how long, nights and weekends included, the floor takes to run these operations
    at up to 150 % of their estimates, in ten-hour days."""
    days = 0.0
    for spec in routing:
        minutes = float(spec["setup_minutes"] + spec["run_minutes"] * quantity) * 1.5
        days += 1 + minutes // 600
    return datetime.timedelta(days=days * 7 / 5)


def _minutes(setup: str, run: str) -> dict[str, Decimal]:
    return {"setup_minutes": Decimal(setup), "run_minutes": Decimal(run)}


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(username, Role(role).label, "Demo Machine Works", does)
        for username, _first, _last, role, does in PEOPLE
    ] + [
        DemoLogin(username, Role(role).label, "Demo Anodizing Co", does)
        for username, _first, _last, role, does in ANODIZING_PEOPLE
    ]


def demo_load(progress: Callable[[str], None] | None = None) -> DemoSummary | None:
    """Create the demo shops. Does nothing (answers None) when any shop exists already.
    `progress` is told each step as it begins (it takes most of a minute)."""
    if Shop.objects.exists():
        return None
    rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
    # One hash for every demo login: hashing "demo" seven times would cost seconds.
    password_hash = make_password(DEMO_PASSWORD)
    now = timezone.now()
    with transaction.atomic(), _simulated_clock() as clock:
        machine_shop = _build_machine_shop(clock, rng, password_hash, now, progress)
        if progress is not None:
            progress(f"Demo Anodizing Co: {len(ANODIZING_PEOPLE)} person, 6 jobs")
        anodizing_shop = _build_anodizing_shop(clock, rng, password_hash, now)
        clock.at = None
    return DemoSummary(
        shops=[machine_shop, anodizing_shop],
        jobs=Job.objects.filter(shop=machine_shop).count(),
        logins=demo_logins(),
    )
