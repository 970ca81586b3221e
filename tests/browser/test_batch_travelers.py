"""Batch release and printing in headless Chromium: tick jobs on the job list, release and
print them, read the report, open the one combined PDF and scan a traveler's QR code.

Set SHOPDESK_SHOTS=/some/dir to keep screenshots of the pages (1280 px wide)."""

from __future__ import annotations

import os
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import Page, expect

from shopdesk.core.models import Role
from shopdesk.core.tests.factories import (
    CustomerFactory,
    PartFactory,
    ShopFactory,
    WorkCenterFactory,
    member,
)
from shopdesk.jobs.models import Job, JobState
from shopdesk.travelers.batch import empty_report
from shopdesk.travelers.models import BatchStatus, TravelerBatch
from shopdesk.travelers.tests.batch_helpers import IMMEDIATE_TASKS, make_job
from tests.browser.test_job_spine import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("SHOPDESK_SHOTS", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def batch_shop(settings):
    settings.TASKS = IMMEDIATE_TASKS
    shop = ShopFactory(name="Acme Machining", slug="acme-batch")
    supervisor = member(shop, Role.SUPERVISOR, username="sam", first_name="Sam")
    customer = CustomerFactory(shop=shop, name="Northwind Pumps")
    part = PartFactory(shop=shop, customer=customer, number="NP-220", description="Pump housing")
    centers = [
        WorkCenterFactory(shop=shop, name=name, kind=kind)
        for name, kind in (("Saw", "saw"), ("CNC Mill", "mill"), ("Inspection", "inspection"))
    ]
    for index in range(7):
        # J-1004 waits for material: the gate refuses it.
        make_job(supervisor, customer, part, centers, ready=index != 3)
    return shop


def test_tick_five_jobs_release_and_print_them_and_open_one_pdf(
    live_server, page: Page, batch_shop
):
    page.set_default_timeout(20_000)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/jobs/")
    sign_in(page, "sam")
    expect(page.locator("h1")).to_have_text("Jobs")

    bar = page.locator("#batch-form")
    release = bar.get_by_role("button", name="Release & print")
    # With nothing ticked the bar is one quiet line: its buttons show once a job is ticked.
    expect(release).to_be_hidden()
    # Select the whole page, then untick two: five jobs stay selected, J-1004 among them.
    page.get_by_label("Select every job on this page").check()
    expect(bar).to_contain_text("7 jobs selected")
    expect(release).to_be_visible()
    page.get_by_label("Select J-1006").uncheck()
    page.get_by_label("Select J-1007").uncheck()
    expect(bar).to_contain_text("5 jobs selected")
    expect(release).to_have_text("Release & print 5 selected")
    expect(page.get_by_label("Select every job on this page")).not_to_be_checked()
    shot(page, "batch-joblist-selection")

    release.click()
    expect(page.locator("h1")).to_contain_text("Traveler batch")
    progress = page.locator("#batch-progress")
    expect(progress).to_contain_text("4 of 4 travelers")
    expect(progress.get_by_role("link", name="Open the PDF (4 travelers)")).to_be_visible()
    report = page.locator(".bt-report")
    expect(report).to_contain_text("J-1004")
    expect(report).to_contain_text("Material is not ordered")
    shot(page, "batch-finished")

    batch = TravelerBatch.objects.get(shop=batch_shop)
    assert batch.status == BatchStatus.DONE
    assert batch.report["released"] == ["J-1001", "J-1002", "J-1003", "J-1005"]
    assert Job.objects.get(shop=batch_shop, number=1004).state == JobState.PLANNED

    pdf = page.request.get(f"{live_server.url}/t/batches/{batch.pk}/travelers.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    if SHOTS:
        (Path(SHOTS) / "batch.pdf").write_bytes(pdf.body())
    document = pypdfium2.PdfDocument(pdf.body())
    assert len(document) == 4
    image = document[0].render(scale=200 / 72).to_pil()
    [code] = zxingcpp.read_barcodes(image)
    assert code.text.startswith(f"{live_server.url}/t/")

    page.get_by_role("link", name="Recent batches").click()
    expect(page.locator("table.bt-list")).to_contain_text(f"Batch {batch.pk}")
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    shot(page, "batch-list")


def test_a_batch_part_way_shows_its_progress_and_then_finishes(live_server, page: Page, batch_shop):
    page.set_default_timeout(20_000)
    page.set_viewport_size({"width": 1280, "height": 900})
    batch = TravelerBatch.objects.create(
        shop=batch_shop,
        status=BatchStatus.RUNNING,
        total=20,
        done=12,
        report={**empty_report(), "released": ["J-1001"], "printed": ["J-1001"]},
    )
    page.goto(f"{live_server.url}/t/batches/{batch.pk}/")
    sign_in(page, "sam")
    progress = page.locator("#batch-progress")
    expect(progress).to_contain_text("12 of 20 travelers")
    shot(page, "batch-progress-midway")

    # The page polls every second: the next figures show without a reload.
    TravelerBatch.objects.filter(pk=batch.pk).update(done=17)
    expect(progress).to_contain_text("17 of 20 travelers")
    TravelerBatch.objects.filter(pk=batch.pk).update(
        done=20,
        status=BatchStatus.FAILED,
        error="Printing stopped while joining the pages: disk full",
    )
    expect(progress).to_contain_text("disk full")
