"""The live board and the supervisor dashboard in headless Chromium: a scan made through the
API shows on the open page within 5 seconds, without reloading it."""

from __future__ import annotations

import datetime
import json
import time
import urllib.request
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from shopdesk.core.models import Role
from shopdesk.core.services import api_token_create
from shopdesk.core.tests.factories import (
    PASSWORD,
    CustomerFactory,
    DocumentFactory,
    PartFactory,
    ShopFactory,
    WorkCenterFactory,
    member,
)
from shopdesk.jobs import services
from shopdesk.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)

WITHIN_MS = 5_000
MARKER = "window.__boardMarker"


@pytest.fixture
def floor():
    """A shop with one released job routed saw → mill, an operator with an API token."""
    shop = ShopFactory(name="Acme Machining", slug="acme-board")
    supervisor = member(shop, Role.SUPERVISOR, username="sam", first_name="Sam")
    operator = member(shop, Role.OPERATOR, username="oscar", first_name="Oscar")
    customer = CustomerFactory(shop=shop, name="Northwind Pumps")
    part = PartFactory(shop=shop, customer=customer, number="NP-220", description="Pump housing")
    DocumentFactory(revision=part.revisions.get(), name="NP-220.pdf")
    saw = WorkCenterFactory(shop=shop, name="Saw", kind="saw")
    mill = WorkCenterFactory(shop=shop, name="CNC Mill", kind="mill")
    job = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        material_status="from_stock",
        quantity=20,
        due_date=timezone.localdate() + datetime.timedelta(days=15),
        operations=[
            {"work_center": wc, "name": wc.name, "setup_minutes": 10, "run_minutes": 1}
            for wc in (saw, mill)
        ],
    )
    job = services.job_release(user=supervisor, job=job)
    _, token = api_token_create(user=operator, name="browser test")
    return {"job": job, "token": token}


def sign_in(page: Page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def api_scan(base: str, token: str, job: Job, action: str, **quantities: int) -> dict:
    """A floor action through the API, as a scanner app would send it."""
    operation = job.operations.order_by("sequence").first()
    body = {
        "job": job.display_number,
        "operation": operation.pk,
        "action": action,
        "client_id": uuid.uuid4().hex,
        **quantities,
    }
    request = urllib.request.Request(  # noqa: S310 (the live test server)
        f"{base}/api/v1/scans",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201
        return json.loads(response.read())


def wip_card(page: Page, name: str):
    return page.locator(".bd-wc").filter(has=page.locator("h2", has_text=name))


def test_board_follows_scans_without_reloading(live_server, page: Page, floor):
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/jobs/board/")
    sign_in(page, "sam")
    expect(page).to_have_url(f"{live_server.url}/jobs/board/")
    finished = page.locator(".bd-stat.ok b")
    expect(finished).to_have_text("0")
    saw = wip_card(page, "Saw")
    expect(saw.locator(".bd-count b")).to_have_text("1")
    expect(saw.locator(".bd-split").first).to_contain_text("0 running")
    expect(saw.locator(".bd-bystage")).to_contain_text("1 not started")
    # A full reload would drop this.
    page.evaluate(f"{MARKER} = 'still here'")

    started = time.monotonic()
    api_scan(live_server.url, floor["token"], floor["job"], "start")
    expect(saw.locator(".bd-split").first).to_contain_text("1 running", timeout=WITHIN_MS)
    expect(saw.locator(".bd-bystage")).to_contain_text("1 in production", timeout=WITHIN_MS)
    assert time.monotonic() - started < WITHIN_MS / 1000 + 0.5

    started = time.monotonic()
    api_scan(live_server.url, floor["token"], floor["job"], "finish", qty_good=19, qty_scrap=1)
    expect(finished).to_have_text("1", timeout=WITHIN_MS)
    expect(page.locator(".bd-panel", has_text="Finished today")).to_contain_text(
        "op 1 Saw", timeout=WITHIN_MS
    )
    expect(saw.locator(".bd-count b")).to_have_text("0", timeout=WITHIN_MS)
    expect(wip_card(page, "CNC Mill").locator(".bd-count b")).to_have_text("1")
    assert time.monotonic() - started < WITHIN_MS / 1000 + 0.5

    assert page.evaluate(MARKER) == "still here"
    assert page.url == f"{live_server.url}/jobs/board/"


def test_dashboard_follows_a_scan_and_links_into_the_job(live_server, page: Page, floor):
    page.set_default_timeout(15_000)
    job = floor["job"]
    page.goto(f"{live_server.url}/jobs/dashboard/")
    sign_in(page, "sam")
    expect(page.locator("h1")).to_have_text("Supervisor dashboard")
    expect(page.locator(".mainnav a[aria-current=page]")).to_have_text("Dashboard")
    finished = page.locator(".db-stat.ok b")
    expect(finished).to_have_text("0")
    page.evaluate(f"{MARKER} = 'still here'")

    api_scan(live_server.url, floor["token"], job, "start")
    api_scan(live_server.url, floor["token"], job, "finish", qty_good=20)
    expect(finished).to_have_text("1", timeout=WITHIN_MS + 1_000)
    wip_row = page.locator("table.db-wip tr", has_text="CNC Mill")
    expect(wip_row.locator("td.num").first).to_have_text("1", timeout=WITHIN_MS)
    assert page.evaluate(MARKER) == "still here"

    # The job's chip opens its live job page; the work center its dispatch list.
    wip_row.get_by_role("link", name=job.display_number).click()
    expect(page).to_have_url(f"{live_server.url}/jobs/{job.display_number}/")
    page.go_back()
    page.locator("table.db-wip").get_by_role("link", name="CNC Mill").click()
    expect(page.locator("h1")).to_contain_text("Dispatch · CNC Mill")
