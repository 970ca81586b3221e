"""One rule for the reason a person gives (core.services.reason_clean): releasing past the gate,
unreleasing, closing an unshipped job and resolving a blocker refuse a blank or too long reason
the same way on the job page and through the API, and change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shopdesk.core.errors import InvalidInput
from shopdesk.core.services import reason_clean
from shopdesk.jobs import services
from shopdesk.jobs.models import Blocker, Job, JobState
from shopdesk.jobs.tests.test_job_actions import _finish_all

# action: (page url name, page fields, API path, API field, longest reason, what blank says)
ACTIONS = {
    "release past the gate": (
        "jobs:release",
        {"override": "1"},
        "/api/v1/jobs/J-1001/release",
        "override_reason",
        500,
        "Say why the job is released with these problems.",
    ),
    "unrelease": (
        "jobs:unrelease",
        {},
        "/api/v1/jobs/J-1001/unrelease",
        "reason",
        500,
        "Say why the job goes back to planning.",
    ),
    "close unshipped": (
        "jobs:close",
        {},
        "/api/v1/jobs/J-1001/close",
        "reason",
        500,
        "Say why an unshipped job is closed.",
    ),
    "resolve a blocker": (
        "jobs:blocker_resolve",
        {},
        "/api/v1/blockers/{blocker}/resolve",
        "note",
        2000,
        "Say how the blocker was resolved.",
    ),
}


def _arrange(action: str, supervisor, planned_job) -> tuple[Job, Blocker | None]:
    """The job (and blocker) in the state the action starts from."""
    if action == "release past the gate":
        # Material not ordered: the gate holds the job, a supervisor may override it.
        services.job_update(user=supervisor, job=planned_job, material_status="not_ordered")
        return planned_job, None
    job = services.job_release(user=supervisor, job=planned_job)
    if action == "resolve a blocker":
        blocker, _ = services.blocker_raise(user=supervisor, job=job, kind="tooling", note="Worn")
        return job, blocker
    return job, None


def _page_post(client, action: str, job: Job, blocker: Blocker | None, reason: str):
    name, fields, _, field, _, _ = ACTIONS[action]
    args = [blocker.pk] if blocker is not None else [job.display_number]
    return client.post(reverse(name, args=args), {**fields, field: reason})


def _api_post(api, action: str, blocker: Blocker | None, reason: str):
    _, _, path, field, _, _ = ACTIONS[action]
    return api.post(path.format(blocker=blocker.pk if blocker else ""), {field: reason})


def _snapshot(job: Job, blocker: Blocker | None) -> tuple:
    job.refresh_from_db()
    resolved = Blocker.objects.get(pk=blocker.pk).resolved_at if blocker else None
    return job.state, job.stage, resolved, job.events.count()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("how", ["page", "api"])
def test_a_blank_reason_is_refused_the_same_way_by_the_page_and_the_api(
    action, how, supervisor, supervisor_client, supervisor_api, planned_job
):
    job, blocker = _arrange(action, supervisor, planned_job)
    before = _snapshot(job, blocker)
    *_, field, _, missing = ACTIONS[action]

    if how == "page":
        response = _page_post(supervisor_client, action, job, blocker, "   ")
        assert response.status_code == 422
        assert missing in response.content.decode()
    else:
        response = _api_post(supervisor_api, action, blocker, "   ")
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": field, "message": missing}]
    assert _snapshot(job, blocker) == before


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("how", ["page", "api"])
def test_a_too_long_reason_is_refused_whole_not_cut(
    action, how, supervisor, supervisor_client, supervisor_api, planned_job
):
    job, blocker = _arrange(action, supervisor, planned_job)
    before = _snapshot(job, blocker)
    *_, field, limit, _ = ACTIONS[action]
    reason = "why " * (limit // 4) + "x"

    if how == "page":
        response = _page_post(supervisor_client, action, job, blocker, reason)
        assert response.status_code == 422
        assert f"At most {limit} characters." in response.content.decode()
    else:
        response = _api_post(supervisor_api, action, blocker, reason)
        assert response.status_code == 422
        assert [error["field"] for error in response.json()["errors"]] == [field]
    assert _snapshot(job, blocker) == before


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("how", ["page", "api"])
def test_a_good_reason_is_kept_trimmed_and_whole(
    action, how, supervisor, supervisor_client, supervisor_api, planned_job
):
    job, blocker = _arrange(action, supervisor, planned_job)
    *_, limit, _ = ACTIONS[action]
    reason = "r" * limit

    if how == "page":
        response = _page_post(supervisor_client, action, job, blocker, f"  {reason}  ")
        assert response.status_code in (200, 303)
    else:
        response = _api_post(supervisor_api, action, blocker, f"  {reason}  ")
        assert response.status_code == 200, response.json()
    event = job.events.order_by("-id").first()
    assert reason in event.summary or reason in str(event.after)
    assert f" {reason} " not in str(event.after)


def test_closing_a_shipped_job_needs_no_reason_on_either_side(
    supervisor, operator, supervisor_api, released_job
):
    _finish_all(operator, released_job)
    services.job_mark_shipped(user=supervisor, job=released_job)
    response = supervisor_api.post("/api/v1/jobs/J-1001/close", {})
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "closed"


def test_the_close_endpoint_is_scoped_to_the_callers_shop(outsider_api, planned_job):
    response = outsider_api.post("/api/v1/jobs/J-1001/close", {"reason": "Cancelled"})
    assert response.status_code == 404
    planned_job.refresh_from_db()
    assert planned_job.state == JobState.PLANNED


# --------------------------------------------------------------------------- the rule itself


def test_the_rule_trims_and_keeps_the_reason_whole():
    assert reason_clean("  Customer cancelled  ", missing="Say why.") == "Customer cancelled"
    assert reason_clean("x" * 500, missing="Say why.") == "x" * 500


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Say why."),
        ("", "Say why."),
        (" \n\t ", "Say why."),
        ("x" * 501, "At most 500 characters."),
        ("late\x00", "The reason contains a NUL character."),
    ],
)
def test_the_rule_refuses_blank_long_and_nul(value, message):
    with pytest.raises(InvalidInput) as refused:
        reason_clean(value, field="reason", missing="Say why.")
    assert (refused.value.field, refused.value.message) == ("reason", message)


def test_blank_is_allowed_where_the_caller_decides():
    assert reason_clean("   ", missing=None) == ""
    with pytest.raises(InvalidInput):
        reason_clean("x" * 2001, field="note", missing=None, max_length=2000)
