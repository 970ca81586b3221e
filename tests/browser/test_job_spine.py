"""The job spine end to end in headless Chromium: plan, release, print, scan, work, block."""

from __future__ import annotations

import datetime

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone
from playwright.sync_api import Page, expect

from shopdesk.core.models import Role
from shopdesk.core.tests.factories import (
    PASSWORD,
    CustomerFactory,
    DocumentFactory,
    PartFactory,
    ShopFactory,
    WorkCenterFactory,
    member,
)
from shopdesk.jobs.models import Job, JobStage, OperationStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def floor_shop():
    shop = ShopFactory(name="Acme Machining", slug="acme-browser")
    member(shop, Role.SUPERVISOR, username="sam", first_name="Sam", last_name="Supervisor")
    member(shop, Role.OPERATOR, username="oscar", first_name="Oscar", last_name="Operator")
    customer = CustomerFactory(shop=shop, name="Northwind Pumps")
    part = PartFactory(shop=shop, customer=customer, number="NP-220", description="Pump housing")
    # The release gate asks for a drawing on the released revision.
    DocumentFactory(revision=part.revisions.get(), name="NP-220.pdf")
    for name, kind in (("Saw", "saw"), ("CNC Mill", "mill"), ("Inspection", "inspection")):
        WorkCenterFactory(shop=shop, name=name, kind=kind)
    return shop


def sign_in(page: Page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def decode_qr(pdf_bytes: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf_bytes)
    image = document[0].render(scale=200 / 72).to_pil()
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1, "the traveler carries exactly one QR code"
    return codes[0].text


def test_plan_release_print_scan_finish_block_and_see_it_live(
    live_server, page: Page, browser, floor_shop
):
    page.set_default_timeout(15_000)
    due = timezone.localdate() + datetime.timedelta(days=12)

    # The supervisor signs in and plans a job with three operations.
    page.goto(f"{live_server.url}/jobs/new/")
    sign_in(page, "sam")
    expect(page).to_have_url(f"{live_server.url}/jobs/new/")
    page.locator("#id_customer").select_option(label="Northwind Pumps")
    page.locator("#id_part").select_option(index=1)
    page.locator("#id_material_status").select_option(label="From stock")
    page.locator("#id_quantity").fill("40")
    page.locator("#id_due_date").fill(due.isoformat())
    page.locator("#id_customer_po").fill("PO-9911")
    for row, center in enumerate(("Saw", "CNC Mill", "Inspection")):
        page.locator(f"#id_ops-{row}-work_center").select_option(label=center)
        page.locator(f"#id_ops-{row}-setup_minutes").fill("15")
        page.locator(f"#id_ops-{row}-run_minutes").fill("2")
    page.get_by_role("button", name="Create job").click()

    job = Job.objects.get(shop=floor_shop, customer_po="PO-9911")
    expect(page).to_have_url(f"{live_server.url}/jobs/{job.display_number}/")
    expect(page.locator("h1")).to_contain_text(job.display_number)
    assert job.operations.count() == 3

    # Release it.
    page.get_by_role("button", name="Release to the floor").click()
    expect(page.get_by_text("Released", exact=True).first).to_be_visible()
    job.refresh_from_db()
    assert job.stage == JobStage.RELEASED

    # Print the traveler, and read its QR code back from the PDF.
    # Chromium opens the PDF in its viewer; the test saves what that URL serves.
    page.get_by_role("button", name="Print traveler").click()
    page.wait_for_url(f"**/jobs/{job.display_number}/travelers/*.pdf")
    served = page.request.get(page.url)
    assert served.headers["content-type"] == "application/pdf"
    assert f"{job.display_number}-traveler.pdf" in served.headers["content-disposition"]
    pdf_bytes = served.body()
    assert pdf_bytes.startswith(b"%PDF")
    scan_url = decode_qr(pdf_bytes)
    assert scan_url.startswith(f"{live_server.url}/t/")

    # The operator scans it on a phone, signs in and lands on the floor page.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    floor = phone.new_page()
    floor.set_default_timeout(15_000)
    floor.goto(scan_url)
    sign_in(floor, "oscar")
    expect(floor.get_by_text(job.display_number).first).to_be_visible()

    floor.get_by_role("button", name="Start op 1").click()
    expect(floor.locator(".fl-finishbutton").first).to_be_visible()
    floor.locator(".fl-finishbutton").first.click()
    floor.locator("input[name=qty_good]").first.fill("39")
    floor.locator("input[name=qty_scrap]").first.fill("1")
    floor.get_by_role("button", name="Finish with these counts").first.click()
    expect(floor.get_by_role("button", name="Start op 2")).to_be_visible()

    first = job.operations.get(sequence=1)
    assert first.status == OperationStatus.DONE
    assert (first.qty_good, first.qty_scrap) == (39, 1)

    # Blocked: three taps (the button, the kind, send) plus a note.
    floor.locator("summary", has_text="Blocked").click()
    floor.locator("label.fl-kind", has_text="Material").click()
    floor.locator("#blocker-note").fill("Bar stock for op 2 is short by 3 pieces")
    floor.get_by_role("button", name="Send blocker").click()
    expect(floor.get_by_text("Bar stock for op 2 is short").first).to_be_visible()
    phone.close()

    # The supervisor sees all of it on the live job page, and resolves the blocker.
    page.goto(f"{live_server.url}/jobs/{job.display_number}/")
    expect(page.get_by_text("In production at CNC Mill").first).to_be_visible()
    expect(page.get_by_text("Bar stock for op 2 is short").first).to_be_visible()
    expect(page.get_by_text("Blocked").first).to_be_visible()
    page.locator("summary", has_text="Resolve").click()
    page.locator("textarea[name=note][id^=resolve-note]").fill("3 bars pulled from stock")
    page.get_by_role("button", name="Mark resolved").click()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("3 bars pulled from stock")
    for text in (
        "released",
        "Traveler printed",
        "finished: 39 good, 1 scrap",
        "Blocker raised",
        "Blocker resolved",
    ):
        expect(timeline).to_contain_text(text)
    job.refresh_from_db()
    assert job.open_blocker_count == 0
    assert job.operations_done == 1
