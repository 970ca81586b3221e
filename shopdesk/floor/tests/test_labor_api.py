"""GET /api/v1/labor-entries and GET /api/v1/jobs/{number}/labor."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from shopdesk.core.models import Role
from shopdesk.core.tests.factories import member
from shopdesk.floor import services as floor_services
from shopdesk.jobs.models import LaborEntry

URL = "/api/v1/labor-entries"


def _act(user, operation, action, **extra):
    floor_services.floor_action(
        user=user, operation=operation, action=action, client_id=uuid.uuid4().hex, **extra
    )


@pytest.fixture
def petra(shop):
    return member(shop, Role.OPERATOR, username="petra", first_name="Petra", last_name="Press")


@pytest.fixture
def worked(released_job, operator, petra):
    """Oscar and Petra on the saw (Petra paused), Oscar still on it."""
    saw = released_job.operations.order_by("sequence").first()
    _act(operator, saw, "start")
    _act(petra, saw, "start")
    _act(petra, saw, "pause")
    return saw


def test_lists_entries_newest_first(supervisor_api, worked, operator, petra):
    response = supervisor_api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["items"][0]
    assert first["user"]["name"] == "Petra Press" and first["end_reason"] == "pause"
    assert first["job"] == "J-1001" and first["operation"]["name"] == "Saw"
    assert first["operation"]["work_center"]["name"] == "Saw"
    assert body["items"][1]["open"] is True and body["items"][1]["ended_at"] is None


def test_filters(supervisor_api, worked, operator, petra, released_job):
    assert supervisor_api.get(URL, {"open": "true"}).json()["count"] == 1
    assert supervisor_api.get(URL, {"open": "false"}).json()["count"] == 1
    assert supervisor_api.get(URL, {"user": petra.pk}).json()["count"] == 1
    assert supervisor_api.get(URL, {"operation": worked.pk}).json()["count"] == 2
    assert supervisor_api.get(URL, {"job": "J-1001"}).json()["count"] == 2
    assert supervisor_api.get(URL, {"job": "1001"}).json()["count"] == 2
    assert supervisor_api.get(URL, {"job": "J-9999"}).json()["count"] == 0
    today = timezone.localdate()
    assert supervisor_api.get(URL, {"started_from": today.isoformat()}).json()["count"] == 2
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert supervisor_api.get(URL, {"started_from": tomorrow}).json()["count"] == 0
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert supervisor_api.get(URL, {"started_to": yesterday}).json()["count"] == 0
    page = supervisor_api.get(URL, {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"started_from": "2026-13-01"}, "started_from"),
        ({"started_to": "yesterday"}, "started_to"),
        ({"started_from": "2026-05-02", "started_to": "2026-05-01"}, "started_from"),
        ({"started_from": "0001-01-01"}, "started_from"),
        ({"operation": "abc"}, "operation"),
        ({"operation": "0"}, "operation"),
        ({"user": str(2**70)}, "user"),
        ({"job": "not-a-job"}, "job"),
        ({"limit": "500"}, "limit"),
        ({"open": "perhaps"}, "open"),
    ],
)
def test_bad_input_is_a_clear_422(supervisor_api, worked, params, field):
    response = supervisor_api.get(URL, params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] and any(field in (e["field"] or "") for e in body["errors"])


def test_another_shops_entries_never_appear(outsider_api, supervisor_api, worked, other_job):
    body = outsider_api.get(URL).json()
    assert body == {"count": 0, "items": []}
    assert outsider_api.get(URL, {"operation": worked.pk}).json()["count"] == 0
    assert outsider_api.get(URL, {"job": "J-1001"}).json()["count"] == 0


def test_list_query_count_is_fixed(
    supervisor_api, released_job, shop, operator, django_assert_max_num_queries
):
    routing = list(released_job.operations.order_by("sequence"))
    now = timezone.now()
    for index in range(30):
        LaborEntry.objects.create(
            shop=shop,
            job=released_job,
            operation=routing[index % 3],
            user=operator,
            started_at=now - datetime.timedelta(hours=index + 1),
            ended_at=now - datetime.timedelta(hours=index),
            end_reason="pause",
        )
    with django_assert_max_num_queries(10):
        body = supervisor_api.get(URL, {"limit": 200}).json()
    assert body["count"] == 30 and len(body["items"]) == 30


def test_job_labor_summary(supervisor_api, worked, released_job):
    response = supervisor_api.get("/api/v1/jobs/J-1001/labor")
    assert response.status_code == 200
    body = response.json()
    assert body["job"] == "J-1001"
    assert float(body["estimated_minutes"]) == 690  # 3 × (30 + 2 × 100)
    saw = body["operations"][0]
    assert saw["name"] == "Saw" and saw["work_center"] == "Saw" and saw["entries"] == 2
    assert saw["on_it"] == ["Oscar Operator"] and saw["status"] == "running"
    assert float(saw["estimated_minutes"]) == 230
    assert body["on_it"] == ["Oscar Operator"]
    assert [op["sequence"] for op in body["operations"]] == [1, 2, 3]


def test_job_labor_is_scoped_to_the_callers_shop(
    outsider_api, supervisor_api, worked, other_job, django_assert_max_num_queries
):
    # Beta's job has the same number as Acme's: Beta sees its own job, none of Acme's labor.
    assert other_job.number == 1001
    body = outsider_api.get("/api/v1/jobs/J-1001/labor").json()
    assert [op["name"] for op in body["operations"]] == ["Mill"]
    assert body["actual_minutes"] in ("0", "0.00", 0) and body["on_it"] == []
    assert outsider_api.get("/api/v1/jobs/J-1002/labor").status_code == 404
    assert supervisor_api.get("/api/v1/jobs/J-99999/labor").status_code == 404
    assert supervisor_api.get("/api/v1/jobs/%3Cscript%3E/labor").status_code == 404
    with django_assert_max_num_queries(10):
        assert supervisor_api.get("/api/v1/jobs/J-1001/labor").status_code == 200


def test_needs_authentication(anonymous_api, worked):
    assert anonymous_api.get(URL).status_code == 401
    assert anonymous_api.get("/api/v1/jobs/J-1001/labor").status_code == 401
