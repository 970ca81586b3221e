"""Released files end to end in headless Chromium: upload two files to a new revision, see the
release gate hold a job on that draft, release the revision, see the notice of change on a job
still on the old one, and scan that job's old paper traveler on a phone."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from shopdesk.core.models import Event, Role
from shopdesk.core.tests.factories import (
    TINY_PDF,
    CustomerFactory,
    DocumentFactory,
    PartFactory,
    ShopFactory,
    WorkCenterFactory,
    member,
)
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import JobState, RevisionNotice
from shopdesk.parts.models import Document, RevisionStatus
from shopdesk.travelers.services import traveler_print
from tests.browser.test_job_spine import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NC_PROGRAM = b"%\nO1234 (NP-220 OP20)\nG90 G54 G0 X0 Y0\nM30\n%\n"


@pytest.fixture
def revision_shop():
    shop = ShopFactory(name="Acme Machining", slug="acme-files")
    supervisor = member(shop, Role.SUPERVISOR, username="sam", first_name="Sam")
    member(shop, Role.OPERATOR, username="oscar", first_name="Oscar")
    customer = CustomerFactory(shop=shop, name="Northwind Pumps")
    part = PartFactory(shop=shop, customer=customer, number="NP-220", description="Pump housing")
    DocumentFactory(revision=part.revisions.get(), name="NP-220 rev A.pdf")
    mill = WorkCenterFactory(shop=shop, name="CNC Mill", kind="mill")
    job = job_services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=20,
        due_date=timezone.localdate() + datetime.timedelta(days=9),
        material_status="from_stock",
        operations=[{"work_center": mill, "name": "Mill"}],
    )
    job = job_services.job_release(user=supervisor, job=job)
    traveler = traveler_print(user=supervisor, job=job)
    return {"shop": shop, "supervisor": supervisor, "part": part, "job": job, "traveler": traveler}


def test_new_revision_upload_gate_release_notice_and_old_traveler_banner(
    live_server, page: Page, browser, revision_shop, tmp_path: Path
):
    page.set_default_timeout(15_000)
    page.set_viewport_size({"width": 1280, "height": 900})
    part, job = revision_shop["part"], revision_shop["job"]

    # The supervisor adds draft revision B of the part.
    page.goto(f"{live_server.url}/parts/{part.pk}/")
    sign_in(page, "sam")
    page.get_by_label("Revision", exact=True).fill("B")
    page.get_by_role("button", name="Add draft revision").click()
    revision_b = part.revisions.get(code="B")
    assert revision_b.status == RevisionStatus.DRAFT

    # …uploads the drawing and the NC program to it in one go, each with its progress bar…
    drawing = tmp_path / "NP-220 rev B.pdf"
    drawing.write_bytes(TINY_PDF)
    program = tmp_path / "O1234.nc"
    program.write_bytes(NC_PROGRAM)
    page.get_by_label("Add files to rev B").set_input_files([str(drawing), str(program)])
    upload_form = page.locator(f"form[action$='/revisions/{revision_b.pk}/documents/']")
    # Each file goes up on its own request with its own progress bar; when both are stored
    # the page reloads to list them.
    with page.expect_navigation(timeout=30_000):
        upload_form.get_by_role("button", name="Upload").click()
    listed = page.locator(".pr-doc, li, tr").filter(has_text="O1234.nc")
    expect(listed.first).to_be_visible()
    expect(page.get_by_role("link", name="NP-220 rev B.pdf").first).to_be_visible()
    kinds = dict(Document.objects.filter(revision=revision_b).values_list("name", "kind"))
    assert kinds == {"NP-220 rev B.pdf": "drawing", "O1234.nc": "program"}

    # A job planned on the draft revision cannot be released, and the page says why.
    planned = job_services.job_create(
        user=revision_shop["supervisor"],
        customer=job.customer,
        part=part,
        revision="B",
        quantity=5,
        due_date=timezone.localdate() + datetime.timedelta(days=20),
        material_status="from_stock",
        operations=[{"work_center": job.operations.get().work_center, "name": "Mill"}],
    )
    page.goto(f"{live_server.url}/jobs/{planned.display_number}/")
    missing = page.locator(".whatsmissing")
    expect(missing).to_contain_text("Revision B of NP-220 is a draft")
    expect(page.get_by_role("button", name="Release to the floor")).to_be_disabled()
    planned.refresh_from_db()
    assert planned.state == JobState.PLANNED

    # Releasing revision B supersedes A; the confirm page says one open job gets a notice.
    page.goto(f"{live_server.url}/parts/{part.pk}/")
    page.get_by_role("link", name="Release revision B").click()
    expect(page.locator("h1")).to_contain_text("Release NP-220 rev B?")
    expect(page.locator("main")).to_contain_text(job.display_number)
    page.get_by_role("button", name="Release revision B").click()
    revision_b.refresh_from_db()
    assert revision_b.status == RevisionStatus.RELEASED
    assert part.revisions.get(code="A").status == RevisionStatus.SUPERSEDED
    assert Event.objects.filter(kind="part.revision_released", subject_id=revision_b.pk).exists()

    # The job still on A shows the notice of change and the released files of B only.
    page.goto(f"{live_server.url}/jobs/{job.display_number}/")
    notice = page.get_by_role("alert", name="Notice of change")
    expect(notice).to_contain_text("This job is on revision A; revision B was released")
    files = page.locator("#live-files")
    expect(files).to_contain_text("Rev B released")
    expect(files).to_contain_text("NP-220 rev B.pdf")
    expect(files).not_to_contain_text("NP-220 rev A.pdf")
    assert RevisionNotice.objects.get(job=job).is_open

    # The operator scans the job's old paper traveler: the banner comes first and names B.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    floor = phone.new_page()
    floor.set_default_timeout(15_000)
    floor.goto(f"{live_server.url}/t/{revision_shop['traveler'].token}/")
    sign_in(floor, "oscar")
    banner = floor.locator(".fl-oldrev")
    expect(banner).to_contain_text("Old traveler: revision A is superseded")
    expect(banner).to_contain_text("The current revision of NP-220 is B")
    assert floor.evaluate(
        "() => document.querySelector('main .banner:not([hidden])').classList.contains('fl-oldrev')"
    )
    expect(floor.get_by_role("link", name="NP-220 rev B.pdf")).to_be_visible()
    phone.close()

    # Confirming the notice raises the "drawing revision changed" blocker on the job.
    page.reload()
    page.get_by_role("button", name="Confirm blocker: drawing revision changed").click()
    expect(page.locator("main")).to_contain_text("Drawing revision changed: A → B")
    job.refresh_from_db()
    assert job.open_blocker_count == 1
