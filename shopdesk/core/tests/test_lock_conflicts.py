"""A transaction the database aborts over a lock conflict: run once more, else a 503, not a 500."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.db import OperationalError, transaction

from shopdesk.lib.db import is_lock_conflict, retry_on_lock_conflict

pytestmark = pytest.mark.django_db


class _PsycopgError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__("deadlock detected")
        self.sqlstate = sqlstate


def _conflict(sqlstate: str = "40P01") -> OperationalError:
    error = OperationalError("deadlock detected\nDETAIL: Process 1 waits for ShareLock")
    error.__cause__ = _PsycopgError(sqlstate)
    return error


@pytest.fixture
def outermost():
    """As a view calls a service: no transaction open around it (the test's own is hidden)."""
    with mock.patch("shopdesk.lib.db.connection", mock.Mock(in_atomic_block=False)):
        yield


def test_only_deadlocks_and_serialization_failures_are_conflicts():
    assert is_lock_conflict(_conflict("40P01"))
    assert is_lock_conflict(_conflict("40001"))
    assert not is_lock_conflict(_conflict("57P01"))  # the server shut down
    assert not is_lock_conflict(OperationalError("database is locked"))
    assert not is_lock_conflict(ValueError("x"))


def test_a_service_aborted_by_a_conflict_runs_once_more(outermost, caplog):
    calls = []

    @retry_on_lock_conflict
    @transaction.atomic
    def service():
        calls.append(1)
        if len(calls) == 1:
            raise _conflict()
        return "done"

    with caplog.at_level(logging.WARNING, logger="shopdesk"):
        assert service() == "done"
    assert len(calls) == 2
    assert "running it once more" in caplog.text


def test_a_second_conflict_is_not_retried_again(outermost):
    calls = []

    @retry_on_lock_conflict
    def service():
        calls.append(1)
        raise _conflict()

    with pytest.raises(OperationalError):
        service()
    assert len(calls) == 2


def test_other_errors_are_not_retried(outermost):
    calls = []

    @retry_on_lock_conflict
    def service():
        calls.append(1)
        raise _conflict("57P01")

    with pytest.raises(OperationalError):
        service()
    assert len(calls) == 1


def test_inside_a_callers_transaction_the_caller_decides():
    calls = []

    @retry_on_lock_conflict
    def service():
        calls.append(1)
        raise _conflict()

    with pytest.raises(OperationalError), transaction.atomic():
        service()
    assert len(calls) == 1


def test_a_page_hit_by_a_conflict_says_try_again(supervisor_client, planned_job, caplog):
    with mock.patch("shopdesk.jobs.views.pages._render_detail", side_effect=_conflict()):
        response = supervisor_client.get("/jobs/J-1001/")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "Try again" in response.content.decode()
    assert "lock conflict" in caplog.text


def test_an_api_call_hit_by_a_conflict_answers_json(supervisor, planned_job):
    from shopdesk.core.tests.api_clients import api_for

    api = api_for(supervisor)
    with mock.patch("shopdesk.jobs.api.services.job_update", side_effect=_conflict()):
        response = api.patch("/api/v1/jobs/J-1001", {"quantity": 5})
    assert response.status_code == 503
    assert response.json()["detail"].endswith("Try again.")
    assert response.json()["errors"] == []


def test_every_row_lock_goes_through_for_update():
    """select_for_update() alone also locks every select_related row (the shop behind a part,
    the job behind a traveler) and blocks inserts that reference the row: the crossed orders
    that deadlocked. Services lock through shopdesk.lib.db.for_update only."""
    from pathlib import Path

    import shopdesk

    root = Path(shopdesk.__file__).parent
    direct = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "db.py"
        and ".select_for_update(" in path.read_text()
    ]
    assert direct == []
