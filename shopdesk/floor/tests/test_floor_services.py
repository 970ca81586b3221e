import pytest

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.models import Event
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services
from shopdesk.jobs.models import FloorAction, JobStage, OperationStatus


def _ops(job):
    return list(job.operations.order_by("sequence"))


def test_start_and_finish_moves_job_through_stages(released_job, operator):
    first, second, third = _ops(released_job)
    assert released_job.stage == JobStage.RELEASED

    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="c-start-0001"
    )
    released_job.refresh_from_db()
    assert released_job.stage == JobStage.IN_PRODUCTION
    assert released_job.stage_label == "In production at Saw"

    floor_services.floor_action(
        user=operator,
        operation=first,
        action="finish",
        client_id="c-finish-001",
        qty_good=98,
        qty_scrap=2,
    )
    released_job.refresh_from_db()
    first.refresh_from_db()
    assert first.status == OperationStatus.DONE and first.qty_good == 98
    assert released_job.current_work_center.name == "CNC Mill"
    assert released_job.operations_done == 1

    for op, cid in ((second, "c-second-01"), (third, "c-third-001")):
        floor_services.floor_action(
            user=operator, operation=op, action="start", client_id=cid + "s"
        )
        floor_services.floor_action(
            user=operator, operation=op, action="finish", client_id=cid + "f", qty_good=98
        )
    released_job.refresh_from_db()
    assert released_job.stage == JobStage.COMPLETE


def test_replay_answers_first_result_and_changes_nothing(released_job, operator):
    first = _ops(released_job)[0]
    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="dup-000001"
    )
    events_before = Event.objects.count()
    result = floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="dup-000001"
    )
    assert result.replayed is True
    assert Event.objects.count() == events_before
    assert FloorAction.objects.filter(client_id="dup-000001").count() == 1


def test_replay_with_changed_payload_is_refused(released_job, operator):
    first = _ops(released_job)[0]
    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="dup-000002"
    )
    with pytest.raises(ActionRefused, match="different action"):
        floor_services.floor_action(
            user=operator, operation=first, action="pause", client_id="dup-000002"
        )
    first.refresh_from_db()
    assert first.status == OperationStatus.RUNNING


def test_finish_refused_when_not_started_or_too_many(released_job, operator):
    first = _ops(released_job)[0]
    with pytest.raises(ActionRefused, match="not been started"):
        floor_services.floor_action(
            user=operator, operation=first, action="finish", client_id="fin-000001", qty_good=1
        )
    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="fin-000002"
    )
    with pytest.raises(ActionRefused, match="more than the 100 parts"):
        floor_services.floor_action(
            user=operator, operation=first, action="finish", client_id="fin-000003", qty_good=101
        )
    first.refresh_from_db()
    assert first.status == OperationStatus.RUNNING and first.qty_good == 0


def test_floor_action_on_unreleased_job_refused(planned_job, operator):
    first = _ops(planned_job)[0]
    with pytest.raises(ActionRefused, match="released job"):
        floor_services.floor_action(
            user=operator, operation=first, action="start", client_id="unrel-0001"
        )
    assert not FloorAction.objects.exists()


@pytest.mark.parametrize("client_id", ["", "short", "x" * 65, "bad id with spaces", "../../etc"])
def test_bad_client_id_refused(released_job, operator, client_id):
    with pytest.raises(InvalidInput):
        floor_services.floor_action(
            user=operator, operation=_ops(released_job)[0], action="start", client_id=client_id
        )


def test_blocker_raise_and_resolve_updates_job(released_job, operator, supervisor):
    blocker, replayed = services.blocker_raise(
        user=operator,
        job=released_job,
        kind="material",
        note="Bar stock short",
        owner=supervisor,
        client_id="blk-000001",
    )
    assert not replayed
    released_job.refresh_from_db()
    assert released_job.open_blocker_count == 1
    again, replayed = services.blocker_raise(
        user=operator,
        job=released_job,
        kind="material",
        note="Bar stock short",
        client_id="blk-000001",
    )
    assert replayed and again.pk == blocker.pk
    with pytest.raises(InvalidInput):
        services.blocker_resolve(user=supervisor, blocker=blocker, note="  ")
    services.blocker_resolve(user=supervisor, blocker=blocker, note="Stock arrived")
    released_job.refresh_from_db()
    assert released_job.open_blocker_count == 0


def test_release_lists_what_is_missing(supervisor, customer, part):
    job = services.job_create(user=supervisor, customer=customer, part=part)
    with pytest.raises(ActionRefused) as refused:
        services.job_release(user=supervisor, job=job)
    messages = [e["message"] for e in refused.value.errors]
    assert "Set a quantity." in messages
    assert "Set a due date." in messages
    assert "Add at least one operation to the routing." in messages
    job.refresh_from_db()
    assert job.stage == JobStage.PLANNED


def test_job_numbers_count_per_shop(planned_job, other_job):
    assert planned_job.display_number == "J-1001"
    assert other_job.display_number == "J-1001"


def test_nul_characters_are_refused_not_stored(released_job, operator):
    first = _ops(released_job)[0]
    with pytest.raises(InvalidInput, match="NUL"):
        floor_services.floor_action(
            user=operator, operation=first, action="note", client_id="nul-000001", note="a\x00b"
        )
    with pytest.raises(InvalidInput, match="NUL"):
        services.blocker_raise(user=operator, job=released_job, kind="other", note="x\x00")
    assert not FloorAction.objects.exists()
    released_job.refresh_from_db()
    assert released_job.open_blocker_count == 0


def test_an_operation_whose_earlier_one_has_not_started_is_not_ready(released_job, operator):
    first, second, _third = _ops(released_job)
    with pytest.raises(ActionRefused, match="Op 2 CNC Mill is not ready: op 1 Saw has not been"):
        floor_services.floor_action(
            user=operator, operation=second, action="start", client_id="early-0001"
        )
    second.refresh_from_db()
    assert second.status == OperationStatus.PENDING
    assert not FloorAction.objects.exists()
    assert not second.labor_entries.exists()

    # Once op 1 runs, op 2 may overlap it (parts flow on before the batch is done).
    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="first-0001"
    )
    floor_services.floor_action(
        user=operator, operation=second, action="start", client_id="early-0002"
    )
    second.refresh_from_db()
    assert second.status == OperationStatus.RUNNING


def test_new_work_on_a_blocked_job_is_refused_until_the_blocker_is_resolved(
    released_job, operator, supervisor
):
    first = _ops(released_job)[0]
    blocker, _replayed = services.blocker_raise(
        user=supervisor, job=released_job, kind="material", note="Bar stock short"
    )
    events_before = Event.objects.count()
    with pytest.raises(ActionRefused, match="J-1001 has an open blocker"):
        floor_services.floor_action(
            user=operator, operation=first, action="start", client_id="blocked-001"
        )
    first.refresh_from_db()
    assert first.status == OperationStatus.PENDING
    assert Event.objects.count() == events_before

    services.blocker_resolve(user=supervisor, blocker=blocker, note="Stock arrived")
    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="blocked-002"
    )
    first.refresh_from_db()
    assert first.status == OperationStatus.RUNNING
