"""The release gate, its supervisor override, moving a job to another revision and notices of
change: the services, as every view and API handler calls them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.models import Event, Role
from shopdesk.core.tests.factories import DocumentFactory, PartFactory, member
from shopdesk.jobs import services
from shopdesk.jobs.models import Blocker, Job, JobState, NoticeStatus, RevisionNotice
from shopdesk.jobs.tests.revisions import draft_revision, drawing_of, release_revision
from shopdesk.parts.models import DocumentKind
from shopdesk.travelers import services as traveler_services


def _problems(job: Job) -> list[str]:
    job.refresh_from_db()
    return services.job_release_problems(job)


def _events(job: Job, kind: str) -> list[Event]:
    return list(Event.objects.filter(job=job, kind=kind))


@pytest.fixture
def office(shop):
    return member(shop, Role.OFFICE, username="otto", first_name="Otto", last_name="Office")


# --- The gate: each problem in a planner's words ---------------------------------------------


def test_a_ready_job_has_no_problems_and_releases(supervisor, planned_job):
    assert _problems(planned_job) == []
    job = services.job_release(user=supervisor, job=planned_job)
    assert job.state == JobState.RELEASED
    assert not _events(job, "job.release_overridden")


def test_a_draft_revision_holds_the_job(supervisor, customer, part, planned_job):
    draft_revision(part, "B")
    services.job_move_revision(
        user=supervisor, job=planned_job, revision=part.revisions.get(code="B"), reason="Try B"
    )
    assert _problems(planned_job) == [
        "Revision B of NP-220 is a draft; release it, or move the job to the released revision."
    ]
    with pytest.raises(ActionRefused):
        services.job_release(user=supervisor, job=planned_job)


def test_a_superseded_revision_holds_the_job(supervisor, part, planned_job):
    release_revision(supervisor, part, "B")
    assert _problems(planned_job) == [
        "Revision A of NP-220 is superseded by revision B; move the job to the released revision."
    ]


def test_a_revision_without_a_current_drawing_holds_the_job(supervisor, customer, work_centers):
    bare = PartFactory(shop=customer.shop, customer=customer, number="NP-300")
    revision = bare.revisions.get()
    # A model is not a drawing, and a drawing replaced by a newer version is not current.
    DocumentFactory(revision=revision, kind=DocumentKind.MODEL, name="NP-300.step", content=b"x")
    old = DocumentFactory(revision=revision, name="NP-300-old.pdf")
    old.replaced_at = timezone.now()
    old.save()
    job = services.job_create(
        user=supervisor,
        customer=customer,
        part=bare,
        material_status="received",
        quantity=4,
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        operations=[{"work_center": work_centers[0], "name": "Saw"}],
    )
    assert _problems(job) == ["Revision A of NP-300 has no drawing; upload one to it."]
    DocumentFactory(revision=revision, name="NP-300.pdf")
    assert _problems(job) == []


def test_routing_quantity_and_due_date_are_each_listed(supervisor, customer, part):
    job = services.job_create(
        user=supervisor, customer=customer, part=part, material_status="from_stock"
    )
    assert _problems(job) == [
        "Set a quantity.",
        "Set a due date.",
        "Add at least one operation to the routing.",
    ]


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        ("not_ordered", "Material is not ordered; mark it received or from stock when it is here."),
        ("ordered", "Material is ordered; mark it received or from stock when it is here."),
        ("received", None),
        ("from_stock", None),
    ],
)
def test_material_must_be_here(supervisor, planned_job, status, problem):
    services.job_update(user=supervisor, job=planned_job, material_status=status)
    assert _problems(planned_job) == ([problem] if problem else [])


def test_open_material_and_drawing_blockers_hold_the_job(supervisor, operator, planned_job):
    services.blocker_raise(user=operator, job=planned_job, kind="material", note="Bar short")
    services.blocker_raise(user=operator, job=planned_job, kind="drawing", note="Which tolerance?")
    tooling, _ = services.blocker_raise(
        user=operator, job=planned_job, kind="tooling", note="Insert worn"
    )
    solved, _ = services.blocker_raise(
        user=operator, job=planned_job, kind="material", note="Certs missing"
    )
    services.blocker_resolve(user=supervisor, blocker=solved, note="Certs came")
    assert _problems(planned_job) == [
        "Resolve the open material blocker: Bar short",
        "Resolve the open drawing question blocker: Which tolerance?",
    ]


def test_a_refusal_lists_every_problem_and_changes_nothing(supervisor, customer, part):
    job = services.job_create(user=supervisor, customer=customer, part=part)
    with pytest.raises(ActionRefused) as refused:
        services.job_release(user=supervisor, job=job)
    messages = [error["message"] for error in refused.value.errors]
    assert len(messages) == 4 and "Set a quantity." in messages
    job.refresh_from_db()
    assert job.state == JobState.PLANNED
    assert not _events(job, "job.released")


# --- The supervisor's override ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "owner"])
def test_supervisor_or_owner_releases_past_the_gate_with_a_reason(request, planned_job, who):
    user = request.getfixturevalue(who)
    services.job_update(user=user, job=planned_job, material_status="ordered")
    job = services.job_release(
        user=user, job=planned_job, override_reason="  Bar arrives at 7, first op is setup.  "
    )
    assert job.state == JobState.RELEASED
    [event] = _events(job, "job.release_overridden")
    assert event.actor == user
    assert event.after == {"reason": "Bar arrives at 7, first op is setup."}
    assert event.before == {
        "problems": ["Material is ordered; mark it received or from stock when it is here."]
    }
    [released] = _events(job, "job.released")
    assert released.after["override_reason"] == "Bar arrives at 7, first op is setup."


@pytest.mark.parametrize("who", ["office", "operator", "quality"])
def test_other_roles_cannot_override(request, supervisor, planned_job, who):
    services.job_update(user=supervisor, job=planned_job, material_status="ordered")
    with pytest.raises(PermissionRefused):
        services.job_release(
            user=request.getfixturevalue(who), job=planned_job, override_reason="Trust me"
        )
    planned_job.refresh_from_db()
    assert planned_job.state == JobState.PLANNED
    assert not _events(planned_job, "job.release_overridden")
    assert not _events(planned_job, "job.released")


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "nul\x00byte"])
def test_a_blank_or_oversized_reason_is_refused(supervisor, planned_job, reason):
    services.job_update(user=supervisor, job=planned_job, material_status="ordered")
    with pytest.raises(InvalidInput) as refused:
        services.job_release(user=supervisor, job=planned_job, override_reason=reason)
    assert refused.value.field == "override_reason"
    planned_job.refresh_from_db()
    assert planned_job.state == JobState.PLANNED
    assert not _events(planned_job, "job.release_overridden")


def test_a_reason_of_exactly_500_characters_is_taken(supervisor, planned_job):
    services.job_update(user=supervisor, job=planned_job, material_status="ordered")
    services.job_release(user=supervisor, job=planned_job, override_reason="y" * 500)
    planned_job.refresh_from_db()
    assert planned_job.state == JobState.RELEASED


def test_override_does_not_skip_the_state(supervisor, released_job):
    with pytest.raises(ActionRefused, match="not planned"):
        services.job_release(user=supervisor, job=released_job, override_reason="Again")
    assert not _events(released_job, "job.release_overridden")


def test_an_override_of_a_ready_job_is_a_plain_release(supervisor, planned_job):
    services.job_release(user=supervisor, job=planned_job, override_reason="Just in case")
    assert not _events(planned_job, "job.release_overridden")


# --- Material status --------------------------------------------------------------------------


def test_material_status_change_is_an_event(supervisor, planned_job):
    services.job_update(user=supervisor, job=planned_job, material_status="ordered")
    [event] = _events(planned_job, "job.material_status_changed")
    assert event.before == {"material_status": "from_stock"}
    assert event.after == {"material_status": "ordered"}
    assert event.summary == "J-1001 material: From stock → Ordered"
    assert not _events(planned_job, "job.updated")


@pytest.mark.parametrize("value", ["lost", "", None, "RECEIVED"])
def test_an_unknown_material_status_is_refused(supervisor, customer, part, planned_job, value):
    with pytest.raises(InvalidInput) as refused:
        services.job_update(user=supervisor, job=planned_job, material_status=value)
    assert refused.value.field == "material_status"
    with pytest.raises(InvalidInput):
        services.job_create(user=supervisor, customer=customer, part=part, material_status=value)
    assert Job.objects.count() == 1
    planned_job.refresh_from_db()
    assert planned_job.material_status == "from_stock"


def test_the_revision_is_not_a_free_typed_field(supervisor, planned_job):
    with pytest.raises(InvalidInput, match="move the job") as refused:
        services.job_update(user=supervisor, job=planned_job, revision="Z")
    assert refused.value.field == "revision"
    planned_job.refresh_from_db()
    assert planned_job.revision == "A"


def test_a_new_part_brings_its_current_revision(supervisor, customer, planned_job):
    other = PartFactory(shop=customer.shop, customer=customer, number="NP-500", revision="C")
    services.job_update(user=supervisor, job=planned_job, part=other)
    planned_job.refresh_from_db()
    assert planned_job.revision == "C"
    assert planned_job.part_revision == other.revisions.get(code="C")


# --- Moving a job to another revision ----------------------------------------------------------


def test_move_to_the_released_revision_closes_the_notice(supervisor, part, planned_job):
    revision_b = release_revision(supervisor, part, "B")
    notice = RevisionNotice.objects.get(job=planned_job)
    job = services.job_move_revision(
        user=supervisor, job=planned_job, revision=revision_b, reason="Customer wants rev B"
    )
    job.refresh_from_db()
    assert (job.revision, job.part_revision) == ("B", revision_b)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.MOVED
    assert notice.decided_by == supervisor
    assert notice.decision_note == "Customer wants rev B"
    [event] = _events(job, "job.revision_moved")
    assert event.before == {"revision": "A"}
    assert event.after == {"revision": "B", "reason": "Customer wants rev B", "notices_closed": 1}
    assert _problems(job) == []


@pytest.mark.parametrize("reason", ["", "  ", "r" * 501])
def test_move_needs_a_reason(supervisor, part, planned_job, reason):
    revision_b = release_revision(supervisor, part, "B")
    with pytest.raises(InvalidInput) as refused:
        services.job_move_revision(
            user=supervisor, job=planned_job, revision=revision_b, reason=reason
        )
    assert refused.value.field == "reason"
    planned_job.refresh_from_db()
    assert planned_job.revision == "A"


def test_move_to_another_shops_or_another_parts_revision_is_refused(
    supervisor, customer, planned_job, other_job
):
    other_part = PartFactory(shop=customer.shop, customer=customer, number="NP-999")
    for revision in (other_job.part_revision, other_part.revisions.get()):
        with pytest.raises(InvalidInput) as refused:
            services.job_move_revision(
                user=supervisor, job=planned_job, revision=revision, reason="Wrong one"
            )
        assert refused.value.field == "revision"
    planned_job.refresh_from_db()
    assert (
        planned_job.part_revision.code == "A"
        and planned_job.part_id == customer.parts.get(number="NP-220").pk
    )
    assert not _events(planned_job, "job.revision_moved")


def test_move_to_a_superseded_revision_is_refused(supervisor, part, planned_job):
    revision_b = release_revision(supervisor, part, "B")
    services.job_move_revision(user=supervisor, job=planned_job, revision=revision_b, reason="B")
    with pytest.raises(ActionRefused, match="superseded"):
        services.job_move_revision(
            user=supervisor, job=planned_job, revision=part.revisions.get(code="A"), reason="A"
        )
    planned_job.refresh_from_db()
    assert planned_job.revision == "B"


def test_move_to_the_same_revision_is_refused(supervisor, part, planned_job):
    with pytest.raises(ActionRefused, match="already on revision A"):
        services.job_move_revision(
            user=supervisor, job=planned_job, revision=planned_job.part_revision, reason="Same"
        )


def test_a_closed_job_does_not_move(supervisor, part, planned_job):
    revision_b = release_revision(supervisor, part, "B")
    services.job_close(user=supervisor, job=planned_job, reason="Cancelled")
    with pytest.raises(ActionRefused, match="only an open job"):
        services.job_move_revision(
            user=supervisor, job=planned_job, revision=revision_b, reason="Late move"
        )
    planned_job.refresh_from_db()
    assert planned_job.revision == "A"


def test_an_operator_cannot_move_a_job(supervisor, operator, part, planned_job):
    revision_b = release_revision(supervisor, part, "B")
    with pytest.raises(PermissionRefused):
        services.job_move_revision(user=operator, job=planned_job, revision=revision_b, reason="Me")


# --- Notices of change ---------------------------------------------------------------------------


@pytest.fixture
def notice(supervisor, part, released_job) -> RevisionNotice:
    """J-1001 on the floor at rev A when rev B of NP-220 is released."""
    release_revision(supervisor, part, "B")
    return RevisionNotice.objects.get(job=released_job)


def test_a_release_gives_open_jobs_on_the_older_revision_a_notice(notice, released_job):
    assert notice.status == NoticeStatus.OPEN
    assert (notice.from_revision.code, notice.to_revision.code) == ("A", "B")
    assert _events(released_job, "job.revision_notice")


def test_confirm_raises_the_drawing_blocker(supervisor, notice, released_job):
    services.notice_confirm(user=supervisor, notice=notice)
    notice.refresh_from_db()
    blocker = Blocker.objects.get(job=released_job)
    assert notice.status == NoticeStatus.CONFIRMED and notice.blocker == blocker
    assert notice.decided_by == supervisor and notice.decided_at is not None
    assert (blocker.kind, blocker.note) == ("drawing", "Drawing revision changed: A → B")
    released_job.refresh_from_db()
    assert released_job.open_blocker_count == 1
    assert _events(released_job, "job.revision_notice_confirmed")
    with pytest.raises(ActionRefused, match="already decided"):
        services.notice_confirm(user=supervisor, notice=notice)
    assert Blocker.objects.filter(job=released_job).count() == 1


def test_dismiss_needs_a_note(supervisor, notice):
    for note in ("", "   ", "n" * 2001, "a\x00b"):
        with pytest.raises(InvalidInput) as refused:
            services.notice_dismiss(user=supervisor, notice=notice, note=note)
        assert refused.value.field == "note"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN


def test_dismiss_records_the_note(supervisor, notice, released_job):
    services.notice_dismiss(user=supervisor, notice=notice, note="Only the title block changed.")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DISMISSED
    assert notice.decision_note == "Only the title block changed."
    assert not Blocker.objects.filter(job=released_job).exists()
    [event] = _events(released_job, "job.revision_notice_dismissed")
    assert event.after["note"] == "Only the title block changed."
    with pytest.raises(ActionRefused):
        services.notice_dismiss(user=supervisor, notice=notice, note="Again")


def test_an_operator_does_not_decide_notices(operator, notice):
    with pytest.raises(PermissionRefused):
        services.notice_confirm(user=operator, notice=notice)
    with pytest.raises(PermissionRefused):
        services.notice_dismiss(user=operator, notice=notice, note="Fine")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN


def test_another_shops_notice_is_refused(outsider, notice):
    with pytest.raises(InvalidInput):
        services.notice_confirm(user=outsider, notice=notice)
    with pytest.raises(InvalidInput):
        services.notice_dismiss(user=outsider, notice=notice, note="Not mine")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN


def test_a_traveler_remembers_the_revision_it_was_printed_for(supervisor, part, released_job):
    traveler = traveler_services.traveler_print(user=supervisor, job=released_job)
    assert traveler.part_revision == part.revisions.get(code="A")
    assert drawing_of(part.revisions.get(code="A")).name == "NP-220.pdf"


def test_a_new_job_on_an_older_revision_is_held_at_the_gate(
    supervisor, customer, part, work_centers
):
    # A repeat order may name an older revision: the job is made, and the gate says so.
    release_revision(supervisor, part, "B")
    job = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        revision="A",
        material_status="received",
        quantity=5,
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        operations=[{"work_center": work_centers[0], "name": "Saw"}],
    )
    assert (job.revision, job.part_revision.status) == ("A", "superseded")
    assert _problems(job) == [
        "Revision A of NP-220 is superseded by revision B; move the job to the released revision."
    ]
    assert services.job_create(user=supervisor, customer=customer, part=part).revision == "B"


def test_a_job_moved_ahead_to_a_draft_gets_no_notice_and_closed_jobs_none(
    supervisor, customer, part, planned_job, work_centers
):
    draft_c = draft_revision(part, "C")
    services.job_move_revision(user=supervisor, job=planned_job, revision=draft_c, reason="C")
    closed = services.job_create(user=supervisor, customer=customer, part=part)
    services.job_close(user=supervisor, job=closed, reason="Cancelled")
    behind = services.job_create(user=supervisor, customer=customer, part=part)
    release_revision(supervisor, part, "B")
    assert list(RevisionNotice.objects.values_list("job__number", flat=True)) == [behind.number]
