"""The floor page and its actions through the views, with and without JavaScript."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import OperationFactory, WorkCenterFactory
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services
from shopdesk.jobs.models import Blocker, FloorAction, Job, JobStage, OperationStatus

FLOOR = reverse("jobs:floor", args=["J-1001"])
ACTION = reverse("jobs:floor_action", args=["J-1001"])
BLOCKER = reverse("jobs:floor_blocker", args=["J-1001"])
JSON = {"HTTP_ACCEPT": "application/json"}


def _ops(job):
    return list(job.operations.order_by("sequence"))


def _act(client, op, action, client_id, json=False, **fields):
    data = {"operation": op.pk, "action": action, "client_id": client_id, **fields}
    return client.post(ACTION, data, **(JSON if json else {}))


def _state(job):
    """Everything a floor action could change, to assert that nothing did."""
    job.refresh_from_db()
    return (
        job.stage,
        job.operations_done,
        list(job.operations.order_by("sequence").values_list("status", "qty_good", "qty_scrap")),
        FloorAction.objects.count(),
        Blocker.objects.count(),
        Event.objects.count(),
    )


# The page ---------------------------------------------------------------------------------


def test_floor_page_shows_the_job_and_the_current_operation_first(operator_client, released_job):
    response = operator_client.get(FLOOR)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="floor"' in body
    assert "J-1001" in body and "NP-220" in body and "Rev A" in body and "100</b> pcs" in body
    # The current operation (Saw) is the big card, before the list of the others.
    assert body.index('aria-label="Current operation"') < body.index("Other operations")
    current = body[body.index('aria-label="Current operation"') : body.index("Other operations")]
    assert "Saw" in current and "Start op 1" in current
    assert "Pause" not in current and "Finish op" not in current
    assert 'src="/static/shopdesk/floor.js"' in body
    assert "onclick" not in body


def test_the_header_leads_back_to_the_queue_of_the_jobs_work_center(operator_client, released_job):
    saw = released_job.operations.get(sequence=1).work_center
    header = operator_client.get(FLOOR).content.decode().split("</header>")[0]
    assert f'href="{reverse("kiosk_queue", args=[saw.pk])}">Queue</a>' in header
    # A job with no operation left to do (all finished) has no queue to go back to.
    Job.objects.filter(pk=released_job.pk).update(current_work_center=None)
    header = operator_client.get(FLOOR).content.decode().split("</header>")[0]
    assert ">Queue</a>" not in header


def test_every_form_carries_a_fresh_client_id(operator_client, released_job):
    import re

    first = operator_client.get(FLOOR).content.decode()
    second = operator_client.get(FLOOR).content.decode()
    ids_first = re.findall(r'name="client_id" value="([0-9a-f]{32})"', first)
    ids_second = re.findall(r'name="client_id" value="([0-9a-f]{32})"', second)
    forms = first.count("data-floor-form")
    assert len(ids_first) == forms > 0
    assert len(set(ids_first)) == len(ids_first)  # one per form
    assert not set(ids_first) & set(ids_second)  # new ones on every render


def test_running_operation_offers_pause_and_finish_with_big_numeric_inputs(
    operator_client, operator, released_job
):
    first = _ops(released_job)[0]
    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="page-start-1"
    )
    body = operator_client.get(FLOOR).content.decode()
    current = body[body.index('aria-label="Current operation"') : body.index("Other operations")]
    assert "Pause" in current and "Finish op 1" in current and "Start op" not in current
    assert 'name="qty_good" type="number" inputmode="numeric"' in current
    assert 'name="qty_scrap" type="number" inputmode="numeric"' in current


def test_open_blockers_show_as_a_red_banner(operator_client, supervisor, released_job):
    services.blocker_raise(
        user=supervisor, job=released_job, kind="material", note="Bar stock 2in not delivered"
    )
    body = operator_client.get(FLOOR).content.decode()
    assert 'class="banner bad fl-blockers"' in body
    assert "Bar stock 2in not delivered" in body


def test_unreleased_job_shows_why_and_offers_no_actions(operator_client, planned_job):
    body = operator_client.get(FLOOR).content.decode()
    assert "has not released it to the floor yet" in body
    assert 'name="action"' not in body


def test_floor_page_query_count_with_30_operations(
    operator_client, released_job, shop, supervisor, django_assert_max_num_queries
):
    center = WorkCenterFactory(shop=shop, name="Deburr bench")
    for sequence in range(4, 31):
        OperationFactory(job=released_job, sequence=sequence, work_center=center)
    services.blocker_raise(user=supervisor, job=released_job, kind="tooling", note="Worn end mill")
    with django_assert_max_num_queries(15):
        response = operator_client.get(FLOOR)
    assert response.status_code == 200
    assert response.content.decode().count('<details class="fl-row ') == 29


def test_floor_page_of_unknown_job_is_404(operator_client, released_job):
    assert operator_client.get(reverse("jobs:floor", args=["J-42"])).status_code == 404


def test_floor_page_needs_sign_in(client, released_job):
    response = client.get(FLOOR)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# Actions without JavaScript ---------------------------------------------------------------


def test_start_then_finish_moves_the_job_along(operator_client, released_job):
    saw, mill, _inspection = _ops(released_job)
    response = _act(operator_client, saw, "start", "form-start-0001")
    assert response.status_code == 303 and response["Location"] == FLOOR
    released_job.refresh_from_db()
    assert released_job.stage == JobStage.IN_PRODUCTION

    response = _act(
        operator_client,
        saw,
        "finish",
        "form-finish-001",
        qty_good="97",
        qty_scrap="3",
        note="Two short bars",
    )
    assert response.status_code == 303
    saw.refresh_from_db()
    released_job.refresh_from_db()
    assert (saw.status, saw.qty_good, saw.qty_scrap) == (OperationStatus.DONE, 97, 3)
    assert released_job.current_operation == mill
    assert released_job.stage_label == "In production at CNC Mill"

    page = operator_client.get(FLOOR).content.decode()
    assert "Op 1 Saw finished: 97 good, 3 scrap." in page  # the message after the redirect
    current = page[page.index('aria-label="Current operation"') : page.index("Other operations")]
    assert "CNC Mill" in current and ">97<" in current  # 97 parts reached the mill


def test_pause_and_resume(operator_client, released_job):
    saw = _ops(released_job)[0]
    _act(operator_client, saw, "start", "form-start-0002")
    assert _act(operator_client, saw, "pause", "form-pause-0001").status_code == 303
    saw.refresh_from_db()
    assert saw.status == OperationStatus.PAUSED
    assert "Resume op 1" in operator_client.get(FLOOR).content.decode()
    _act(operator_client, saw, "start", "form-start-0003")
    saw.refresh_from_db()
    assert saw.status == OperationStatus.RUNNING


def test_note_on_an_operation(operator_client, released_job):
    mill = _ops(released_job)[1]
    response = _act(operator_client, mill, "note", "form-note-00001", note="Fixture 4 is loose")
    assert response.status_code == 303
    assert Event.objects.filter(
        job=released_job, kind="operation.note", summary__contains="Fixture 4 is loose"
    ).exists()


def test_plain_form_returns_to_the_scan_page_it_came_from(operator_client, released_job):
    saw = _ops(released_job)[0]
    response = _act(operator_client, saw, "start", "form-start-0004", next="/t/sometoken/")
    assert response["Location"] == "/t/sometoken/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:1"])
def test_next_never_leaves_the_site(operator_client, released_job, target):
    saw = _ops(released_job)[0]
    response = _act(operator_client, saw, "start", "form-start-0005", next=target)
    assert response["Location"] == FLOOR


def test_double_submitted_form_is_applied_once(operator_client, released_job):
    saw = _ops(released_job)[0]
    _act(operator_client, saw, "start", "form-start-0006")
    before = _state(released_job)
    response = _act(operator_client, saw, "start", "form-start-0006")
    assert response.status_code == 303
    assert _state(released_job) == before
    page = operator_client.get(FLOOR).content.decode()
    assert "Already recorded; not applied twice." in page


def test_replay_with_a_changed_payload_is_409(operator_client, released_job):
    saw = _ops(released_job)[0]
    _act(operator_client, saw, "start", "form-start-0007")
    before = _state(released_job)
    response = _act(operator_client, saw, "pause", "form-start-0007")
    assert response.status_code == 409
    assert "already used for a different action" in response.content.decode()
    assert 'class="banner bad fl-error"' in response.content.decode()
    assert _state(released_job) == before


def test_finishing_more_than_available_is_409_shown_big(operator_client, released_job):
    saw = _ops(released_job)[0]
    _act(operator_client, saw, "start", "form-start-0008")
    before = _state(released_job)
    response = _act(
        operator_client, saw, "finish", "form-finish-002", qty_good="100", qty_scrap="5"
    )
    assert response.status_code == 409
    body = response.content.decode()
    error = body[body.index('id="floor-error"') :]
    assert "100 good + 5 scrap is more than the 100 parts" in error[:400]
    assert _state(released_job) == before


def test_refused_page_keeps_its_forms_pointing_back_to_the_floor(operator_client, released_job):
    saw = _ops(released_job)[0]
    response = _act(
        operator_client, saw, "finish", "form-finish-004", qty_good="10", next="/t/sometoken/"
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'name="next" value="/t/sometoken/"' in body
    assert 'name="next" value="/jobs/J-1001/floor/action/"' not in body


def test_finishing_an_unstarted_operation_is_409(operator_client, released_job):
    saw = _ops(released_job)[0]
    before = _state(released_job)
    response = _act(operator_client, saw, "finish", "form-finish-003", qty_good="10")
    assert response.status_code == 409
    assert "start it first" in response.content.decode()
    assert _state(released_job) == before


def test_acting_on_an_unreleased_job_is_409(operator_client, planned_job):
    saw = _ops(planned_job)[0]
    before = _state(planned_job)
    response = _act(operator_client, saw, "start", "form-start-0009")
    assert response.status_code == 409
    assert "floor work needs a released job" in response.content.decode()
    assert _state(planned_job) == before


def test_acting_on_a_closed_job_is_409(operator_client, supervisor, released_job):
    services.job_close(user=supervisor, job=released_job, reason="Cancelled by customer")
    saw = _ops(released_job)[0]
    before = _state(released_job)
    assert _act(operator_client, saw, "start", "form-start-0010").status_code == 409
    assert _state(released_job) == before


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"qty_good": "abc"}, 422),
        ({"qty_good": "-5"}, 422),
        ({"qty_good": "1.5"}, 422),
        ({"qty_good": "99999999999999999999"}, 422),
        ({"qty_good": "20000000"}, 422),
        ({"qty_scrap": "<script>alert(1)</script>"}, 422),
        ({"qty_good": "0", "qty_scrap": "0"}, 422),
        ({"note": "x" * 2001, "qty_good": "5"}, 422),
        ({"client_id": ""}, 422),
        ({"client_id": "short"}, 422),
        ({"client_id": "bad id with spaces"}, 422),
        ({"client_id": "x" * 65}, 422),
        ({"action": "explode"}, 422),
        ({"action": ""}, 422),
        ({"operation": ""}, 422),
        ({"operation": "abc"}, 422),
        ({"operation": "99999999"}, 404),
        ({"operation": "9" * 30}, 422),
        ({"operation": "-1"}, 422),
    ],
)
def test_bad_values_are_4xx_and_change_nothing(
    operator_client, operator, released_job, fields, status
):
    saw = _ops(released_job)[0]
    floor_services.floor_action(
        user=operator, operation=saw, action="start", client_id="setup-start-01"
    )
    before = _state(released_job)
    data = {"operation": saw.pk, "action": "finish", "client_id": "bad-value-0001", **fields}
    response = operator_client.post(ACTION, data)
    assert response.status_code == status, response.content.decode()[:500]
    assert _state(released_job) == before


def test_operation_of_another_job_is_404(
    operator_client, supervisor, released_job, customer, part, work_centers
):
    other = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        material_status="from_stock",
        quantity=5,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
        operations=[{"work_center": work_centers[0], "name": "Saw"}],
    )
    services.job_release(user=supervisor, job=other)
    other_op = other.operations.get()
    before = _state(released_job)
    response = _act(operator_client, other_op, "start", "cross-job-0001")
    assert response.status_code == 404
    assert _state(released_job) == before
    other_op.refresh_from_db()
    assert other_op.status == OperationStatus.PENDING


def test_operation_of_another_shop_is_404(operator_client, released_job, other_job):
    their_op = other_job.operations.get()
    before = _state(released_job)
    assert _act(operator_client, their_op, "start", "cross-shop-001").status_code == 404
    their_op.refresh_from_db()
    assert their_op.status == OperationStatus.PENDING
    assert _state(released_job) == before


def test_actions_need_post(operator_client, released_job):
    assert operator_client.get(ACTION).status_code == 405
    assert operator_client.get(BLOCKER).status_code == 405


@pytest.mark.parametrize("persona", ["operator", "quality", "supervisor", "owner"])
def test_any_role_in_the_shop_can_act(client, released_job, persona, request):
    client.force_login(request.getfixturevalue(persona))
    saw = _ops(released_job)[0]
    assert _act(client, saw, "start", f"role-{persona}-01").status_code == 303
    saw.refresh_from_db()
    assert saw.status == OperationStatus.RUNNING


# Actions through floor.js (JSON answers) --------------------------------------------------


def test_json_start_answers_the_new_state(operator_client, released_job):
    saw = _ops(released_job)[0]
    response = _act(operator_client, saw, "start", "json-start-0001", json=True)
    assert response.status_code == 200
    data = response.json()
    assert data["replayed"] is False
    assert data["operation"] == {"id": saw.pk, "status": "running", "qty_good": 0, "qty_scrap": 0}
    assert data["detail"] == "Op 1 Saw is running."


def test_json_scan_costs_a_fixed_number_of_queries(
    operator_client, released_job, django_assert_max_num_queries
):
    saw = _ops(released_job)[0]
    assert _act(operator_client, saw, "start", "json-count-0000", json=True).status_code == 200
    # Session, user and membership; then in the transaction (a savepoint in tests): the job
    # locked, its routing, the floor action, the labor read and write, the operation, the
    # job's derived state and the event. Nothing is read before the transaction.
    for action, client_id in (("pause", "json-count-0001"), ("start", "json-count-0002")):
        with django_assert_max_num_queries(13):
            response = _act(operator_client, saw, action, client_id, json=True)
        assert response.status_code == 200, response.content


def test_json_scans_leave_only_the_latest_messages_for_the_page(operator_client, released_job):
    """floor.js shows the flash on the page it fetches after sending; a client that sends
    many without fetching a page keeps the newest five, not an ever longer list."""
    saw = _ops(released_job)[0]
    for n in range(12):
        action = "start" if n % 2 == 0 else "pause"
        assert (
            _act(operator_client, saw, action, f"json-flash-{n:04d}", json=True).status_code == 200
        )
    page = operator_client.get(FLOOR).content.decode()
    assert page.count('<p class="message ') == 5
    assert "Op 1 Saw is paused." in page
    assert "Op 1 Saw is paused." not in operator_client.get(FLOOR).content.decode()


def test_json_retry_with_the_same_client_id_is_a_replay(operator_client, released_job):
    saw = _ops(released_job)[0]
    _act(operator_client, saw, "start", "json-start-0002", json=True)
    _act(operator_client, saw, "finish", "json-finish-001", json=True, qty_good="60")
    before = _state(released_job)
    retry = _act(operator_client, saw, "finish", "json-finish-001", json=True, qty_good="60")
    assert retry.status_code == 200
    assert retry.json()["replayed"] is True
    assert retry.json()["operation"]["qty_good"] == 60
    assert _state(released_job) == before


def test_json_errors_name_the_problem(operator_client, released_job):
    saw = _ops(released_job)[0]
    response = _act(operator_client, saw, "finish", "json-finish-002", json=True, qty_good="x")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "qty_good"
    response = _act(operator_client, saw, "finish", "json-finish-003", json=True, qty_good="5")
    assert response.status_code == 409
    assert "start it first" in response.json()["detail"]


# Blockers ---------------------------------------------------------------------------------


def test_blocker_in_three_taps_defaults_the_owner_and_note(
    operator_client, supervisor, released_job
):
    services.job_update(user=supervisor, job=released_job, owner=supervisor)
    page = operator_client.get(FLOOR).content.decode()
    assert "Blocked" in page and "Machine down" in page and "Drawing question" in page
    assert f'<option value="{supervisor.pk}" selected>' in page
    saw = _ops(released_job)[0]
    # Tap 1 opens the form, tap 2 picks the kind, tap 3 sends what the page rendered.
    response = operator_client.post(
        BLOCKER,
        {
            "kind": "machine",
            "note": "",
            "owner": supervisor.pk,
            "operation": saw.pk,
            "client_id": "blocker-form-01",
        },
    )
    assert response.status_code == 303
    blocker = Blocker.objects.get()
    assert (blocker.kind, blocker.owner, blocker.operation) == ("machine", supervisor, saw)
    assert blocker.note
    released_job.refresh_from_db()
    assert released_job.open_blocker_count == 1
    page = operator_client.get(FLOOR).content.decode()
    assert "Blocker raised on J-1001: Machine down." in page
    assert 'class="banner bad fl-blockers"' in page


def test_blocker_double_submit_raises_once(operator_client, released_job):
    data = {"kind": "material", "note": "No 6061 bar", "client_id": "blocker-form-02"}
    assert operator_client.post(BLOCKER, data).status_code == 303
    before = _state(released_job)
    response = operator_client.post(BLOCKER, data, **JSON)
    assert response.status_code == 200 and response.json()["replayed"] is True
    assert _state(released_job) == before


def test_blocker_client_id_from_another_job_is_refused(
    operator_client, supervisor, released_job, customer, part, work_centers
):
    other = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=5,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
        operations=[{"work_center": work_centers[0], "name": "Saw"}],
    )
    services.blocker_raise(
        user=supervisor, job=other, kind="customer", note="Awaiting PO", client_id="blocker-form-03"
    )
    before = _state(released_job)
    response = operator_client.post(BLOCKER, {"kind": "customer", "client_id": "blocker-form-03"})
    assert response.status_code == 409
    assert _state(released_job) == before


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"kind": ""}, 422),
        ({"kind": "alien invasion"}, 422),
        ({"client_id": ""}, 422),
        ({"client_id": "bad id"}, 422),
        ({"note": "x" * 2001}, 422),
        ({"owner": "abc"}, 422),
        ({"owner": "999999"}, 422),
        ({"owner": "9" * 30}, 422),
        ({"operation": "abc"}, 422),
        ({"operation": "999999"}, 404),
    ],
)
def test_bad_blocker_values_are_4xx_and_change_nothing(
    operator_client, released_job, fields, status
):
    before = _state(released_job)
    data = {"kind": "material", "note": "Short bar", "client_id": "blocker-bad-01", **fields}
    response = operator_client.post(BLOCKER, data)
    assert response.status_code == status
    assert _state(released_job) == before


def test_blocker_owner_from_another_shop_is_refused(operator_client, released_job, outsider):
    before = _state(released_job)
    response = operator_client.post(
        BLOCKER,
        {
            "kind": "material",
            "note": "x",
            "owner": outsider.pk,
            "client_id": "blocker-bad-02",
        },
    )
    assert response.status_code == 422
    assert "must be a person in this shop" in response.content.decode()
    assert _state(released_job) == before


def test_blocker_on_a_closed_job_is_409(operator_client, supervisor, released_job):
    services.job_close(user=supervisor, job=released_job, reason="Done")
    before = _state(released_job)
    response = operator_client.post(BLOCKER, {"kind": "material", "client_id": "blocker-bad-03"})
    assert response.status_code == 409
    assert _state(released_job) == before


def test_hostile_notes_are_shown_as_text(operator_client, released_job):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = {"kind": "other", "note": hostile, "client_id": "blocker-hostile1"}
    assert operator_client.post(BLOCKER, data).status_code == 303
    body = operator_client.get(FLOOR).content.decode()
    assert hostile not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
