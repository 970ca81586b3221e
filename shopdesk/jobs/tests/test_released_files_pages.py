"""Released files on the live job page and the floor page, the notice of change and its
actions, moving revisions, material status, the gate's override, and an old traveler's scan."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Event, Role
from shopdesk.core.tests.factories import DocumentFactory, member
from shopdesk.jobs import services
from shopdesk.jobs.models import Blocker, Job, JobState, NoticeStatus, RevisionNotice
from shopdesk.jobs.tests.revisions import draft_revision, drawing_of, release_revision
from shopdesk.jobs.tests.test_job_detail import LIVE_PAGE_QUERIES, LIVE_POLL_QUERIES
from shopdesk.parts.models import DocumentKind
from shopdesk.travelers import services as traveler_services


def _detail(job: Job | str = "J-1001") -> str:
    return reverse("jobs:detail", args=[job if isinstance(job, str) else job.display_number])


def _section(response, name: str) -> dict:
    """The context of one registered section of the live page."""
    return next(s.context for s in response.context["sections"] if s.name == name)


def _floor(job: str = "J-1001") -> str:
    return reverse("jobs:floor", args=[job])


def _doc_url(document) -> str:
    return reverse("parts:document_file", args=[document.pk])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def office(shop):
    return member(shop, Role.OFFICE, username="otto", first_name="Otto", last_name="Office")


@pytest.fixture
def rev_b(supervisor, part, released_job):
    """J-1001 is on the floor at rev A; then rev B of NP-220 is released with its drawing."""
    return release_revision(supervisor, part, "B")


# --- Released files on the live page and the floor page ---------------------------------------


def _page_files(html: str) -> list[str]:
    return re.findall(r'href="(/parts/documents/\d+/)"', html)


@pytest.mark.parametrize("url", [_detail(), _floor()])
def test_only_the_released_revisions_current_files_newest_first(
    supervisor_client, supervisor, part, released_job, url
):
    revision_a = part.revisions.get(code="A")
    drawing = drawing_of(revision_a)
    program = DocumentFactory(
        revision=revision_a, kind=DocumentKind.PROGRAM, name="op20.nc", content=b"G0 X0 Y0\n"
    )
    replaced = DocumentFactory(revision=revision_a, name="old-drawing.pdf", content=b"%PDF-old")
    replaced.replaced_at = timezone.now()
    replaced.save()
    draft = draft_revision(part, "B")  # a draft's files are not for the floor yet

    html = supervisor_client.get(url).content.decode()

    assert _page_files(html) == [_doc_url(program), _doc_url(drawing)]
    assert "op20.nc" in html and "NC program" in html and "9 bytes" in html
    assert "old-drawing.pdf" not in html
    assert drawing_of(draft).name not in html
    assert "Released files" in html


def test_the_floor_page_lists_the_released_files_before_the_operations_buttons(
    operator_client, released_job
):
    # As the README says: the operator sees the drawing and its revision before acting.
    html = operator_client.get(_floor()).content.decode()
    files = html.index('class="fl-files"')
    assert files < html.index('class="card fl-op fl-current')
    assert files < html.index("Start op 1")


@pytest.mark.parametrize("url", [_detail(), _floor()])
def test_after_a_release_the_new_revisions_files_are_shown(supervisor_client, rev_b, url):
    html = supervisor_client.get(url).content.decode()
    assert _page_files(html) == [_doc_url(drawing_of(rev_b))]
    assert "NP-220-rev-B.pdf" in html
    assert "NP-220.pdf" not in html


def test_no_released_revision_says_so(supervisor_client, part, planned_job):
    part.revisions.update(status="superseded")
    html = supervisor_client.get(_detail()).content.decode()
    assert "No revision of NP-220 is released yet." in html
    assert _page_files(html) == []


# --- The notice of change on the live page -----------------------------------------------------


def test_a_superseded_job_shows_the_red_notice_with_its_actions(supervisor_client, rev_b):
    html = supervisor_client.get(_detail()).content.decode()
    released = timezone.localtime(rev_b.released_at)
    assert (
        f"This job is on revision A; revision B was released {released:%b} {released.day}, "
        f"{released:%Y %H:%M} by Sam Supervisor."
    ) in html
    notice = RevisionNotice.objects.get()
    assert reverse("jobs:notice_confirm", args=[notice.pk]) in html
    assert reverse("jobs:notice_dismiss", args=[notice.pk]) in html
    assert "Move to revision B…" in html
    assert reverse("jobs:move_revision", args=["J-1001"]) in html
    assert '<span class="badge bad">Superseded</span>' in html
    assert 'class="banner bad revnotice"' in html


def test_an_operator_sees_the_notice_but_not_the_actions(operator_client, rev_b):
    html = operator_client.get(_detail()).content.decode()
    assert "This job is on revision A; revision B was released" in html
    assert "notices/" not in html
    assert reverse("jobs:move_revision", args=["J-1001"]) not in html


def test_a_job_on_the_released_revision_shows_no_notice(supervisor_client, released_job):
    html = supervisor_client.get(_detail()).content.decode()
    assert "This job is on revision" not in html
    assert "Superseded" not in html


def test_the_job_list_marks_a_superseded_revision(supervisor_client, rev_b):
    html = supervisor_client.get(reverse("jobs:list")).content.decode()
    assert 'title="Revision A is superseded">Superseded</span>' in html


def test_confirm_from_the_page_raises_the_blocker(supervisor_client, rev_b, released_job):
    notice = RevisionNotice.objects.get()
    response = supervisor_client.post(reverse("jobs:notice_confirm", args=[notice.pk]))
    assert response.status_code == 303
    assert response["Location"] == _detail()
    blocker = Blocker.objects.get(job=released_job)
    assert blocker.note == "Drawing revision changed: A → B"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CONFIRMED
    html = supervisor_client.get(_detail()).content.decode()
    assert "Drawing revision changed: A → B" in html
    # Decided: the revision stays marked, the decision buttons go.
    assert "This job is on revision A" in html
    assert reverse("jobs:notice_confirm", args=[notice.pk]) not in html


def test_confirm_twice_is_409(supervisor_client, rev_b, released_job):
    notice = RevisionNotice.objects.get()
    supervisor_client.post(reverse("jobs:notice_confirm", args=[notice.pk]))
    response = supervisor_client.post(reverse("jobs:notice_confirm", args=[notice.pk]))
    assert response.status_code == 409
    assert "already decided" in response.content.decode()
    assert Blocker.objects.filter(job=released_job).count() == 1


def test_dismiss_from_the_page_needs_a_note(supervisor_client, rev_b):
    notice = RevisionNotice.objects.get()
    url = reverse("jobs:notice_dismiss", args=[notice.pk])
    response = supervisor_client.post(url, {"note": "   "})
    assert response.status_code == 422
    assert "Say why the change does not affect this job." in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN
    response = supervisor_client.post(url, {"note": "Title block only"})
    assert response.status_code == 303
    notice.refresh_from_db()
    assert (notice.status, notice.decision_note) == (NoticeStatus.DISMISSED, "Title block only")
    html = supervisor_client.get(_detail()).content.decode()
    assert "Dismissed by Sam Supervisor" in html and "Title block only" in html


def test_another_shops_notice_is_404_and_unchanged(outsider_client, rev_b):
    notice = RevisionNotice.objects.get()
    for name, data in (("notice_confirm", {}), ("notice_dismiss", {"note": "Mine now"})):
        response = outsider_client.post(reverse(f"jobs:{name}", args=[notice.pk]), data)
        assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN
    assert not Blocker.objects.exists()


def test_an_operator_posting_a_decision_is_403(operator_client, rev_b):
    notice = RevisionNotice.objects.get()
    response = operator_client.post(reverse("jobs:notice_confirm", args=[notice.pk]))
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN


# --- Moving the job to another revision from the page ----------------------------------------


def _move(client, revision_id, reason="Customer approved rev B", number="J-1001"):
    return client.post(
        reverse("jobs:move_revision", args=[number]),
        {"revision": str(revision_id), "reason": reason},
    )


def test_move_from_the_page(supervisor_client, rev_b, released_job):
    response = _move(supervisor_client, rev_b.pk)
    assert response.status_code == 303
    released_job.refresh_from_db()
    assert (released_job.revision, released_job.part_revision) == ("B", rev_b)
    assert RevisionNotice.objects.get().status == NoticeStatus.MOVED
    html = supervisor_client.get(_detail()).content.decode()
    assert "This job is on revision" not in html
    assert "moved from revision A to B: Customer approved rev B" in html


@pytest.mark.parametrize(
    ("revision", "reason", "status", "message"),
    [
        ("", "Why not", 422, "Choose the revision to move the job to."),
        ("abc", "Why not", 422, "Choose the revision to move the job to."),
        ("9999999", "Why not", 404, None),
        ("REV_B", "", 422, "Say why the job moves to another revision."),
        ("REV_A", "Back to A", 409, "Revision A of NP-220 is superseded"),
    ],
)
def test_bad_moves_change_nothing(
    supervisor_client, part, rev_b, released_job, revision, reason, status, message
):
    ids = {"REV_B": rev_b.pk, "REV_A": part.revisions.get(code="A").pk}
    response = _move(supervisor_client, ids.get(revision, revision), reason)
    assert response.status_code == status
    if message:
        assert message in response.content.decode()
    released_job.refresh_from_db()
    assert released_job.revision == "A"
    assert not Event.objects.filter(kind="job.revision_moved").exists()


def test_moving_to_another_shops_revision_is_404(supervisor_client, rev_b, other_job):
    response = _move(supervisor_client, other_job.part_revision_id)
    assert response.status_code == 404
    assert Job.objects.get(number=1001, shop=rev_b.shop).revision == "A"


def test_the_outsider_cannot_move_our_job(outsider_client, rev_b, released_job):
    assert _move(outsider_client, rev_b.pk).status_code == 404
    released_job.refresh_from_db()
    assert released_job.revision == "A"


def test_a_closed_job_does_not_move_from_the_page(supervisor_client, supervisor, rev_b):
    job = Job.objects.get(number=1001)
    services.job_close(user=supervisor, job=job, reason="Cancelled")
    response = _move(supervisor_client, rev_b.pk)
    assert response.status_code == 409
    job.refresh_from_db()
    assert job.revision == "A"


def test_the_edit_form_shows_the_revision_read_only(supervisor_client, rev_b):
    html = supervisor_client.get(reverse("jobs:edit", args=["J-1001"])).content.decode()
    assert 'name="revision"' not in html
    assert "Move to revision…" in html
    assert "Superseded" in html


# --- Material status and the gate on the page -------------------------------------------------


def test_material_status_shown_and_changed_from_the_page(supervisor_client, planned_job):
    html = supervisor_client.get(_detail()).content.decode()
    assert "<dt>Material</dt><dd>From stock</dd>" in html
    response = supervisor_client.post(
        reverse("jobs:material", args=["J-1001"]), {"material_status": "ordered"}
    )
    assert response.status_code == 303
    planned_job.refresh_from_db()
    assert planned_job.material_status == "ordered"
    assert Event.objects.filter(job=planned_job, kind="job.material_status_changed").exists()
    html = supervisor_client.get(_detail()).content.decode()
    assert "Material is ordered; mark it received or from stock when it is here." in html


@pytest.mark.parametrize("value", ["", "lost", "RECEIVED"])
def test_a_bad_material_status_is_422(supervisor_client, planned_job, value):
    response = supervisor_client.post(
        reverse("jobs:material", args=["J-1001"]), {"material_status": value}
    )
    assert response.status_code == 422
    planned_job.refresh_from_db()
    assert planned_job.material_status == "from_stock"


def test_an_operator_cannot_change_material(operator_client, planned_job):
    response = operator_client.post(
        reverse("jobs:material", args=["J-1001"]), {"material_status": "ordered"}
    )
    assert response.status_code == 403
    planned_job.refresh_from_db()
    assert planned_job.material_status == "from_stock"


@pytest.fixture
def held_job(supervisor, planned_job):
    services.job_update(user=supervisor, job=planned_job, material_status="ordered")
    return planned_job


def _override(client, reason):
    return client.post(
        reverse("jobs:release", args=["J-1001"]), {"override": "1", "override_reason": reason}
    )


def test_the_supervisor_sees_the_problems_and_the_override(supervisor_client, office, held_job):
    html = supervisor_client.get(_detail()).content.decode()
    assert "What&#x27;s missing:" in html or "What's missing:" in html
    assert 'name="override_reason"' in html
    html = _client(office).get(_detail()).content.decode()
    assert "Material is ordered" in html
    assert 'name="override_reason"' not in html


def test_override_from_the_page(supervisor_client, held_job):
    response = _override(supervisor_client, "Bar is on the truck")
    assert response.status_code == 303
    held_job.refresh_from_db()
    assert held_job.state == JobState.RELEASED
    event = Event.objects.get(job=held_job, kind="job.release_overridden")
    assert event.after == {"reason": "Bar is on the truck"}
    html = supervisor_client.get(_detail()).content.decode()
    assert "released past the gate: Bar is on the truck" in html


@pytest.mark.parametrize(("reason", "status"), [("  ", 422), ("z" * 501, 422)])
def test_a_bad_override_reason_is_refused_on_the_page(supervisor_client, held_job, reason, status):
    response = _override(supervisor_client, reason)
    assert response.status_code == status
    assert 'class="field-error"' in response.content.decode()
    held_job.refresh_from_db()
    assert held_job.state == JobState.PLANNED


def test_the_office_cannot_override_from_the_page(office, held_job):
    response = _override(_client(office), "I say so")
    assert response.status_code == 403
    held_job.refresh_from_db()
    assert held_job.state == JobState.PLANNED
    assert not Event.objects.filter(kind="job.release_overridden").exists()


def test_a_plain_release_is_refused_with_the_list(supervisor_client, held_job):
    response = supervisor_client.post(reverse("jobs:release", args=["J-1001"]))
    assert response.status_code == 409
    assert "Material is ordered" in response.content.decode()


# --- The floor page and an old traveler --------------------------------------------------------


def test_floor_page_shows_the_notice_when_the_job_is_behind(operator_client, rev_b):
    html = operator_client.get(_floor()).content.decode()
    assert "This job is on revision A; revision B was released" in html
    assert "fl-rev-superseded" in html


def test_scanning_a_traveler_for_a_superseded_revision_names_the_current_one_first(
    operator_client, supervisor, part, released_job
):
    traveler = traveler_services.traveler_print(user=supervisor, job=released_job)
    release_revision(supervisor, part, "B")
    html = operator_client.get(reverse("travelers:scan", args=[traveler.token])).content.decode()
    assert "Old traveler: revision A is superseded" in html
    assert "The current revision of NP-220 is <b>B</b>" in html
    content = html[html.index("<main") :] if "<main" in html else html
    banner = content.index("fl-oldrev")
    for later in ('id="floor-error"', 'class="fl-job"', "Released files"):
        assert banner < content.index(later)
    # The older banner (text of the revision only) is not shown twice.
    assert "This traveler was printed for rev" not in html


def test_a_current_traveler_shows_no_banner(operator_client, supervisor, released_job):
    traveler = traveler_services.traveler_print(user=supervisor, job=released_job)
    html = operator_client.get(reverse("travelers:scan", args=[traveler.token])).content.decode()
    assert "Old traveler" not in html


def test_a_reprint_after_the_move_shows_no_banner(operator_client, supervisor, part, released_job):
    revision_b = release_revision(supervisor, part, "B")
    services.job_move_revision(user=supervisor, job=released_job, revision=revision_b, reason="B")
    traveler = traveler_services.traveler_print(user=supervisor, job=released_job)
    assert traveler.part_revision == revision_b
    html = operator_client.get(reverse("travelers:scan", args=[traveler.token])).content.decode()
    assert "Old traveler" not in html and "This job is on revision" not in html


# --- Query counts -------------------------------------------------------------------------------


@pytest.fixture
def fifty_documents(supervisor, part):
    revision = part.revisions.get(code="A")
    for n in range(49):
        DocumentFactory(
            revision=revision,
            kind=DocumentKind.OTHER if n % 2 else DocumentKind.PROGRAM,
            name=f"file-{n}.nc",
            content=f"G0 X{n}\n".encode(),
        )
    assert revision.documents.count() == 50
    return revision


def test_live_page_queries_with_fifty_documents_and_a_notice(
    supervisor_client, supervisor, part, planned_job, fifty_documents, django_assert_num_queries
):
    # A planned job (the gate is judged), with a notice of change, and a revision B with 50 files.
    revision_b = release_revision(supervisor, part, "B")
    for n in range(49):
        DocumentFactory(revision=revision_b, name=f"b-{n}.pdf", content=f"%PDF-b{n}".encode())
    services.blocker_raise(user=supervisor, job=planned_job, kind="material", note="Short")
    with django_assert_num_queries(LIVE_PAGE_QUERIES):
        response = supervisor_client.get(_detail())
    assert response.status_code == 200
    assert len(_section(response, "files")["documents"]) == 50
    assert len(response.context["release_problems"]) == 2
    with django_assert_num_queries(LIVE_POLL_QUERIES):
        response = supervisor_client.get(_detail(), headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_released_job_page_queries_with_fifty_documents(
    supervisor_client, released_job, fifty_documents, django_assert_num_queries
):
    with django_assert_num_queries(LIVE_PAGE_QUERIES):
        response = supervisor_client.get(_detail())
    assert len(_section(response, "files")["documents"]) == 50


def test_floor_and_scan_queries_with_fifty_documents(
    operator_client, supervisor, part, released_job, fifty_documents, django_assert_max_num_queries
):
    traveler = traveler_services.traveler_print(user=supervisor, job=released_job)
    release_revision(supervisor, part, "B")
    with django_assert_max_num_queries(15):
        response = operator_client.get(_floor())
    assert response.status_code == 200
    with django_assert_max_num_queries(15):
        response = operator_client.get(reverse("travelers:scan", args=[traveler.token]))
    assert response.status_code == 200
    assert response.context["traveler_superseded"] is True


def test_the_pages_have_no_placeholders(supervisor_client, rev_b):
    for url in (_detail(), _floor()):
        html = supervisor_client.get(url).content.decode().lower()
        for word in ("todo", "fixme", "coming soon", "lorem"):
            assert word not in html


def test_a_traveler_printed_for_the_superseded_revision_is_marked(
    supervisor_client, supervisor, part, released_job
):
    traveler_services.traveler_print(user=supervisor, job=released_job)
    html = supervisor_client.get(_detail()).content.decode()
    assert "Rev A superseded" not in html
    release_revision(supervisor, part, "B")
    html = supervisor_client.get(_detail()).content.decode()
    assert "Rev A superseded</span>" in html
