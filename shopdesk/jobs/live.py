"""What the live job page says about a job, derived from its facts: ages, estimates, late risk
and the next customer update. Pure functions over objects already loaded: no queries."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.utils import timezone

from shopdesk.jobs.models import Blocker, Job, JobStage, Operation, OperationStatus
from shopdesk.parts.models import Part, PartRevision, RevisionStatus

# A part description reads as a noun ("Pump housing") when it is a few plain words; anything
# else ("Bracket, 6061-T6 per DWG 44-A") is named by its part number instead.
PLAIN_NOUN = re.compile(r"^[A-Za-z][A-Za-z \-]{0,39}$")
HOURS_PER_DAY_FALLBACK = Decimal("8")


def short_age(delta: datetime.timedelta) -> str:
    """'12 min', '3 h', '2 d': how long a blocker has held a job, at a glance."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def minutes_label(minutes: Decimal | int) -> str:
    """'45 min', '3 h 20 min': estimates in the unit a planner thinks in."""
    total = int(Decimal(minutes).to_integral_value())
    if total < 60:
        return f"{total} min"
    hours, rest = divmod(total, 60)
    if hours >= 10 or not rest:
        # Past ten hours the minutes are noise in an estimate.
        return f"{round(total / 60)} h"
    return f"{hours} h {rest} min"


def short_date(day: datetime.date, today: datetime.date | None = None) -> str:
    """'Dec 5', or 'Dec 5, 2026' when not this year."""
    today = today or timezone.localdate()
    label = f"{day:%b} {day.day}"
    return label if day.year == today.year else f"{label}, {day.year}"


def days_late(job: Job, today: datetime.date) -> int:
    """Whole days past the due date for an open job; 0 when not late."""
    if job.is_late(today):
        return (today - job.due_date).days
    return 0


def part_noun(part: Part, quantity: int | None) -> str:
    """'pump housings' for a part described as 'Pump housing'; 'pcs of NP-220' otherwise."""
    base = (part.description or "").split(",")[0].strip()
    if not PLAIN_NOUN.match(base) or len(base.split()) > 4:
        return f"pcs of {part.number}"
    # Keep acronyms ("CNC bracket") as written; lower-case an ordinary first word.
    noun = base if base[:2].isupper() else base[0].lower() + base[1:]
    if quantity == 1:
        return noun
    if re.search(r"(s|x|z|ch|sh)$", noun):
        return noun + "es"
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + "s"


Minutes = TypeVar("Minutes", Decimal, float)


def operation_minutes(
    quantity: int | None, status: str, setup: Minutes, run: Minutes, good: int, scrap: int
) -> Minutes:
    """Minutes still to do on one operation: the setup unless it has started, and the run time
    for the parts not yet reported. Decimal minutes give Decimal; floats (a long dispatch list
    read without converters) give a float. Every estimate of work left counts by this rule;
    a finished operation has none, and callers leave it out."""
    left = max((quantity or 0) - good - scrap, 0)
    return (setup if status == OperationStatus.PENDING else 0) + run * left


def _minutes_of(job: Job, op: Operation) -> Decimal:
    return operation_minutes(
        job.quantity, op.status, op.setup_minutes, op.run_minutes, op.qty_good, op.qty_scrap
    )


def remaining_minutes(job: Job, routing: Sequence[Operation]) -> Decimal:
    """Estimated setup and run minutes still to do, counting parts already reported."""
    return sum(
        (_minutes_of(job, op) for op in routing if op.status != OperationStatus.DONE),
        Decimal("0"),
    )


def _hours_per_day(op: Operation) -> Decimal:
    # An outside operation's minutes (the time the planner expects it to take at the
    # supplier) count at a standard day: the supplier's hours are not the shop's to know.
    if op.work_center is None:
        return HOURS_PER_DAY_FALLBACK
    return op.work_center.hours_per_day or HOURS_PER_DAY_FALLBACK


def working_days_needed(job: Job, routing: Sequence[Operation]) -> Decimal:
    """Days of work left, each operation at its own work center's hours per day."""
    return sum(
        (
            _minutes_of(job, op) / (_hours_per_day(op) * 60)
            for op in routing
            if op.status != OperationStatus.DONE
        ),
        Decimal("0"),
    )


