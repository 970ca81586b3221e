"""Shipping in quantities: a job ships its good parts in one or more shipments, and its stage
is "shipped" only once every good part has gone."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.apps import apps
from django.urls import reverse

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.models import Event
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services
from shopdesk.jobs.derive import job_refresh_derived
from shopdesk.jobs.models import Job, JobStage, JobState

DETAIL = reverse("jobs:detail", args=["J-1001"])
SHIP = reverse("jobs:ship", args=["J-1001"])


def _finish_all(user, job: Job, good: int = 100) -> Job:
    for operation in job.operations.order_by("sequence"):
        for action, fields in (("start", {}), ("finish", {"qty_good": good})):
            floor_services.floor_action(
                user=user,
                operation=operation,
                action=action,
                client_id=uuid.uuid4().hex,
                **fields,
            )
    return Job.objects.get(pk=job.pk)


@pytest.fixture
def complete_job(operator, released_job):
    """J-1001 with every operation done: 90 good parts out of the routing."""
    return _finish_all(operator, released_job, good=90)


def test_two_partial_shipments_ship_the_job(supervisor, complete_job):
    job = services.job_ship(user=supervisor, job=complete_job, quantity=40)
    assert (job.quantity_shipped, job.stage, job.is_open) == (40, JobStage.COMPLETE, True)

    job = services.job_ship(user=supervisor, job=job, quantity=50)
    job.refresh_from_db()
    assert (job.quantity_shipped, job.stage, job.is_open) == (90, JobStage.SHIPPED, False)
    assert job.state == JobState.RELEASED
    events = list(Event.objects.filter(kind="job.shipped").order_by("id"))
    assert [event.after["quantity"] for event in events] == [40, 50]
    assert events[-1].after == {
        "quantity": 50,
        "quantity_shipped": 90,
        "good": 90,
        "stage": "shipped",
    }
    assert "every good part has shipped" in events[-1].summary


def test_never_more_than_the_good_parts_left(supervisor, complete_job):
    services.job_ship(user=supervisor, job=complete_job, quantity=80)
    with pytest.raises(InvalidInput, match="Only 10 good parts of J-1001 are left to ship."):
        services.job_ship(user=supervisor, job=complete_job, quantity=11)
    complete_job.refresh_from_db()
    assert complete_job.quantity_shipped == 80
    assert Event.objects.filter(kind="job.shipped").count() == 1


@pytest.mark.parametrize("quantity", [0, -1, True, "5"])
def test_a_quantity_is_a_whole_number_from_one(supervisor, complete_job, quantity):
    with pytest.raises(InvalidInput):
        services.job_ship(user=supervisor, job=complete_job, quantity=quantity)
    complete_job.refresh_from_db()
    assert complete_job.quantity_shipped == 0


def test_nothing_ships_before_every_operation_is_done(supervisor, released_job):
    with pytest.raises(ActionRefused, match="once every operation is done"):
        services.job_ship(user=supervisor, job=released_job, quantity=1)


def test_an_operator_does_not_ship(operator, complete_job):
    with pytest.raises(PermissionRefused):
        services.job_ship(user=operator, job=complete_job, quantity=1)


def test_mark_shipped_ships_what_is_left(supervisor, complete_job):
    services.job_ship(user=supervisor, job=complete_job, quantity=30)
    job = services.job_mark_shipped(user=supervisor, job=complete_job)
    assert (job.quantity_shipped, job.stage) == (90, JobStage.SHIPPED)
    with pytest.raises(ActionRefused):
        services.job_mark_shipped(user=supervisor, job=complete_job)


def test_a_partly_shipped_job_keeps_its_routing_and_floor(supervisor, operator, complete_job):
    services.job_ship(user=supervisor, job=complete_job, quantity=30)
    with pytest.raises(ActionRefused, match="its routing is final"):
        services.operation_add(user=supervisor, job=complete_job, outside_vendor="X", name="Y")
    with pytest.raises(ActionRefused, match="has shipped parts"):
        services.job_unrelease(user=supervisor, job=complete_job, reason="Oops")


def test_the_live_page_shows_the_shipped_quantity(supervisor_client, complete_job):
    html = supervisor_client.get(DETAIL).content.decode()
    assert "Mark shipped" in html
    assert 'name="quantity"' in html and 'value="90"' in html

    response = supervisor_client.post(SHIP, {"quantity": "40"})
    assert response.status_code == 303
    html = supervisor_client.get(DETAIL).content.decode()
    assert "<dt>Shipped</dt><dd>40 of 90 good" in html
    assert "50 to ship" in html
    assert "40 shipped, 50 to ship." in html  # the next customer update
    assert "Complete" in html

    refused = supervisor_client.post(SHIP, {"quantity": "51"})
    assert refused.status_code == 422
    assert "Only 50 good parts of J-1001 are left to ship." in refused.content.decode()
    assert supervisor_client.post(SHIP, {"quantity": "many"}).status_code == 422

    # No quantity: the rest (the "Mark shipped" of a whole delivery).
    assert supervisor_client.post(SHIP).status_code == 303
    html = supervisor_client.get(DETAIL).content.decode()
    assert "<dt>Shipped</dt><dd>90 of 90 good" in html
    assert "90 pump housings shipped" in html
    assert 'name="quantity"' not in html
    complete_job.refresh_from_db()
    assert complete_job.stage == JobStage.SHIPPED


def test_a_job_shipped_before_quantities_keeps_its_stage(complete_job):
    """The data migration: a job in the old "shipped" state shipped all its good parts."""
    migration = importlib.import_module(
        "shopdesk.jobs.migrations.0009_outside_operations_and_shipped_quantity"
    )
    Job.objects.filter(pk=complete_job.pk).update(state="shipped", stage="shipped", is_open=False)
    migration.shipped_state_to_quantity(apps, None)
    complete_job.refresh_from_db()
    assert (complete_job.state, complete_job.quantity_shipped) == (JobState.RELEASED, 90)
    assert (complete_job.stage, complete_job.is_open) == (JobStage.SHIPPED, False)
    # And the stage derived from the facts agrees.
    assert job_refresh_derived(complete_job).stage == JobStage.SHIPPED
