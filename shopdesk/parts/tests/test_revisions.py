"""Revisions: add a draft, release it (superseding the one before), notices of change."""

from __future__ import annotations

import pytest

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.models import Event
from shopdesk.jobs.models import NoticeStatus, RevisionNotice
from shopdesk.parts import services
from shopdesk.parts.models import Part, PartRevision, RevisionStatus

pytestmark = pytest.mark.django_db


def test_a_new_part_starts_with_a_draft_revision(supervisor, customer):
    part = services.part_create(user=supervisor, number="NP-330", revision="C", customer=customer)
    revision = part.revisions.get()
    assert (revision.code, revision.status, revision.created_by) == ("C", "draft", supervisor)
    assert part.revision == "C"


def test_add_a_draft_revision(supervisor, part):
    revision = services.revision_create(user=supervisor, part=part, code="B", note="Wall 3 → 4 mm")

    assert (revision.code, revision.status, revision.note) == ("B", "draft", "Wall 3 → 4 mm")
    part.refresh_from_db()
    # Rev A is still released, so new jobs still get A.
    assert part.revision == "A"
    event = Event.objects.get(kind="part.revision_created")
    assert event.actor == supervisor and event.after["draft"] == "B"


def test_the_newest_draft_names_the_part_while_none_is_released(supervisor, customer):
    part = services.part_create(user=supervisor, number="NP-1", revision="A", customer=customer)
    services.revision_create(user=supervisor, part=part, code="B")
    part.refresh_from_db()
    assert part.revision == "B"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "A revision code is required."),
        ("   ", "A revision code is required."),
        ("R" * 11, "At most 10 characters."),
        ("a", "NP-220 already has a revision a."),
        ("B C", "Use letters and digits"),
        ("../B", "Use letters and digits"),
        ("B\x00", "Use letters and digits"),
        ("<b>", "Use letters and digits"),
    ],
)
def test_bad_revision_codes_are_refused_and_nothing_changes(supervisor, part, code, message):
    with pytest.raises(InvalidInput, match=message.replace(".", r"\.")) as caught:
        services.revision_create(user=supervisor, part=part, code=code)
    assert caught.value.field == "revision"
    assert list(part.revisions.values_list("code", flat=True)) == ["A"]
    assert not Event.objects.filter(kind="part.revision_created").exists()


def test_a_long_note_is_refused(supervisor, part):
    with pytest.raises(InvalidInput, match="At most 500"):
        services.revision_create(user=supervisor, part=part, code="B", note="n" * 501)
    assert part.revisions.count() == 1


def test_operator_cannot_add_or_release_a_revision(operator, supervisor, part):
    draft = services.revision_create(user=supervisor, part=part, code="B")
    with pytest.raises(PermissionRefused):
        services.revision_create(user=operator, part=part, code="C")
    with pytest.raises(PermissionRefused):
        services.revision_release(user=operator, revision=draft)
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.DRAFT
    assert part.revisions.count() == 2


def test_another_shops_part_is_refused(outsider, part):
    with pytest.raises(InvalidInput):
        services.revision_create(user=outsider, part=part, code="B")
    assert part.revisions.count() == 1


def test_release_supersedes_the_previous_and_raises_notices(supervisor, planned_job, part):
    rev_a = part.revisions.get(code="A")
    assert planned_job.part_revision == rev_a
    rev_b = services.revision_create(user=supervisor, part=part, code="B")

    services.revision_release(user=supervisor, revision=rev_b)

    rev_a.refresh_from_db()
    rev_b.refresh_from_db()
    part.refresh_from_db()
    assert rev_a.status == RevisionStatus.SUPERSEDED and rev_a.superseded_at is not None
    assert rev_b.status == RevisionStatus.RELEASED
    assert (rev_b.released_by, rev_b.released_at) == (supervisor, rev_a.superseded_at)
    assert part.revision == "B"
    notice = RevisionNotice.objects.get(job=planned_job)
    assert (notice.from_revision, notice.to_revision, notice.status) == (
        rev_a,
        rev_b,
        NoticeStatus.OPEN,
    )
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"part.revision_released", "part.revision_superseded", "job.revision_notice"} <= kinds
    released = Event.objects.get(kind="part.revision_released")
    assert released.actor == supervisor
    assert released.before["released"] == "A" and released.after["released"] == "B"


def test_release_without_open_jobs_raises_no_notice(supervisor, part):
    rev_b = services.revision_create(user=supervisor, part=part, code="B")
    services.revision_release(user=supervisor, revision=rev_b)
    assert not RevisionNotice.objects.exists()


def test_a_released_or_superseded_revision_cannot_be_released_again(supervisor, part):
    rev_a = part.revisions.get(code="A")
    rev_b = services.revision_create(user=supervisor, part=part, code="B")
    with pytest.raises(ActionRefused, match="already released"):
        services.revision_release(user=supervisor, revision=rev_a)
    services.revision_release(user=supervisor, revision=rev_b)
    with pytest.raises(ActionRefused, match="superseded"):
        services.revision_release(user=supervisor, revision=rev_a)
    assert PartRevision.objects.get(part=part, status="released") == rev_b
    assert Part.objects.get(pk=part.pk).revision == "B"


def test_a_revision_is_not_typed_into_a_part(supervisor, part):
    with pytest.raises(InvalidInput, match="not typed in") as caught:
        services.part_update(user=supervisor, part=part, revision="Z")
    assert caught.value.field == "revision"
    part.refresh_from_db()
    assert part.revision == "A"