def working_days_until(today: datetime.date, due: datetime.date) -> int:
    """Weekdays from today up to the day before the due date (parts ship on the due date)."""
    if due <= today:
        return 0
    days = (due - today).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (today + datetime.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def at_risk(job: Job, routing: Sequence[Operation], today: datetime.date) -> bool:
    """Open, not yet late, and the work left does not fit in the working days before due:
    a critical ratio below 1 even if every operation ran back to back."""
    if not job.is_open or job.due_date is None or job.is_late(today):
        return False
    return working_days_needed(job, routing) > working_days_until(today, job.due_date)


def _reference(job: Job) -> str:
    po = job.customer_po.strip()
    if not po:
        return job.display_number
    return f"{job.display_number} ({po if po.upper().startswith('PO') else 'PO ' + po})"


def _place(op: Operation) -> str:
    """Where an operation runs, in a customer's words: the work center or the supplier."""
    return op.outside_vendor if op.is_outside else op.work_center.name


def _holds(open_blockers: Sequence[Blocker], now: datetime.datetime) -> str:
    if not open_blockers:
        return ""
    oldest = min(open_blockers, key=lambda blocker: blocker.raised_at)
    note = " ".join(oldest.note.split()).rstrip(".;:, ")
    if len(note) > 80:
        note = note[:79].rstrip() + "…"
    text = f"Held: {oldest.get_kind_display().lower()} — {note}"
    held_for = now - oldest.raised_at
    if held_for >= datetime.timedelta(hours=1):
        # "(0 min)" tells a customer nothing; an age matters once it is hours or days.
        text += f" ({short_age(held_for)})"
    others = len(open_blockers) - 1
    if others:
        text += f", and {others} more hold{'s' if others > 1 else ''}"
    return text + "."


def _due(
    job: Job,
    routing: Sequence[Operation],
    today: datetime.date,
    held: bool,
) -> str:
    if job.due_date is None:
        return "No due date set yet."
    due = short_date(job.due_date, today)
    late = days_late(job, today)
    if late:
        return f"Due {due}, {late} day{'s' if late != 1 else ''} late."
    if held:
        return f"Due {due}."
    if at_risk(job, routing, today):
        return f"At risk for {due}."
    return f"On track for {due}."


def next_customer_update(
    job: Job,
    *,
    routing: Sequence[Operation],
    open_blockers: Sequence[Blocker],
    shipped_at: datetime.datetime | None = None,
    closed_at: datetime.datetime | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> str:
    """One sentence the office can send the customer, from the job's facts as they are now.

    e.g. "J-1001 (PO-4471) — 60 of 100 pump housings finished at Saw; now at CNC Mill.
    On track for Dec 5."
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    quantity = job.quantity
    noun = part_noun(job.part, quantity)
    of_quantity = f"{quantity:,}" if quantity else "the"
    done = [op for op in routing if op.status == OperationStatus.DONE]
    current = next((op for op in routing if op.pk == job.current_operation_id), None)
    if current is None:
        current = next((op for op in routing if op.status != OperationStatus.DONE), None)
    last_good = done[-1].qty_good if done else 0

    if job.stage == JobStage.SHIPPED:
        when = f" {short_date(timezone.localdate(shipped_at), today)}" if shipped_at else ""
        count = f"{job.quantity_shipped or last_good:,}" if last_good else of_quantity
        return f"{_reference(job)} — {count} {noun} shipped{when}."
    if job.stage == JobStage.CLOSED:
        when = f" {short_date(timezone.localdate(closed_at), today)}" if closed_at else ""
        return f"{_reference(job)} — order closed{when}."

    if job.stage == JobStage.PLANNED:
        body = f"{of_quantity} {noun} scheduled; not yet released to the floor."
    elif job.stage == JobStage.COMPLETE:
        scrap = sum(op.qty_scrap for op in routing)
        body = f"all operations done: {last_good:,} of {of_quantity} {noun} good"
        body += f" ({scrap:,} scrapped)" if scrap else ""
        if job.quantity_shipped:
            body += (
                f"; {job.quantity_shipped:,} shipped, {last_good - job.quantity_shipped:,} to ship."
            )
        else:
            body += "; ready to ship."
    else:
        where = _place(current) if current is not None else ""
        if done:
            body = f"{last_good:,} of {of_quantity} {noun} finished at {_place(done[-1])}"
        elif job.stage == JobStage.RELEASED:
            body = f"{of_quantity} {noun} released to the floor"
        else:
            body = f"{of_quantity} {noun} in production"
        if current is not None:
            if current.status == OperationStatus.AT_SUPPLIER:
                body += f"; now out at {where}: {current.name}"
            elif current.is_outside:
                body += f"; next out to {where}: {current.name}"
            elif current.status == OperationStatus.RUNNING:
                body += f"; now running at {where}"
            elif current.status == OperationStatus.PAUSED:
                body += f"; paused at {where}"
            elif job.stage == JobStage.RELEASED and not done:
                body += f"; first up at {where}"
            else:
                body += f"; now at {where}"
        body += "."
    holds = _holds(open_blockers, now)
    parts = [f"{_reference(job)} — {body}"]
    if holds:
        parts.append(holds)
    parts.append(_due(job, routing, today, held=bool(holds)))
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# Released files and the job's revision


@dataclass(frozen=True)
class RevisionState:
    """What the pages say about the revision a job is made to."""

    code: str
    status: str
    superseded: bool
    draft: bool
    released: PartRevision | None  # the part's released revision, when there is one

    @property
    def behind(self) -> bool:
        """The job is on an older revision than the released one."""
        return self.superseded and self.released is not None


def revision_state(job: Job, released: PartRevision | None) -> RevisionState:
    revision = job.part_revision
    status = revision.status if revision is not None else ""
    return RevisionState(
        code=job.revision,
        status=status,
        superseded=status == RevisionStatus.SUPERSEDED,
        draft=status == RevisionStatus.DRAFT,
        released=released,
    )


def person(user: object) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.username
