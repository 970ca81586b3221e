"""One ready rule for an operation (jobs.models.operation_is_ready): what the floor lets an
operator start is what the dispatch list (page, API, short and full) and the kiosk tiles call
ready. Once op 1 runs, op 2 may overlap it; op 3 waits until op 2 has started."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shopdesk.core.errors import ActionRefused
from shopdesk.dispatch import selectors as dispatch
from shopdesk.floor import services as floor_services
from shopdesk.floor.tests.test_kiosk import _badge
from shopdesk.jobs import services
from shopdesk.jobs.models import OperationStatus, operation_is_ready


@pytest.fixture
def op1_running(operator, released_job):
    """J-1001 on the floor with op 1 (Saw) running; op 2 (CNC Mill), op 3 (Inspection) wait."""
    saw, mill, inspection = released_job.operations.order_by("sequence")
    floor_services.floor_action(
        user=operator, operation=saw, action="start", client_id="ready-op1-a"
    )
    return saw, mill, inspection


def _ready(shop, work_center, **kwargs) -> list[str]:
    return [
        row.job.display_number for row in dispatch.dispatch_list(shop, work_center, **kwargs).ready
    ]


def test_an_overlapping_operation_is_ready_in_every_dispatch_list(
    shop, supervisor_client, supervisor_api, op1_running
):
    _, mill, inspection = op1_running
    mill_center, inspection_center = mill.work_center, inspection.work_center

    # The full list (the service's and the page's) and the short one the page draws first.
    assert _ready(shop, mill_center) == ["J-1001"]
    assert _ready(shop, mill_center, limit=5) == ["J-1001"]
    assert _ready(shop, inspection_center) == _ready(shop, inspection_center, limit=5) == []

    page = supervisor_client.get(reverse("jobs:dispatch", args=[mill_center.pk]))
    assert [row.job.display_number for row in page.context["listing"].ready] == ["J-1001"]

    api = supervisor_api.get(f"/api/v1/work-centers/{mill_center.pk}/dispatch").json()
    assert (api["ready_count"], api["upcoming_count"]) == (1, 0)
    api = supervisor_api.get(f"/api/v1/work-centers/{inspection_center.pk}/dispatch").json()
    assert (api["ready_count"], api["upcoming_count"]) == (0, 1)
    # Op 3 waits for op 2, not for op 1, which runs already.
    for listing in (
        dispatch.dispatch_list(shop, inspection_center),
        dispatch.dispatch_list(shop, inspection_center, limit=5),
    ):
        assert [row.waiting_for for row in listing.upcoming] == [
            "An earlier operation, not yet started"
        ]


def test_the_floor_starts_what_the_lists_call_ready_and_refuses_the_rest(operator, op1_running):
    _, mill, inspection = op1_running
    with pytest.raises(ActionRefused, match="op 2 CNC Mill has not been started"):
        floor_services.floor_action(
            user=operator, operation=inspection, action="start", client_id="ready-op3-a"
        )
    floor_services.floor_action(
        user=operator, operation=mill, action="start", client_id="ready-op2-a"
    )
    mill.refresh_from_db()
    assert mill.status == OperationStatus.RUNNING


def test_the_kiosk_tiles_count_by_the_same_rule(supervisor, operator, op1_running, work_centers):
    from django.test import Client

    _badge(operator, "101")
    kiosk = Client()
    kiosk.force_login(supervisor)
    kiosk.post(reverse("kiosk_setup"), {"action": "enroll"})
    kiosk.post(reverse("kiosk_sign_in"), {"badge": "101", "pin": "4821"})
    tiles = {wc.name: wc for wc in kiosk.get(reverse("kiosk_work_centers")).context["tiles"]}

    assert (tiles["Saw"].ready_count, tiles["Saw"].running_count) == (1, 1)
    assert (tiles["CNC Mill"].ready_count, tiles["CNC Mill"].upcoming_count) == (1, 0)
    assert (tiles["Inspection"].ready_count, tiles["Inspection"].upcoming_count) == (0, 1)


def test_a_blocker_holds_every_operation_everywhere(supervisor, operator, op1_running):
    saw, mill, _ = op1_running
    services.blocker_raise(user=supervisor, job=saw.job, kind="machine", note="Saw down")
    shop = saw.job.shop
    assert _ready(shop, saw.work_center) == _ready(shop, mill.work_center) == []
    with pytest.raises(ActionRefused, match="open blocker"):
        floor_services.floor_action(
            user=operator, operation=mill, action="start", client_id="rdy-blk-1"
        )


@pytest.mark.parametrize(
    ("status", "open_blockers", "earlier_pending", "ready"),
    [
        (OperationStatus.PENDING, 0, False, True),
        (OperationStatus.PENDING, 0, True, False),
        (OperationStatus.PENDING, 1, False, False),
        (OperationStatus.RUNNING, 0, True, True),
        (OperationStatus.PAUSED, 0, False, True),
        (OperationStatus.RUNNING, 2, False, False),
        (OperationStatus.DONE, 0, False, False),
    ],
)
def test_the_rule(status, open_blockers, earlier_pending, ready):
    assert (
        operation_is_ready(
            status=status, open_blockers=open_blockers, earlier_pending=earlier_pending
        )
        is ready
    )
