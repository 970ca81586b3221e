"""Floor actions: start, pause, finish and note an operation, idempotent by client id.

Start, pause and finish also open and close the acting operator's labor entries
(services.labor): start opens one (a second operator starting a running operation joins it),
pause closes the operator's own, finish closes everyone's on the operation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Event, Shop
from shopdesk.core.permissions import membership_of
from shopdesk.core.services import event_append
from shopdesk.floor.services import labor
from shopdesk.jobs.derive import available_at, job_refresh_derived
from shopdesk.jobs.models import (
    FloorAction,
    FloorActionKind,
    Job,
    JobState,
    LaborEndReason,
    Operation,
    OperationStatus,
    operation_is_ready,
)
from shopdesk.lib.client_ids import CLIENT_ID_PATTERN
from shopdesk.lib.db import for_update
from shopdesk.lib.pubsub import Topic

FLOOR_EVENT_KINDS = {
    FloorActionKind.START: EventKind.OPERATION_START,
    FloorActionKind.PAUSE: EventKind.OPERATION_PAUSE,
    FloorActionKind.FINISH: EventKind.OPERATION_FINISH,
    FloorActionKind.NOTE: EventKind.OPERATION_NOTE,
}


@dataclass(frozen=True)
class OperationFinished:
    """An operation was just finished on the floor.

    `operation` is saved as done (status, quantities, who and when), `job` is locked and its
    derived fields refreshed, `action` is the floor action recorded and `event` the
    "operation.finish" event appended. Subscribers run in that same transaction: raising
    (an ActionRefused, say "the first-article inspection is not recorded") undoes the finish.
    """

    user: AbstractBaseUser
    shop: Shop
    job: Job
    operation: Operation
    action: FloorAction
    event: Event


# Quality (required inspections) and suppliers (start the next outside operation) subscribe
# here from their AppConfig.ready().
operation_finished: Topic[OperationFinished] = Topic("operation.finished")


@dataclass(frozen=True)
class FloorResult:
    operation: Operation
    action: FloorAction
    replayed: bool


def _fingerprint(operation_id: int, action: str, qty_good: int, qty_scrap: int, note: str) -> str:
    payload = json.dumps([operation_id, action, qty_good, qty_scrap, note])
    return hashlib.sha256(payload.encode()).hexdigest()


def labor_person(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def _refuse_unless_ready(
    job: Job, operation: Operation, ordered: list[Operation], label: str
) -> None:
    """New work starts only on a ready operation (jobs.models.operation_is_ready, the rule the
    dispatch lists and the kiosk show), said with what it waits for."""
    waiting = next(
        (op for op in ordered if op.sequence < operation.sequence and op.holds_later_operations),
        None,
    )
    if operation_is_ready(
        status=operation.status,
        open_blockers=job.open_blocker_count,
        earlier_pending=waiting is not None,
    ):
        return
    if waiting is not None and waiting.is_outside:
        raise ActionRefused(
            f"{label} is not ready: op {waiting.sequence} {waiting.name} is at "
            f"{waiting.outside_vendor} and not received back yet."
        )
    if waiting is not None:
        raise ActionRefused(
            f"{label} is not ready: op {waiting.sequence} {waiting.name} has not been started."
        )
    raise ActionRefused(
        f"{label} is not ready: {job} has an open blocker. Resolve it before starting work."
    )


def floor_action(
    *,
    user: AbstractBaseUser,
    operation: Operation,
    action: str,
    client_id: str,
    qty_good: int = 0,
    qty_scrap: int = 0,
    note: str = "",
    job_number: int | None = None,
) -> FloorResult:
    """Apply one floor action once. A replay of the same client id answers the first result;
    a replay with a different payload is refused.

    A scan names the operation by its job's number and its id: with `job_number`, `operation`
    may be a bare reference (`Operation(pk=...)`), looked up on the acting user's shop's job
    of that number inside the transaction; Operation.DoesNotExist when it is not on it.
    """
    shop = membership_of(user).shop
    if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.match(client_id):
        raise InvalidInput(
            "client_id must be 8 to 64 letters, digits or - _ . :", field="client_id"
        )
    if action not in FloorActionKind.values:
        raise InvalidInput("Action must be start, pause, finish or note.", field="action")
    for field, value in (("qty_good", qty_good), ("qty_scrap", qty_scrap)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput("Quantities are whole numbers, 0 or more.", field=field)
        if value > 10_000_000:
            raise InvalidInput("That quantity is more than any job holds.", field=field)
    note = (note or "").strip()
    if "\x00" in note:
        # PostgreSQL cannot store NUL characters; no person types one.
        raise InvalidInput("The note contains a NUL character.", field="note")
    if len(note) > 2000:
        raise InvalidInput("A note is at most 2000 characters.", field="note")
    if action == FloorActionKind.NOTE and not note:
        raise InvalidInput("Write the note.", field="note")
    if action != FloorActionKind.FINISH and (qty_good or qty_scrap):
        raise InvalidInput("Quantities are reported when finishing.", field="qty_good")

    fingerprint = _fingerprint(operation.pk, action, qty_good, qty_scrap, note)
    try:
        return _apply(
            user=user,
            shop=shop,
            operation=operation,
            action=action,
            client_id=client_id,
            qty_good=qty_good,
            qty_scrap=qty_scrap,
            note=note,
            fingerprint=fingerprint,
            job_number=job_number,
        )
    except IntegrityError:
        # The client id was used already (a retry, or a concurrent request with it that won
        # the race): answer that first result.
        existing = FloorAction.objects.filter(shop_id=shop.id, client_id=client_id).first()
        if existing is None:
            raise
        return _replay(existing, fingerprint)


def _replay(existing: FloorAction, fingerprint: str) -> FloorResult:
    if existing.fingerprint != fingerprint:
        raise ActionRefused(
            "This client id was already used for a different action; nothing was changed.",
            field="client_id",
        )
    operation = Operation.objects.select_related("job", "work_center").get(pk=existing.operation_id)
    return FloorResult(operation=operation, action=existing, replayed=True)


@transaction.atomic
def _apply(
    *,
    user: AbstractBaseUser,
    shop: Shop,
    operation: Operation,
    action: str,
    client_id: str,
    qty_good: int,
    qty_scrap: int,
    note: str,
    fingerprint: str,
    job_number: int | None,
) -> FloorResult:
    # Locking the job serialises every floor action on it, replays included.
    shop_id = shop.id
    if job_number is None:
        job = for_update(Job.objects).get(pk=operation.job_id, shop_id=shop_id)
    else:
        try:
            job = for_update(Job.objects).get(shop_id=shop_id, number=job_number)
        except Job.DoesNotExist as exc:
            raise Operation.DoesNotExist("No such job.") from exc
    ordered = list(job.operations.select_related("work_center").order_by("sequence", "id"))
    target = next((op for op in ordered if op.pk == operation.pk), None)
    if target is None:
        raise Operation.DoesNotExist(f"That operation is not on {job}.")
    operation = target
    for op in ordered:
        op.job = job  # the job read under the lock, without another query
    # Claim the client id first: a replay (the same client id again) fails here on the unique
    # constraint, the transaction rolls back and floor_action answers the first result.
    record = FloorAction.objects.create(
        shop_id=shop_id,
        client_id=client_id,
        user=user,
        operation_id=operation.pk,
        action=action,
        qty_good=qty_good,
        qty_scrap=qty_scrap,
        note=note,
        fingerprint=fingerprint,
    )
    record.operation = operation
    if job.state != JobState.RELEASED:
        raise ActionRefused(
            f"{job} is {job.get_state_display().lower()}; floor work needs a released job."
        )
    if job.quantity_shipped:
        raise ActionRefused(f"{job} has shipped parts; its floor work is over.")
    now = timezone.now()
    before = {
        "status": operation.status,
        "qty_good": operation.qty_good,
        "qty_scrap": operation.qty_scrap,
    }
    label = f"Op {operation.sequence} {operation.name}"
    if operation.is_outside and action != FloorActionKind.NOTE:
        # Outside work is not run at a work center: the office records it as sent out and
        # received back (services.outside).
        where = (
            "is at" if operation.status == OperationStatus.AT_SUPPLIER else "is done outside, at"
        )
        raise ActionRefused(
            f"{label} {where} {operation.outside_vendor}; it is not started at a work center. "
            "The office marks it sent out and received back."
        )

    if action == FloorActionKind.START:
        if operation.status == OperationStatus.DONE:
            raise ActionRefused(f"{label} is already finished.")
        if operation.status == OperationStatus.RUNNING:
            # Running already: a second operator joins it with their own labor entry.
            entry = labor.labor_open(user=user, operation=operation, job=job, at=now)
            if entry is None:
                raise ActionRefused(f"{label} is already running and you are on it.")
            summary = f"{labor_person(user)} joined {label}"
        else:
            if operation.status == OperationStatus.PENDING:
                _refuse_unless_ready(job, operation, ordered, label)
            summary = (
                f"{label} {'resumed' if operation.status == OperationStatus.PAUSED else 'started'}"
            )
            operation.status = OperationStatus.RUNNING
            if operation.started_at is None:
                operation.started_at = now
                operation.started_by = user
            labor.labor_open(user=user, operation=operation, job=job, at=now, anyone_on_it=False)
    elif action == FloorActionKind.PAUSE:
        if operation.status != OperationStatus.RUNNING:
            raise ActionRefused(f"{label} is not running, so it cannot be paused.")
        # The operator pauses their own time; the operation pauses when nobody is left on it.
        # Someone not on it (a supervisor) pauses it for everyone.
        _, still_on = labor.labor_pause(
            user=user,
            operation=operation,
            at=now,
            for_everyone_allowed=membership_of(user).can_supervise,
        )
        if still_on:
            names = ", ".join(labor_person(person) for person in still_on)
            summary = f"{labor_person(user)} paused on {label}; still on it: {names}"
        else:
            operation.status = OperationStatus.PAUSED
            summary = f"{label} paused"
    elif action == FloorActionKind.FINISH:
        if operation.status == OperationStatus.DONE:
            raise ActionRefused(f"{label} is already finished.")
        if operation.status == OperationStatus.PENDING:
            raise ActionRefused(f"{label} has not been started; start it first.")
        available = available_at(job, operation, ordered)
        if qty_good + qty_scrap > available:
            raise ActionRefused(
                f"{qty_good} good + {qty_scrap} scrap is more than the {available} parts "
                f"at {label}.",
                field="qty_good",
            )
        if qty_good + qty_scrap == 0:
            raise InvalidInput(
                "Report how many parts were good (and scrap, if any).", field="qty_good"
            )
        operation.status = OperationStatus.DONE
        operation.qty_good = qty_good
        operation.qty_scrap = qty_scrap
        operation.finished_at = now
        operation.finished_by = user
        labor.labor_close(operation=operation, at=now, reason=LaborEndReason.FINISH)
        summary = f"{label} finished: {qty_good} good, {qty_scrap} scrap"
    else:
        summary = f"Note on {label}"

    if note and action != FloorActionKind.NOTE:
        summary += f" — {note}"
    elif action == FloorActionKind.NOTE:
        summary += f": {note}"
    operation.save(
        update_fields=[
            "status",
            "qty_good",
            "qty_scrap",
            "started_at",
            "started_by",
            "finished_at",
            "finished_by",
        ]
    )
    job.updated_at = now
    job_refresh_derived(job, operations=ordered, count_blockers=False)
    event = event_append(
        shop=shop,
        actor=user,
        kind=FLOOR_EVENT_KINDS[action],
        subject=operation,
        job=job,
        summary=summary,
        before=before,
        after={
            "status": operation.status,
            "qty_good": operation.qty_good,
            "qty_scrap": operation.qty_scrap,
            "note": note,
            "client_id": client_id,
        },
    )
    if action == FloorActionKind.FINISH:
        operation_finished.publish(
            OperationFinished(
                user=user, shop=shop, job=job, operation=operation, action=record, event=event
            )
        )
    return FloorResult(operation=operation, action=record, replayed=False)


# --- The floor's buttons ----------------------------------------------------------------------
# Which actions an operation offers on the floor page, by its status: the rules above, worded
# for the viewer. Computed here once; the page renders them and hands the whole table to
# floor.js, which redraws an operation's buttons from it while an action waits offline.
ACTIONS_BY_STATUS = {
    OperationStatus.PENDING: ["start"],
    OperationStatus.RUNNING: ["pause", "finish"],
    OperationStatus.PAUSED: ["start", "finish"],
    OperationStatus.DONE: [],
}


def floor_buttons(status: str, *, mine: bool, pause_for_everyone: bool) -> list[str]:
    """The buttons of an operation, in page order. On a running operation someone on it
    (`mine`) pauses their own time; someone not on it joins it ("join" posts a start), and a
    supervisor or owner may pause it for everyone ("pause_all" posts a pause)."""
    if status == OperationStatus.RUNNING and not mine:
        return ["join", "finish", "pause_all"] if pause_for_everyone else ["join", "finish"]
    return list(ACTIONS_BY_STATUS.get(status, []))


def floor_button_table(*, pause_for_everyone: bool) -> dict[str, dict[str, list[str]]]:
    """floor_buttons for every status, for a viewer on the operation ("mine") and one not on
    it ("others"): what floor.js draws from."""
    return {
        status: {
            "mine": floor_buttons(status, mine=True, pause_for_everyone=pause_for_everyone),
            "others": floor_buttons(status, mine=False, pause_for_everyone=pause_for_everyone),
        }
        for status in OperationStatus.values
    }
