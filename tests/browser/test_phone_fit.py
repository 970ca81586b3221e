"""On a 390 px phone: the operator's home, the supervisor's dashboard and a job whose note is
2,000 characters without a space are no wider than the screen; what a person came for is on
the first screen; a limited text box says when it is over instead of cutting the text."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from shopdesk.core.tests.factories import PASSWORD
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
UNBROKEN = "x" * 1000 + "https://example.com/" + "y" * 980  # 2,000 characters, no space


@pytest.fixture
def busy_job(supervisor, operator, released_job, customer, part, work_centers) -> Job:
    """J-1001 running at the saw with a 2,000-character unbroken note, and a late, blocked
    J-1002 whose blocker note is as long."""
    first = released_job.operations.order_by("sequence").first()
    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="phone-fit-start"
    )
    floor_services.floor_action(
        user=operator, operation=first, action="note", client_id="phone-fit-note", note=UNBROKEN
    )
    late = job_services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        material_status="from_stock",
        quantity=10,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
        customer_po="PO-" + "9" * 57,
        operations=[{"work_center": wc, "name": wc.name} for wc in work_centers],
    )
    job_services.blocker_raise(user=supervisor, job=late, kind="drawing", note=UNBROKEN)
    return released_job


def _phone(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def _width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_operator_home_dashboard_and_a_long_note_fit_a_phone(live_server, browser, busy_job):
    base = live_server.url
    screen = PHONE["viewport"]

    # The operator's home: scanning first, on the first screen; signing out is not a big
    # red button above everything.
    page = _phone(browser, base, "oscar")
    page.goto(f"{base}/")
    assert _width(page) <= screen["width"]
    scan = page.get_by_role("link", name="Scan a traveler")
    tile = page.locator(".ki-tile").first
    scan_box, tile_box = scan.bounding_box(), tile.bounding_box()
    assert scan_box["y"] < tile_box["y"]
    assert scan_box["y"] + scan_box["height"] <= screen["height"] / 3
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert sign_out["height"] <= 48 and sign_out["y"] < scan_box["y"]
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.ki-signout')).borderTopWidth"
    ) in ("1px", "0px")
    # The job's floor page, with the note, fits too.
    page.goto(f"{base}/jobs/{busy_job.display_number}/floor/")
    assert _width(page) <= screen["width"]
    page.context.close()

    page = _phone(browser, base, "sam")
    # The live job page: the note wraps inside the screen.
    page.goto(f"{base}/jobs/{busy_job.display_number}/")
    note = page.locator("#live-notes li p").first
    expect(note).to_contain_text("https://example.com/")
    assert note.bounding_box()["width"] <= screen["width"]
    assert _width(page) <= screen["width"]
    # A text box over its limit keeps every character and says so, and will not send.
    page.get_by_text("Raise a blocker…").click()
    box = page.locator("#raise-note")
    box.fill("z" * 2001)
    assert box.evaluate("el => el.value.length") == 2001
    expect(page.locator("#raise-note-limit")).to_have_text(
        "1 character over the 2,000-character limit: shorten it to save."
    )
    assert box.evaluate("el => el.validity.valid") is False
    box.fill("z" * 1990)
    expect(page.locator("#raise-note-limit")).to_have_text("1,990 of 2,000 characters")
    assert box.evaluate("el => el.validity.valid") is True

    # The dashboard: cards, not a table clipped at the edge; no row taller than a card needs.
    page.goto(f"{base}/jobs/dashboard/")
    assert _width(page) <= screen["width"]
    rows = page.locator(".db-tablecard table tbody tr:visible")
    heights = [rows.nth(i).bounding_box()["height"] for i in range(rows.count())]
    assert heights and max(heights) < 200, heights

    # The job list: no release bar until a job is ticked.
    page.goto(f"{base}/jobs/")
    assert _width(page) <= screen["width"]
    release = page.locator("#batch-form").get_by_role("button", name="Release & print")
    expect(release).to_be_hidden()
    page.get_by_label(f"Select {busy_job.display_number}").check()
    expect(release).to_be_visible()
    page.context.close()
