"""Outside work: an operation done at a supplier instead of at one of the shop's work centers.

It is stored without a work center, never appears on a dispatch list, shows on the live page
and the board as outside work, cannot be started on the floor, and is sent out and received
back by the office so the routing completes."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.models import Event
from shopdesk.dispatch import selectors as dispatch
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services
from shopdesk.jobs.models import Job, JobStage, Operation, OperationStatus

VENDOR = "Bright Anodize Inc"


@pytest.fixture
def outside_job(supervisor, customer, part, work_centers):
    """J-1001: 100 pump housings — Saw, Anodize at Bright Anodize Inc (outside), Inspection."""
    saw, _mill, inspection = work_centers
    job = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        material_status="from_stock",
        quantity=100,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        operations=[
            {"work_center": saw, "name": "Saw", "setup_minutes": 30, "run_minutes": 2},
            {"outside_vendor": VENDOR, "name": "Anodize", "run_minutes": 6},
            {"work_center": inspection, "name": "Inspect", "run_minutes": 1},
        ],
    )
    return services.job_release(user=supervisor, job=job)


def _ops(job: Job) -> list[Operation]:
    return list(job.operations.select_related("work_center").order_by("sequence"))


def _floor(user, operation, action, **fields):
    return floor_services.floor_action(
        user=user, operation=operation, action=action, client_id=uuid.uuid4().hex, **fields
    )


def _saw_done(operator, job, good=98, scrap=2):
    saw = _ops(job)[0]
    _floor(operator, saw, "start")
    _floor(operator, saw, "finish", qty_good=good, qty_scrap=scrap)


# --- Stored ----------------------------------------------------------------------------------


def test_an_outside_operation_is_stored_with_its_supplier_and_no_work_center(outside_job):
    anodize = _ops(outside_job)[1]
    assert anodize.work_center is None
    assert anodize.outside_vendor == VENDOR
    assert anodize.is_outside
    assert anodize.where == f"{VENDOR} (outside)"


@pytest.mark.parametrize(
    "change",
    [
        {"outside_vendor": VENDOR},  # a work center and a supplier
        {"work_center": None, "outside_vendor": ""},  # neither
    ],
)
def test_the_database_refuses_anything_but_exactly_one_place(outside_job, change):
    saw = _ops(outside_job)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Operation.objects.filter(pk=saw.pk).update(**change)


def test_the_database_refuses_at_supplier_for_shop_work(outside_job):
    saw = _ops(outside_job)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Operation.objects.filter(pk=saw.pk).update(status=OperationStatus.AT_SUPPLIER)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"name": "Plate"}, "work_center"),
        ({"name": "Plate", "outside_vendor": "x" * 121}, "outside_vendor"),
        ({"name": "Plate", "outside_vendor": "   "}, "work_center"),
    ],
)
def test_the_routing_service_wants_a_work_center_or_a_supplier(
    supervisor, outside_job, spec, field
):
    before = outside_job.operations.count()
    with pytest.raises(InvalidInput) as refused:
        services.operation_add(user=supervisor, job=outside_job, **spec)
    assert refused.value.errors[0]["field"] == field
    assert outside_job.operations.count() == before


def test_both_a_work_center_and_a_supplier_is_refused(supervisor, outside_job, work_centers):
    with pytest.raises(InvalidInput, match="not both"):
        services.operation_add(
            user=supervisor, job=outside_job, work_center=work_centers[0], outside_vendor=VENDOR
        )


# --- Sent out, received back, and what derives from it ---------------------------------------


def test_sent_out_and_received_back_complete_the_routing(supervisor, operator, outside_job):
    _saw_done(operator, outside_job)
    outside_job.refresh_from_db()
    _saw, anodize, inspect = _ops(outside_job)
    # Next up is outside: the job is in production with no work center.
    assert outside_job.current_operation_id == anodize.pk
    assert outside_job.current_work_center_id is None
    assert outside_job.stage == JobStage.IN_PRODUCTION

    services.operation_send_out(user=supervisor, operation=anodize, note="Box of 98")
    anodize.refresh_from_db()
    assert anodize.status == OperationStatus.AT_SUPPLIER
    assert anodize.get_status_display() == "At supplier"
    sent = Event.objects.get(kind="operation.sent_out")
    assert sent.after == {
        "status": "at_supplier",
        "vendor": VENDOR,
        "quantity": 98,
        "note": "Box of 98",
    }
    assert "98 parts sent to Bright Anodize Inc" in sent.summary

    services.operation_receive(user=supervisor, operation=anodize, qty_good=97, qty_scrap=1)
    anodize.refresh_from_db()
    outside_job.refresh_from_db()
    assert (anodize.status, anodize.qty_good, anodize.qty_scrap) == ("done", 97, 1)
    assert Event.objects.get(kind="operation.received").after["qty_good"] == 97
    assert outside_job.current_operation_id == inspect.pk
    assert outside_job.operations_done == 2

    _floor(operator, inspect, "start")
    _floor(operator, inspect, "finish", qty_good=97)
    outside_job.refresh_from_db()
    assert outside_job.stage == JobStage.COMPLETE


def test_work_left_counts_the_outside_minutes_at_a_standard_day(operator, outside_job):
    _saw_done(operator, outside_job)
    outside_job.refresh_from_db()
    # Anodize 100 parts x 6 min at a standard 8 h day (the supplier's hours are not the shop's),
    # and Inspection 100 x 1 min at its work center's 8 h.
    assert outside_job.work_days_left == pytest.approx((600 + 100) / (8 * 60), rel=1e-3)
    assert outside_job.current_minutes_left == pytest.approx(600)


def test_send_out_refused_until_the_earlier_operations_are_done(supervisor, outside_job):
    anodize = _ops(outside_job)[1]
    with pytest.raises(ActionRefused, match="op 1 Saw is not done"):
        services.operation_send_out(user=supervisor, operation=anodize)
    anodize.refresh_from_db()
    assert anodize.status == OperationStatus.PENDING


def test_receive_refused_before_sent_out_and_beyond_what_was_sent(
    supervisor, operator, outside_job
):
    _saw_done(operator, outside_job)
    anodize = _ops(outside_job)[1]
    with pytest.raises(ActionRefused, match="has not been sent out"):
        services.operation_receive(user=supervisor, operation=anodize, qty_good=98)
    services.operation_send_out(user=supervisor, operation=anodize)
    with pytest.raises(InvalidInput, match="more than the 98 parts sent out"):
        services.operation_receive(user=supervisor, operation=anodize, qty_good=98, qty_scrap=1)
    with pytest.raises(InvalidInput):
        services.operation_receive(user=supervisor, operation=anodize, qty_good=0)
    anodize.refresh_from_db()
    assert anodize.status == OperationStatus.AT_SUPPLIER
    assert not Event.objects.filter(kind="operation.received").exists()


def test_shop_work_is_not_sent_out(supervisor, outside_job):
    saw = _ops(outside_job)[0]
    with pytest.raises(ActionRefused, match="started and finished on the floor"):
        services.operation_send_out(user=supervisor, operation=saw)


def test_an_operator_cannot_send_out_or_receive(operator, outside_job):
    _saw_done(operator, outside_job)
    anodize = _ops(outside_job)[1]
    with pytest.raises(PermissionRefused):
        services.operation_send_out(user=operator, operation=anodize)
    anodize.refresh_from_db()
    assert anodize.status == OperationStatus.PENDING


# --- Dispatch and the board ------------------------------------------------------------------


def test_an_outside_operation_is_on_no_dispatch_list(
    supervisor, operator, shop, outside_job, work_centers
):
    _saw_done(operator, outside_job)
    anodize = _ops(outside_job)[1]
    for stage in ("pending", "at_supplier"):
        if stage == "at_supplier":
            services.operation_send_out(user=supervisor, operation=anodize)
        for center in work_centers:
            listing = dispatch.dispatch_list(shop, center)
            listed = [row.operation.pk for row in listing.ready + listing.upcoming]
            assert anodize.pk not in listed
        # Inspection waits for the parts to come back: upcoming, not ready, no queue hours.
        inspection = dispatch.dispatch_list(shop, work_centers[2])
        assert inspection.ready == []
        assert inspection.queue_minutes == 0


def test_dispatch_names_the_supplier_as_the_next_step(shop, outside_job, work_centers):
    saw_list = dispatch.dispatch_list(shop, work_centers[0])
    row = saw_list.ready[0]
    assert row.next_operation.work_center is None
    assert row.next_operation.where == f"{VENDOR} (outside)"


def test_the_board_shows_outside_work(supervisor, supervisor_client, operator, shop, outside_job):
    _saw_done(operator, outside_job)
    anodize = _ops(outside_job)[1]
    board = dispatch.board(shop)
    assert [job.display_number for job in board.outside] == ["J-1001"]
    assert board.outside[0].stage_label == f"To send out to {VENDOR}"
    # It is at no work center, and adds no queue hours to any.
    assert all(not entry.jobs for entry in board.wip)
    assert all(entry.queue_minutes == 0 for entry in board.wip)

    services.operation_send_out(user=supervisor, operation=anodize)
    board = dispatch.board(shop)
    assert board.outside[0].stage_label == f"At {VENDOR} (outside)"
    html = supervisor_client.get(reverse("jobs:board")).content.decode()
    assert "Outside work" in html
    assert f"J-1001 · {VENDOR}" in html

    services.operation_receive(user=supervisor, operation=anodize, qty_good=98)
    board = dispatch.board(shop)
    assert board.outside == []
    # Received back today: among the finished work.
    assert [op.pk for op in board.finished_today][0] == anodize.pk


# --- The live page ---------------------------------------------------------------------------


def test_the_live_page_shows_outside_work_and_its_actions(
    supervisor, supervisor_client, operator, outside_job
):
    url = reverse("jobs:detail", args=["J-1001"])
    anodize = _ops(outside_job)[1]
    html = supervisor_client.get(url).content.decode()
    assert f"Outside · {VENDOR}" in html
    # Not its turn yet: no "Sent out" button.
    assert reverse("jobs:operation_send_out", args=["J-1001", anodize.pk]) not in html

    _saw_done(operator, outside_job)
    html = supervisor_client.get(url).content.decode()
    assert reverse("jobs:operation_send_out", args=["J-1001", anodize.pk]) in html
    assert f"next out to {VENDOR}: Anodize" in html
    assert f"To send out to {VENDOR}" in html

    response = supervisor_client.post(
        reverse("jobs:operation_send_out", args=["J-1001", anodize.pk])
    )
    assert response.status_code == 303
    html = supervisor_client.get(url).content.decode()
    assert "At supplier" in html
    assert f"now out at {VENDOR}: Anodize" in html
    assert f"At {VENDOR} (outside)</span>" in html
    assert "Received back" in html
    assert 'name="qty_good" inputmode="numeric" pattern="[0-9]*" size="5" value="98"' in html

    receive = reverse("jobs:operation_receive", args=["J-1001", anodize.pk])
    refused = supervisor_client.post(receive, {"qty_good": "ninety"})
    assert refused.status_code == 422
    assert "whole numbers" in refused.content.decode()
    response = supervisor_client.post(receive, {"qty_good": "96", "qty_scrap": "2"})
    assert response.status_code == 303
    anodize.refresh_from_db()
    assert (anodize.status, anodize.qty_good, anodize.qty_scrap) == ("done", 96, 2)


def test_an_operator_does_not_get_the_outside_actions(operator, operator_client, outside_job):
    _saw_done(operator, outside_job)
    anodize = _ops(outside_job)[1]
    url = reverse("jobs:operation_send_out", args=["J-1001", anodize.pk])
    assert url not in operator_client.get(reverse("jobs:detail", args=["J-1001"])).content.decode()
    assert operator_client.post(url).status_code == 403
    anodize.refresh_from_db()
    assert anodize.status == OperationStatus.PENDING


def test_another_shops_outside_actions_answer_404(outsider_client, outside_job):
    anodize = _ops(outside_job)[1]
    for name in ("operation_send_out", "operation_receive"):
        response = outsider_client.post(reverse(f"jobs:{name}", args=["J-1001", anodize.pk]))
        assert response.status_code == 404


# --- The floor -------------------------------------------------------------------------------


def test_the_floor_refuses_to_start_outside_work(operator, outside_job):
    _saw_done(operator, outside_job)
    anodize = _ops(outside_job)[1]
    with pytest.raises(ActionRefused) as refused:
        _floor(operator, anodize, "start")
    assert str(refused.value.message) == (
        f"Op 2 Anodize is done outside, at {VENDOR}; it is not started at a work center. "
        "The office marks it sent out and received back."
    )
    anodize.refresh_from_db()
    assert anodize.status == OperationStatus.PENDING


def test_nothing_after_outside_work_starts_until_it_is_back(supervisor, operator, outside_job):
    _saw_done(operator, outside_job)
    _saw, anodize, inspect = _ops(outside_job)
    services.operation_send_out(user=supervisor, operation=anodize)
    with pytest.raises(ActionRefused, match=f"is at {VENDOR} and not received back yet"):
        _floor(operator, inspect, "start")
    with pytest.raises(ActionRefused, match=f"Op 2 Anodize is at {VENDOR}"):
        _floor(operator, anodize, "finish", qty_good=98)


def test_the_floor_page_shows_outside_work_without_buttons(
    supervisor, operator, operator_client, outside_job
):
    _saw_done(operator, outside_job)
    anodize = _ops(outside_job)[1]
    services.operation_send_out(user=supervisor, operation=anodize)
    html = operator_client.get(reverse("jobs:floor", args=["J-1001"])).content.decode()
    current = html[html.index('aria-label="Current operation"') : html.index("Other operations")]
    assert f"Outside · {VENDOR}" in current
    assert f"At {VENDOR} since" in current
    assert "Start op 2" not in current and "Finish op 2" not in current

    response = operator_client.post(
        reverse("jobs:floor_action", args=["J-1001"]),
        {"operation": anodize.pk, "action": "start", "client_id": uuid.uuid4().hex},
    )
    assert response.status_code == 409
    assert f"Op 2 Anodize is at {VENDOR}; it is not started at a work center" in (
        response.content.decode()
    )


# --- The routing editor ----------------------------------------------------------------------


def test_the_routing_editor_adds_outside_work(supervisor_client, planned_job):
    url = reverse("jobs:operation_add", args=["J-1001"])
    form = supervisor_client.get(reverse("jobs:edit", args=["J-1001"])).content.decode()
    assert "Outside (supplier)" in form

    refused = supervisor_client.post(url, {"work_center": "outside", "name": "Heat treat"})
    assert refused.status_code == 422
    assert "Name the supplier that does this operation." in refused.content.decode()

    response = supervisor_client.post(
        url, {"work_center": "outside", "outside_vendor": "Acme Heat", "name": "Heat treat"}
    )
    assert response.status_code in (200, 303)
    added = planned_job.operations.get(name="Heat treat")
    assert (added.work_center, added.outside_vendor) == (None, "Acme Heat")
    event = Event.objects.get(kind="operation.added", subject_id=added.pk)
    assert event.after["outside_vendor"] == "Acme Heat"
    assert "at Acme Heat (outside) added" in event.summary
    html = supervisor_client.get(reverse("jobs:edit", args=["J-1001"])).content.decode()
    assert "Outside · Acme Heat" in html


def test_the_routing_editor_moves_an_operation_outside_and_back(
    supervisor_client, planned_job, work_centers
):
    mill = planned_job.operations.get(sequence=2)
    url = reverse("jobs:operation_edit", args=["J-1001", mill.pk])
    supervisor_client.post(
        url, {"work_center": "outside", "outside_vendor": "Mill Co", "name": "Mill"}
    )
    mill.refresh_from_db()
    assert (mill.work_center, mill.outside_vendor) == (None, "Mill Co")
    page = supervisor_client.get(url).content.decode()
    assert 'value="outside" selected' in page
    supervisor_client.post(url, {"work_center": work_centers[1].pk, "name": "Mill"})
    mill.refresh_from_db()
    assert (mill.work_center, mill.outside_vendor) == (work_centers[1], "")
