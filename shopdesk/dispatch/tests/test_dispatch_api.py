"""GET /api/v1/work-centers/{id}/dispatch and POST …/dispatch/reorder."""

from __future__ import annotations

import pytest

from shopdesk.core.models import Event
from shopdesk.dispatch.tests.test_dispatch import first_op, released_job
from shopdesk.jobs.models import Operation, Priority


def url(work_center, suffix: str = "") -> str:
    return f"/api/v1/work-centers/{work_center.pk}/dispatch{suffix}"


@pytest.fixture
def mill(work_centers):
    return work_centers[1]


@pytest.fixture
def queue(supervisor, customer, part, work_centers, mill):
    saw = work_centers[0]
    normal = released_job(supervisor, customer, part, [mill, saw], due_days=20, run=1)
    hot = released_job(supervisor, customer, part, [mill], due_days=40, priority=Priority.HOT)
    waiting = released_job(supervisor, customer, part, [saw, mill], due_days=5)
    return {"normal": normal, "hot": hot, "waiting": waiting}


def nothing_changed() -> bool:
    return (
        not Operation.objects.filter(dispatch_rank__isnull=False).exists()
        and not Event.objects.filter(kind__startswith="dispatch.").exists()
    )


def test_dispatch_lists_ready_rows_in_order_and_upcoming(supervisor_api, mill, queue):
    response = supervisor_api.get(url(mill))
    assert response.status_code == 200
    body = response.json()
    assert body["work_center"] == {"id": mill.pk, "name": "CNC Mill"}
    assert [row["job"] for row in body["ready"]] == ["J-1002", "J-1001"]
    assert [row["position"] for row in body["ready"]] == [1, 2]
    first = body["ready"][1]
    assert first["next_operation"]["work_center"]["name"] == "Saw"
    assert first["customer"]["name"] == "Northwind Pumps"
    assert first["status"] == "ready"
    assert first["critical_ratio"] is not None
    assert [row["job"] for row in body["upcoming"]] == ["J-1003"]
    assert body["upcoming"][0]["waiting_for"] == "Op 1 Saw at Saw"
    assert float(body["queue_hours"]) > 0


def test_reorder_moves_and_answers_the_new_list(supervisor_api, mill, queue):
    op = first_op(queue["normal"])
    response = supervisor_api.post(url(mill, "/reorder"), {"operation": op.pk, "direction": "top"})
    assert response.status_code == 200
    assert [row["job"] for row in response.json()["ready"]] == ["J-1001", "J-1002"]
    assert response.json()["ready"][0]["dispatch_rank"] == 1
    event = Event.objects.get(kind="dispatch.moved")
    assert event.summary == "Dispatch: J-1001 op 1 moved to the top at CNC Mill"
    assert [r["job"] for r in supervisor_api.get(url(mill)).json()["ready"]] == ["J-1001", "J-1002"]


def test_operator_may_read_but_not_reorder(operator_api, mill, queue):
    assert operator_api.get(url(mill)).status_code == 200
    op = first_op(queue["normal"])
    response = operator_api.post(url(mill, "/reorder"), {"operation": op.pk, "direction": "top"})
    assert response.status_code == 403
    assert nothing_changed()


def test_another_shops_work_center_is_404(outsider_api, supervisor_api, mill, queue, other_job):
    op = first_op(queue["normal"])
    assert outsider_api.get(url(mill)).status_code == 404
    response = outsider_api.post(url(mill, "/reorder"), {"operation": op.pk, "direction": "top"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}
    theirs = first_op(other_job).work_center
    assert supervisor_api.get(url(theirs)).status_code == 404
    assert nothing_changed()


def test_another_work_centers_operation_is_422(supervisor_api, mill, queue):
    at_saw = queue["waiting"].operations.get(sequence=1)
    response = supervisor_api.post(
        url(mill, "/reorder"), {"operation": at_saw.pk, "direction": "top"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "operation"
    assert nothing_changed()


def test_another_shops_operation_is_422_without_saying_whose(supervisor_api, mill, other_job):
    response = supervisor_api.post(
        url(mill, "/reorder"), {"operation": first_op(other_job).pk, "direction": "top"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "No such operation in this shop."
    assert first_op(other_job).dispatch_rank is None


def test_upcoming_operation_is_409(supervisor_api, mill, queue):
    waiting = queue["waiting"].operations.get(sequence=2)
    response = supervisor_api.post(
        url(mill, "/reorder"), {"operation": waiting.pk, "direction": "up"}
    )
    assert response.status_code == 409
    assert "not ready yet" in response.json()["detail"]
    assert nothing_changed()


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"operation": 1},
        {"direction": "top"},
        {"operation": "one", "direction": "top"},
        {"operation": -5, "direction": "top"},
        {"operation": 2**70, "direction": "top"},
        {"operation": 1, "direction": "sideways"},
        {"operation": 1, "direction": "<script>"},
        {"operation": 1, "direction": "top", "extra": True},
    ],
)
def test_bad_bodies_are_422_and_change_nothing(supervisor_api, mill, queue, body):
    response = supervisor_api.post(url(mill, "/reorder"), body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert nothing_changed()


def test_not_json_and_bad_ids(supervisor_api, anonymous_api, mill, queue):
    assert supervisor_api.post(url(mill, "/reorder"), raw="{not json").status_code == 400
    assert supervisor_api.get("/api/v1/work-centers/0/dispatch").status_code == 422
    assert supervisor_api.get("/api/v1/work-centers/999999/dispatch").status_code == 404
    assert anonymous_api.get(url(mill)).status_code == 401
    assert nothing_changed()


def test_query_count_is_fixed(
    supervisor, supervisor_api, customer, part, work_centers, mill, django_assert_max_num_queries
):
    for index in range(32):
        released_job(supervisor, customer, part, [mill, work_centers[2], mill], due_days=index)
    with django_assert_max_num_queries(10):
        response = supervisor_api.get(url(mill))
    assert len(response.json()["ready"]) == 32
    assert len(response.json()["upcoming"]) == 32


def test_a_long_queue_lists_the_first_rows_with_the_whole_queues_figures(
    supervisor_api, mill, queue
):
    whole = supervisor_api.get(url(mill)).json()
    assert (whole["ready_count"], whole["upcoming_count"]) == (2, 1)

    response = supervisor_api.get(url(mill), {"limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert [row["job"] for row in body["ready"]] == ["J-1002"]
    assert [row["position"] for row in body["ready"]] == [1]
    assert (body["ready_count"], body["upcoming_count"]) == (2, 1)
    # Queue hours are those of every ready operation, not of the row listed.
    assert body["queue_hours"] == whole["queue_hours"]


@pytest.mark.parametrize("limit", ["0", "-1", "501", "abc", "1e3", "9" * 30])
def test_a_bad_limit_is_422(supervisor_api, mill, queue, limit):
    response = supervisor_api.get(url(mill), {"limit": limit})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"
