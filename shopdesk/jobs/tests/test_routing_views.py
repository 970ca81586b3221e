"""The routing editor on the job edit page: add, edit, move and remove operations, with htmx
(the routing partial swapped in place) and without (a plain post redirected back)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import WorkCenterFactory
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import Operation

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
EDIT_URL = reverse("jobs:edit", args=["J-1001"])


def ops(job) -> list[tuple[int, str]]:
    return list(job.operations.order_by("sequence").values_list("sequence", "name"))


def op(job, name: str) -> Operation:
    return job.operations.get(name=name)


def url(name: str, operation: Operation | None = None, number: str = "J-1001") -> str:
    args = [number] if operation is None else [number, operation.pk]
    return reverse(f"jobs:{name}", args=args)


def shown_sequence(html: str) -> list[tuple[str, str]]:
    """(sequence, name) of each operation row, in page order."""
    return re.findall(
        r'<span class="re-seq num" title="Sequence">(\d+)</span>\s*'
        r'<span class="re-name"><b>([^<]+)</b>',
        html,
    )


def start(user, operation: Operation) -> None:
    floor_services.floor_action(
        user=user, operation=operation, action="start", client_id=f"start-{operation.pk:08d}"
    )


# --- Adding --------------------------------------------------------------------------------


def test_add_at_the_end_without_js_redirects_back_to_the_edit_page(
    supervisor_client, planned_job, work_centers
):
    response = supervisor_client.post(
        url("operation_add"),
        {"work_center": work_centers[1].pk, "name": "", "setup_minutes": "10", "run_minutes": "3"},
    )

    assert response.status_code == 303
    assert response["Location"] == EDIT_URL + "#routing"
    assert ops(planned_job) == [(1, "Saw"), (2, "CNC Mill"), (3, "Inspection"), (4, "CNC Mill")]
    event = Event.objects.get(job=planned_job, kind="operation.added")
    assert event.after["sequence"] == 4


def test_add_at_a_position_renumbers_and_htmx_gets_the_routing_in_place(
    supervisor_client, planned_job, work_centers
):
    response = supervisor_client.post(
        url("operation_add"),
        {"work_center": work_centers[1].pk, "name": "Deburr", "position": "2"},
        **HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the partial, not the page
    assert 'id="routing"' in html
    assert "Operation 2 Deburr added." in html
    assert shown_sequence(html) == [
        ("1", "Saw"),
        ("2", "Deburr"),
        ("3", "CNC Mill"),
        ("4", "Inspection"),
    ]
    assert ops(planned_job) == [(1, "Saw"), (2, "Deburr"), (3, "CNC Mill"), (4, "Inspection")]
    assert response["Vary"] and "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("work_center", "", "This field is required."),
        ("work_center", "abc", "Select a valid choice."),
        ("setup_minutes", "-5", "Ensure this value is greater than or equal to 0."),
        ("run_minutes", "quick", "Enter a number."),
        ("run_minutes", "100001", "Ensure this value is less than or equal to 100000."),
        ("name", "<b>" * 5000, "Ensure this value has at most 120 characters"),
        ("instructions", "i" * 10_000, "Ensure this value has at most 4000 characters"),
        ("position", "0", "Ensure this value is greater than or equal to 1."),
        ("position", "first", "Enter a whole number."),
        ("position", "9", "Position must be from 1 to 4."),
    ],
)
def test_bad_input_to_add_answers_422_with_the_reason_and_adds_nothing(
    supervisor_client, planned_job, work_centers, field, value, message
):
    data = {"work_center": work_centers[0].pk, "name": "Saw again", field: value}
    for headers in ({}, HTMX):
        response = supervisor_client.post(url("operation_add"), data, **headers)
        assert response.status_code == 422
        assert message in response.content.decode()
    assert planned_job.operations.count() == 3
    assert not Event.objects.filter(kind="operation.added").exists()


def test_script_in_an_operation_name_is_shown_as_text(supervisor_client, planned_job, work_centers):
    response = supervisor_client.post(
        url("operation_add"),
        {"work_center": work_centers[0].pk, "name": "<script>alert(1)</script>"},
        **HTMX,
    )
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_another_shops_work_center_cannot_be_added(supervisor_client, planned_job, other_shop):
    foreign = WorkCenterFactory(shop=other_shop, name="Beta Laser")
    response = supervisor_client.post(url("operation_add"), {"work_center": foreign.pk})
    assert response.status_code == 422
    assert "Beta Laser" not in response.content.decode()
    assert planned_job.operations.count() == 3


def test_double_submit_of_add_adds_two_operations_both_shown(
    supervisor_client, planned_job, work_centers
):
    """Adding is not idempotent on purpose (two saws can be right); both show, numbered, and
    either can be removed with one click."""
    data = {"work_center": work_centers[0].pk, "name": "Saw again"}
    supervisor_client.post(url("operation_add"), data, **HTMX)
    html = supervisor_client.post(url("operation_add"), data, **HTMX).content.decode()
    assert [name for _, name in shown_sequence(html)].count("Saw again") == 2
    assert [seq for seq, _ in shown_sequence(html)] == ["1", "2", "3", "4", "5"]


# --- Moving --------------------------------------------------------------------------------


def test_move_down_and_up_reorder_the_routing_and_record_the_new_order(
    supervisor_client, planned_job
):
    saw = op(planned_job, "Saw")

    response = supervisor_client.post(url("operation_move", saw), {"direction": "down"}, **HTMX)

    assert response.status_code == 200
    assert shown_sequence(response.content.decode()) == [
        ("1", "CNC Mill"),
        ("2", "Saw"),
        ("3", "Inspection"),
    ]
    assert ops(planned_job) == [(1, "CNC Mill"), (2, "Saw"), (3, "Inspection")]
    event = Event.objects.get(job=planned_job, kind="routing.reordered")
    assert "CNC Mill → Saw → Inspection" in event.summary

    inspection = op(planned_job, "Inspection")
    response = supervisor_client.post(url("operation_move", inspection), {"direction": "up"})
    assert response.status_code == 303
    assert response["Location"] == EDIT_URL + "#routing"
    assert ops(planned_job) == [(1, "CNC Mill"), (2, "Inspection"), (3, "Saw")]
    assert Event.objects.filter(job=planned_job, kind="routing.reordered").count() == 2


def test_the_first_and_last_operations_show_disabled_buttons_where_they_cannot_move(
    supervisor_client, planned_job
):
    html = supervisor_client.get(EDIT_URL).content.decode()
    assert html.count("disabled aria-label") == 2


def test_moving_past_the_top_is_refused_with_409_and_the_reason(supervisor_client, planned_job):
    saw = op(planned_job, "Saw")
    for headers in ({}, HTMX):
        response = supervisor_client.post(
            url("operation_move", saw), {"direction": "up"}, **headers
        )
        assert response.status_code == 409
        assert "The operation is already at the top." in response.content.decode()
    assert ops(planned_job) == [(1, "Saw"), (2, "CNC Mill"), (3, "Inspection")]
    assert not Event.objects.filter(kind="routing.reordered").exists()


@pytest.mark.parametrize("direction", ["", "sideways", "UP", "x" * 10_000])
def test_a_bad_direction_answers_422(supervisor_client, planned_job, direction):
    saw = op(planned_job, "Saw")
    response = supervisor_client.post(url("operation_move", saw), {"direction": direction})
    assert response.status_code == 422
    assert "Direction must be up or down." in response.content.decode()
    assert ops(planned_job)[0] == (1, "Saw")


def test_a_started_operation_stays_ahead_of_unstarted_ones(
    supervisor_client, supervisor, released_job
):
    saw = op(released_job, "Saw")
    start(supervisor, saw)
    response = supervisor_client.post(url("operation_move", saw), {"direction": "down"}, **HTMX)
    assert response.status_code == 409
    assert "Operations that have started stay ahead" in response.content.decode()
    assert ops(released_job)[0] == (1, "Saw")


# --- Removing ------------------------------------------------------------------------------


def test_remove_renumbers_the_rest_and_records_it(supervisor_client, planned_job):
    mill = op(planned_job, "CNC Mill")

    response = supervisor_client.post(url("operation_remove", mill), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Operation 2 CNC Mill removed." in html
    assert shown_sequence(html) == [("1", "Saw"), ("2", "Inspection")]
    assert ops(planned_job) == [(1, "Saw"), (2, "Inspection")]
    assert Event.objects.filter(job=planned_job, kind="operation.removed").count() == 1


def test_remove_without_js_redirects_back_with_a_message(supervisor_client, planned_job):
    response = supervisor_client.post(url("operation_remove", op(planned_job, "Saw")))
    assert response.status_code == 303
    page = supervisor_client.get(response["Location"]).content.decode()
    assert "Operation 1 Saw removed." in page


def test_a_started_operation_cannot_be_removed_and_the_page_says_why(
    supervisor_client, supervisor, released_job
):
    saw = op(released_job, "Saw")
    start(supervisor, saw)

    for headers in (HTMX, {}):
        response = supervisor_client.post(url("operation_remove", saw), **headers)
        assert response.status_code == 409
        assert "Operation 1 Saw has floor activity; it stays." in response.content.decode()
    assert released_job.operations.count() == 3
    assert not Event.objects.filter(kind="operation.removed").exists()


def test_removing_twice_answers_404_the_second_time(supervisor_client, planned_job):
    saw = op(planned_job, "Saw")
    supervisor_client.post(url("operation_remove", saw))
    assert supervisor_client.post(url("operation_remove", saw)).status_code == 404
    assert planned_job.operations.count() == 2


# --- Editing one operation -------------------------------------------------------------------


def test_edit_form_opens_inline_with_htmx_and_as_a_page_without(supervisor_client, planned_job):
    mill = op(planned_job, "CNC Mill")

    inline = supervisor_client.get(url("operation_edit", mill), **HTMX)
    assert inline.status_code == 200
    assert "<html" not in inline.content.decode()
    assert f'id="op-{mill.pk}"' in inline.content.decode()
    assert 'value="CNC Mill"' in inline.content.decode()

    page = supervisor_client.get(url("operation_edit", mill))
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert "Operation 2 of" in page.content.decode()


def test_saving_an_operation_changes_it_and_records_an_event(
    supervisor_client, planned_job, work_centers
):
    mill = op(planned_job, "CNC Mill")
    data = {
        "work_center": work_centers[1].pk,
        "name": "Mill op 20",
        "setup_minutes": "45",
        "run_minutes": "3.25",
        "instructions": "Use fixture F-12.",
    }

    response = supervisor_client.post(url("operation_edit", mill), data, **HTMX)

    assert response.status_code == 200
    assert "Operation 2 Mill op 20 saved." in response.content.decode()
    mill.refresh_from_db()
    assert (mill.name, str(mill.setup_minutes), str(mill.run_minutes)) == (
        "Mill op 20",
        "45.00",
        "3.25",
    )
    assert mill.instructions == "Use fixture F-12."
    assert Event.objects.filter(job=planned_job, kind="operation.updated").count() == 1

    plain = supervisor_client.post(url("operation_edit", mill), {**data, "name": "Mill 20"})
    assert plain.status_code == 303
    assert plain["Location"] == EDIT_URL + "#routing"


@pytest.mark.parametrize(
    ("field", "value"),
    [("setup_minutes", "-1"), ("run_minutes", "abc"), ("name", "n" * 10_000), ("work_center", "")],
)
def test_bad_operation_edit_is_refused_in_its_own_row(
    supervisor_client, planned_job, work_centers, field, value
):
    mill = op(planned_job, "CNC Mill")
    data = {"work_center": work_centers[1].pk, "name": "CNC Mill", field: value}

    response = supervisor_client.post(url("operation_edit", mill), data, **HTMX)

    assert response.status_code == 422
    assert response["HX-Retarget"] == f"#op-{mill.pk}"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'class="field-error"' in response.content.decode()
    assert supervisor_client.post(url("operation_edit", mill), data).status_code == 422
    mill.refresh_from_db()
    assert mill.name == "CNC Mill" and str(mill.setup_minutes) == "30.00"
    assert not Event.objects.filter(kind="operation.updated").exists()


def test_a_finished_operation_cannot_move_to_another_work_center(
    supervisor_client, supervisor, released_job, work_centers
):
    saw = op(released_job, "Saw")
    start(supervisor, saw)
    floor_services.floor_action(
        user=supervisor, operation=saw, action="finish", client_id="finish-saw-01", qty_good=100
    )
    response = supervisor_client.post(
        url("operation_edit", saw), {"work_center": work_centers[1].pk, "name": "Saw"}
    )
    assert response.status_code == 409
    assert "A finished operation cannot move to another work center." in (response.content.decode())
    saw.refresh_from_db()
    assert saw.work_center == work_centers[0]


def test_an_operation_of_another_job_in_the_url_answers_404(
    supervisor_client, supervisor, planned_job, customer, part, work_centers
):
    second = job_services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        operations=[{"work_center": work_centers[0], "name": "Other saw"}],
    )
    foreign_op = second.operations.get()
    for name in ("operation_edit", "operation_move", "operation_remove"):
        response = supervisor_client.post(url(name, foreign_op), {"direction": "up"})
        assert response.status_code == 404
    assert second.operations.count() == 1


# --- Closed jobs, roles and tenancy ------------------------------------------------------------


def test_a_closed_jobs_routing_is_final(supervisor_client, supervisor, planned_job, work_centers):
    job_services.job_close(user=supervisor, job=planned_job, reason="Cancelled by customer")
    saw = op(planned_job, "Saw")

    assert (
        supervisor_client.post(url("operation_add"), {"work_center": work_centers[0].pk})
    ).status_code == 409
    assert supervisor_client.post(url("operation_remove", saw)).status_code == 409
    response = supervisor_client.post(url("operation_move", saw), {"direction": "down"})
    assert response.status_code == 409
    assert "its routing is final" in response.content.decode()
    response = supervisor_client.post(
        url("operation_edit", saw), {"work_center": work_centers[0].pk, "name": "New"}
    )
    assert response.status_code == 409
    assert ops(planned_job) == [(1, "Saw"), (2, "CNC Mill"), (3, "Inspection")]


def test_operator_gets_403_on_every_routing_write_and_nothing_changes(
    operator_client, planned_job, work_centers
):
    saw = op(planned_job, "Saw")
    attempts = [
        ("get", url("operation_edit", saw), {}),
        ("post", url("operation_add"), {"work_center": work_centers[0].pk}),
        ("post", url("operation_edit", saw), {"work_center": work_centers[0].pk, "name": "X"}),
        ("post", url("operation_move", saw), {"direction": "down"}),
        ("post", url("operation_remove", saw), {}),
    ]
    for method, target, data in attempts:
        assert getattr(operator_client, method)(target, data).status_code == 403
    assert ops(planned_job) == [(1, "Saw"), (2, "CNC Mill"), (3, "Inspection")]
    assert not Event.objects.filter(kind__startswith="operation.").exists()


def test_outsider_gets_404_for_acmes_job_and_operations(
    outsider_client, planned_job, other_job, work_centers
):
    """The outsider's own shop also has a J-1001: Acme's operation ids are not on it."""
    saw = op(planned_job, "Saw")
    attempts = [
        ("get", url("operation_edit", saw), {}),
        ("post", url("operation_edit", saw), {"work_center": work_centers[0].pk, "name": "X"}),
        ("post", url("operation_move", saw), {"direction": "down"}),
        ("post", url("operation_remove", saw), {}),
    ]
    for method, target, data in attempts:
        assert getattr(outsider_client, method)(target, data).status_code == 404
    # Adding Acme's work center to their own J-1001 is refused as not a choice.
    response = outsider_client.post(url("operation_add"), {"work_center": work_centers[0].pk})
    assert response.status_code == 422
    assert other_job.operations.count() == 1
    assert ops(planned_job) == [(1, "Saw"), (2, "CNC Mill"), (3, "Inspection")]


def test_outsider_without_a_job_of_that_number_gets_404(outsider_client, planned_job):
    saw = op(planned_job, "Saw")
    assert outsider_client.post(url("operation_add"), {"work_center": 1}).status_code == 404
    assert outsider_client.post(url("operation_remove", saw)).status_code == 404
    assert planned_job.operations.count() == 3


def test_routing_writes_need_post(supervisor_client, planned_job):
    saw = op(planned_job, "Saw")
    assert supervisor_client.get(url("operation_add")).status_code == 405
    assert supervisor_client.get(url("operation_move", saw)).status_code == 405
    assert supervisor_client.get(url("operation_remove", saw)).status_code == 405
