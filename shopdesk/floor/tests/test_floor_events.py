"""Finishing an operation publishes `operation_finished` inside the finish's transaction:
a subscriber sees the operation as finished, and a subscriber that refuses undoes the finish."""

from __future__ import annotations

import pytest
from django.db import transaction

from shopdesk.core.errors import ActionRefused
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Event
from shopdesk.floor import services as floor_services
from shopdesk.floor.services.actions import OperationFinished, operation_finished
from shopdesk.jobs.models import FloorAction, Operation, OperationStatus
from shopdesk.lib.pubsub import Topic


def _first(job) -> Operation:
    return job.operations.order_by("sequence").first()


def _start(operator, operation) -> None:
    floor_services.floor_action(
        user=operator, operation=operation, action="start", client_id="s-000001"
    )


def _finish(operator, operation, client_id="f-000001"):
    return floor_services.floor_action(
        user=operator,
        operation=operation,
        action="finish",
        client_id=client_id,
        qty_good=97,
        qty_scrap=3,
    )


def test_a_subscriber_sees_the_finished_operation(released_job, operator):
    operation = _first(released_job)
    _start(operator, operation)
    seen: list[tuple] = []

    def inspect(finished: OperationFinished) -> None:
        # Read back from the database: the subscriber sees the rows the finish wrote.
        stored = Operation.objects.get(pk=finished.operation.pk)
        seen.append(
            (
                stored.status,
                stored.qty_good,
                finished.event.kind,
                finished.action.client_id,
                finished.user,
                finished.job.operations_done,
                transaction.get_connection().in_atomic_block,
            )
        )

    with operation_finished.subscribed(inspect):
        _finish(operator, operation)
    assert seen == [
        (OperationStatus.DONE, 97, EventKind.OPERATION_FINISH, "f-000001", operator, 1, True)
    ]


def test_a_subscriber_that_refuses_undoes_the_finish(released_job, operator):
    operation = _first(released_job)
    _start(operator, operation)
    events_before = Event.objects.count()

    def refuse(finished: OperationFinished) -> None:
        raise ActionRefused("The first-article inspection is not recorded.")

    with operation_finished.subscribed(refuse), pytest.raises(ActionRefused, match="first-article"):
        _finish(operator, operation)
    operation.refresh_from_db()
    released_job.refresh_from_db()
    assert operation.status == OperationStatus.RUNNING
    assert (operation.qty_good, operation.qty_scrap, operation.finished_at) == (0, 0, None)
    assert released_job.operations_done == 0
    assert Event.objects.count() == events_before
    assert not FloorAction.objects.filter(client_id="f-000001").exists()
    # The client id was not spent: once the subscriber is satisfied the same finish goes through.
    result = _finish(operator, operation)
    assert result.replayed is False
    assert result.operation.status == OperationStatus.DONE


def _scan(client, payload: dict):
    return client.post("/api/v1/scans", payload, content_type="application/json")


def test_a_refusing_subscriber_answers_the_scan_api_with_its_message(operator_client, released_job):
    _scan(operator_client, {"job": "J-1001", "action": "start", "client_id": "s-0000001"})

    def refuse(finished: OperationFinished) -> None:
        raise ActionRefused("Record the inspection first.")

    payload = {"job": "J-1001", "action": "finish", "qty_good": 100, "client_id": "f-0000009"}
    with operation_finished.subscribed(refuse):
        response = _scan(operator_client, payload)
    assert response.status_code == 409
    assert response.json()["detail"] == "Record the inspection first."
    assert _first(released_job).status == OperationStatus.RUNNING


def test_only_a_finish_publishes(released_job, operator):
    operation = _first(released_job)
    calls: list[OperationFinished] = []
    with operation_finished.subscribed(calls.append):
        _start(operator, operation)
        floor_services.floor_action(
            user=operator, operation=operation, action="note", client_id="n-000001", note="Burr"
        )
        floor_services.floor_action(
            user=operator, operation=operation, action="pause", client_id="p-000001"
        )
        assert calls == []
        floor_services.floor_action(
            user=operator, operation=operation, action="start", client_id="s-000002"
        )
        _finish(operator, operation)
        assert len(calls) == 1
        # A replay of the finish answers the first result and publishes nothing again.
        assert _finish(operator, operation).replayed is True
    assert len(calls) == 1


def test_publishing_outside_a_transaction_is_a_programming_error():
    topic: Topic[int] = Topic("test.outside")
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        topic.publish(1)


def test_subscribing_twice_calls_once_and_subscribers_run_in_order(db):
    topic: Topic[str] = Topic("test.order")
    calls: list[str] = []

    def first(payload: str) -> None:
        calls.append("first " + payload)

    def second(payload: str) -> None:
        calls.append("second " + payload)

    topic.subscribe(first)
    topic.subscribe(second)
    topic.subscribe(first)
    with transaction.atomic():
        topic.publish("x")
    assert calls == ["first x", "second x"]
    topic.unsubscribe(first)
    assert topic.subscribers == (second,)
