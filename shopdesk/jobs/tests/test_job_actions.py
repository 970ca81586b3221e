"""Actions taken from the live job page: release, unrelease, ship, close, raise and resolve
blockers. Each answers a redirect to the live page on success, the live page with the
service's message and status when refused, and 404 for another shop's ids."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import CustomerFactory, PartFactory, WorkCenterFactory
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services
from shopdesk.jobs.models import Blocker, Job, JobStage, JobState

DETAIL = reverse("jobs:detail", args=["J-1001"])


def _url(name: str, number: str = "J-1001") -> str:
    return reverse(f"jobs:{name}", args=[number])


def _state(job: Job) -> str:
    job.refresh_from_db()
    return job.state


def _finish_all(user, job: Job) -> None:
    for operation in job.operations.order_by("sequence"):
        for action, fields in (("start", {}), ("finish", {"qty_good": 100})):
            floor_services.floor_action(
                user=user,
                operation=operation,
                action=action,
                client_id=uuid.uuid4().hex,
                **fields,
            )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Release ---------------------------------------------------------------------------------


def test_supervisor_releases(supervisor_client, planned_job):
    response = supervisor_client.post(_url("release"))
    assert response.status_code == 303
    assert response["Location"] == DETAIL
    assert _state(planned_job) == JobState.RELEASED
    page = supervisor_client.get(DETAIL)
    assert "J-1001 is released to the floor." in _messages(page)
    assert "J-1001 released to the floor" in page.content.decode()  # the timeline


def test_operator_cannot_release(operator_client, planned_job):
    response = operator_client.post(_url("release"))
    assert response.status_code == 403
    assert "Only an owner, office or supervisor" in response.content.decode()
    assert _state(planned_job) == JobState.PLANNED
    assert not Event.objects.filter(kind="job.released").exists()


def test_release_refused_when_something_is_missing(supervisor_client, supervisor, planned_job):
    services.job_update(user=supervisor, job=planned_job, due_date=None)
    response = supervisor_client.post(_url("release"))
    assert response.status_code == 409
    assert "Set a due date." in response.content.decode()
    assert _state(planned_job) == JobState.PLANNED


def test_double_release_is_refused_the_second_time(supervisor_client, planned_job):
    assert supervisor_client.post(_url("release")).status_code == 303
    response = supervisor_client.post(_url("release"))
    assert response.status_code == 409
    assert "not planned" in response.content.decode()
    assert Event.objects.filter(kind="job.released").count() == 1


# --- Unrelease -------------------------------------------------------------------------------


def test_unrelease_needs_a_reason(supervisor_client, released_job):
    response = supervisor_client.post(_url("unrelease"), {"reason": "   "})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Say why the job goes back to planning." in html
    assert '<details class="planneraction" open>' in html  # the form stays open
    assert _state(released_job) == JobState.RELEASED


def test_unrelease_with_reason(supervisor_client, released_job):
    response = supervisor_client.post(_url("unrelease"), {"reason": "Drawing rev coming"})
    assert response.status_code == 303
    assert _state(released_job) == JobState.PLANNED
    assert Event.objects.get(kind="job.unreleased").after["reason"] == "Drawing rev coming"


def test_unrelease_oversized_reason_kept_and_refused(supervisor_client, released_job):
    response = supervisor_client.post(_url("unrelease"), {"reason": "x" * 501})
    assert response.status_code == 422
    assert "At most 500 characters." in response.content.decode()
    assert _state(released_job) == JobState.RELEASED


def test_unrelease_of_a_planned_job_is_refused(supervisor_client, planned_job):
    response = supervisor_client.post(_url("unrelease"), {"reason": "Why not"})
    assert response.status_code == 409
    assert _state(planned_job) == JobState.PLANNED


def test_nul_characters_are_dropped(supervisor_client, released_job):
    response = supervisor_client.post(_url("unrelease"), {"reason": "Wrong\x00 drawing"})
    assert response.status_code == 303
    assert Event.objects.get(kind="job.unreleased").after["reason"] == "Wrong drawing"


def test_hostile_reason_is_escaped(supervisor_client, released_job):
    hostile = '<script>alert("x")</script>'
    supervisor_client.post(_url("unrelease"), {"reason": hostile})
    html = supervisor_client.get(DETAIL).content.decode()
    assert hostile not in html
    assert "&lt;script&gt;" in html


# --- Ship ------------------------------------------------------------------------------------


def test_ship_refused_until_every_operation_is_done(supervisor_client, released_job):
    response = supervisor_client.post(_url("ship"))
    assert response.status_code == 409
    assert "once every operation is done" in response.content.decode()
    assert _state(released_job) == JobState.RELEASED


def test_ship_a_complete_job(supervisor_client, released_job, operator):
    _finish_all(operator, released_job)
    response = supervisor_client.post(_url("ship"))
    assert response.status_code == 303
    # Shipped is derived: every good part has gone; the state stays released.
    assert _state(released_job) == JobState.RELEASED
    assert released_job.stage == JobStage.SHIPPED
    assert released_job.quantity_shipped == 100
    assert not released_job.is_open
    # Double submit: refused, still one shipped event.
    assert supervisor_client.post(_url("ship")).status_code == 409
    assert Event.objects.filter(kind="job.shipped").count() == 1


# --- Close -----------------------------------------------------------------------------------


def test_close_unshipped_needs_a_reason(supervisor_client, released_job):
    response = supervisor_client.post(_url("close"), {})
    assert response.status_code == 422
    assert "Say why an unshipped job is closed." in response.content.decode()
    assert _state(released_job) == JobState.RELEASED


def test_close_with_reason(supervisor_client, released_job):
    response = supervisor_client.post(_url("close"), {"reason": "Customer cancelled"})
    assert response.status_code == 303
    assert _state(released_job) == JobState.CLOSED
    assert supervisor_client.post(_url("close"), {"reason": "Again"}).status_code == 409


def test_close_oversized_reason_refused(supervisor_client, released_job):
    response = supervisor_client.post(_url("close"), {"reason": "y" * 501})
    assert response.status_code == 422
    assert _state(released_job) == JobState.RELEASED


def test_close_shipped_job_without_reason(supervisor_client, supervisor, released_job, operator):
    _finish_all(operator, released_job)
    services.job_mark_shipped(user=supervisor, job=released_job)
    response = supervisor_client.post(_url("close"), {"reason": ""})
    assert response.status_code == 303
    assert _state(released_job) == JobState.CLOSED


# --- Roles and tenancy for the planner actions ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [("unrelease", {"reason": "r"}), ("ship", {}), ("close", {"reason": "r"})],
)
def test_operator_posts_are_refused(operator_client, released_job, name, data):
    response = operator_client.post(_url(name), data)
    assert response.status_code == 403
    assert _state(released_job) == JobState.RELEASED


ACTIONS = ["release", "unrelease", "ship", "close", "blocker_raise"]


@pytest.mark.parametrize("name", ACTIONS)
def test_outsider_gets_404_for_acme_jobs(
    outsider_client, supervisor, customer, part, work_centers, released_job, name
):
    # J-1002 exists only in Acme; Beta has no such number.
    acme = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=5,
        operations=[{"work_center": work_centers[0], "name": "Saw"}],
    )
    before = Event.objects.count()
    data = {"reason": "mine now", "kind": "other", "note": "hello"}
    response = outsider_client.post(_url(name, acme.display_number), data)
    assert response.status_code == 404
    assert b"Northwind" not in response.content
    assert Event.objects.count() == before
    assert _state(acme) == JobState.PLANNED
    assert not Blocker.objects.filter(job=acme).exists()


@pytest.mark.parametrize("name", ACTIONS)
def test_unknown_numbers_are_404(supervisor_client, planned_job, name):
    for number in ("J-9999", "abc", "J-1001x", "9" * 30):
        assert supervisor_client.post(_url(name, number), {"reason": "r"}).status_code == 404
    assert _state(planned_job) == JobState.PLANNED


@pytest.mark.parametrize("name", ACTIONS)
def test_get_is_not_allowed(supervisor_client, planned_job, name):
    assert supervisor_client.get(_url(name)).status_code == 405
    assert _state(planned_job) == JobState.PLANNED


@pytest.mark.parametrize("name", ACTIONS)
def test_sign_in_required(client, planned_job, name):
    response = client.post(_url(name), {"reason": "r", "kind": "other", "note": "n"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert _state(planned_job) == JobState.PLANNED
    assert not Blocker.objects.exists()


def test_htmx_action_rerenders_the_live_regions(supervisor_client, planned_job):
    response = supervisor_client.post(_url("release"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="live-head"' in html and 'hx-swap-oob="true"' in html
    assert "J-1001 is released to the floor." in html
    assert "<html" not in html
    assert _state(planned_job) == JobState.RELEASED


def test_htmx_refusal_keeps_its_status(operator_client, planned_job):
    response = operator_client.post(_url("release"), headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "Only an owner, office or supervisor" in response.content.decode()


# --- Raise a blocker -------------------------------------------------------------------------


def _raise(client, **fields):
    data = {"kind": "material", "note": "Bar stock short", "client_id": uuid.uuid4().hex}
    data.update(fields)
    return client.post(_url("blocker_raise"), data)


def test_operator_raises_a_blocker_with_owner_and_operation(
    operator_client, released_job, supervisor
):
    mill = released_job.operations.get(sequence=2)
    response = _raise(operator_client, owner=supervisor.pk, operation=mill.pk)
    assert response.status_code == 303
    assert response["Location"] == DETAIL
    blocker = Blocker.objects.get()
    assert (blocker.kind, blocker.note, blocker.owner, blocker.operation) == (
        "material",
        "Bar stock short",
        supervisor,
        mill,
    )
    released_job.refresh_from_db()
    assert released_job.open_blocker_count == 1
    page = operator_client.get(DETAIL)
    assert "Blocker raised on J-1001: Material. Sam Supervisor owns it." in _messages(page)


def test_double_submitted_raise_makes_one_blocker(operator_client, released_job):
    client_id = uuid.uuid4().hex
    assert _raise(operator_client, client_id=client_id).status_code == 303
    assert _raise(operator_client, client_id=client_id).status_code == 303
    assert Blocker.objects.count() == 1
    page = operator_client.get(DETAIL)
    assert any("not raised twice" in message for message in _messages(page))


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"kind": ""}, 422, "Choose what kind of blocker this is."),
        ({"kind": "aliens"}, 422, "Choose what kind of blocker this is."),
        ({"note": "   "}, 422, "Say what is blocking the job."),
        ({"note": "n" * 2001}, 422, "At most 2000 characters."),
        ({"owner": "abc"}, 422, "The owner must be a person in this shop."),
        ({"owner": "-3"}, 422, "The owner must be a person in this shop."),
        ({"owner": "9" * 30}, 422, "The owner must be a person in this shop."),
        ({"operation": "abc"}, 422, "Choose an operation of this job, or none."),
        ({"operation": "1.5"}, 422, "Choose an operation of this job, or none."),
        ({"operation": "999999"}, 404, ""),
        ({"client_id": "no"}, 422, "client_id must be 8 to 64"),
        ({"client_id": "x" * 65}, 422, "client_id must be 8 to 64"),
    ],
)
def test_raise_bad_input(operator_client, released_job, fields, status, message):
    response = _raise(operator_client, **fields)
    assert response.status_code == status
    if message:
        html = response.content.decode()
        assert message in html
        assert '<details class="raise" open>' in html  # the form reopens with the message
    assert not Blocker.objects.exists()


def test_raise_keeps_what_was_typed(operator_client, released_job):
    response = _raise(operator_client, kind="", note="Chuck jaw cracked <b>now</b>")
    html = response.content.decode()
    assert "Chuck jaw cracked &lt;b&gt;now&lt;/b&gt;</textarea>" in html


def test_raise_owner_from_another_shop_refused(operator_client, released_job, outsider):
    response = _raise(operator_client, owner=outsider.pk)
    assert response.status_code == 422
    assert not Blocker.objects.exists()


def test_raise_on_another_shops_operation_is_404(operator_client, released_job, other_job):
    response = _raise(operator_client, operation=other_job.operations.get().pk)
    assert response.status_code == 404
    assert not Blocker.objects.exists()


def test_raise_on_another_acme_jobs_operation_is_refused(
    operator_client, supervisor, released_job, customer
):
    part = PartFactory(shop=customer.shop, customer=customer, number="NP-999")
    other = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=1,
        operations=[{"work_center": WorkCenterFactory(shop=customer.shop), "name": "Lathe"}],
    )
    response = _raise(operator_client, operation=other.operations.get().pk)
    assert response.status_code == 422
    assert "That operation is not on this job." in response.content.decode()
    assert not Blocker.objects.exists()


def test_raise_on_a_closed_job_is_refused(operator_client, supervisor, released_job):
    services.job_close(user=supervisor, job=released_job, reason="Cancelled")
    response = _raise(operator_client)
    assert response.status_code == 409
    assert not Blocker.objects.exists()


def test_client_id_reused_on_another_job_is_refused(
    operator_client, operator, supervisor, released_job, customer
):
    part = PartFactory(shop=customer.shop, customer=CustomerFactory(shop=customer.shop))
    other = services.job_create(user=supervisor, customer=part.customer, part=part, quantity=1)
    client_id = uuid.uuid4().hex
    services.blocker_raise(
        user=operator, job=other, kind="other", note="Elsewhere", client_id=client_id
    )
    response = _raise(operator_client, client_id=client_id)
    assert response.status_code == 409
    assert not Blocker.objects.filter(job=released_job).exists()


# --- Resolve a blocker -----------------------------------------------------------------------


@pytest.fixture
def blocker(released_job, operator):
    blocker, _ = services.blocker_raise(
        user=operator, job=released_job, kind="tooling", note="Insert worn"
    )
    return blocker


def _resolve_url(blocker_id: int) -> str:
    return reverse("jobs:blocker_resolve", args=[blocker_id])


def test_resolve_a_blocker(operator_client, blocker, released_job):
    response = operator_client.post(_resolve_url(blocker.pk), {"note": "New inserts in"})
    assert response.status_code == 303
    assert response["Location"] == DETAIL
    blocker.refresh_from_db()
    assert blocker.resolution_note == "New inserts in"
    released_job.refresh_from_db()
    assert released_job.open_blocker_count == 0
    page = operator_client.get(DETAIL)
    assert "Blocker resolved on J-1001: Tooling." in _messages(page)


@pytest.mark.parametrize(
    ("note", "message"),
    [("", "Say how the blocker was resolved."), ("z" * 2001, "At most 2000 characters.")],
)
def test_resolve_needs_a_sensible_note(operator_client, blocker, note, message):
    response = operator_client.post(_resolve_url(blocker.pk), {"note": note})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert '<details class="resolve" open>' in html
    blocker.refresh_from_db()
    assert blocker.resolved_at is None


def test_resolve_twice_is_refused(operator_client, blocker):
    assert operator_client.post(_resolve_url(blocker.pk), {"note": "Done"}).status_code == 303
    response = operator_client.post(_resolve_url(blocker.pk), {"note": "Done again"})
    assert response.status_code == 409
    assert "already resolved" in response.content.decode()
    blocker.refresh_from_db()
    assert blocker.resolution_note == "Done"


def test_outsider_cannot_resolve_acme_blockers(outsider_client, blocker, other_job):
    response = outsider_client.post(_resolve_url(blocker.pk), {"note": "Mine now"})
    assert response.status_code == 404
    assert b"Insert worn" not in response.content
    blocker.refresh_from_db()
    assert blocker.resolved_at is None


def test_unknown_blocker_is_404(operator_client, blocker):
    assert operator_client.post(_resolve_url(blocker.pk + 1000), {"note": "x"}).status_code == 404
    assert operator_client.get(_resolve_url(blocker.pk)).status_code == 405


def test_resolve_requires_sign_in(client, blocker):
    response = client.post(_resolve_url(blocker.pk), {"note": "x"})
    assert response.status_code == 302
    blocker.refresh_from_db()
    assert blocker.resolved_at is None
