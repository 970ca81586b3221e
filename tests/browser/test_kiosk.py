"""The operator kiosk in headless Chromium at tablet size: enroll, badge + PIN, work center,
the queue in run order, a supervisor's reorder seen by the kiosk, start from the kiosk."""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from playwright.sync_api import Page, expect

from shopdesk.core.models import Membership, Role
from shopdesk.core.tests.factories import (
    PASSWORD,
    CustomerFactory,
    DocumentFactory,
    PartFactory,
    ShopFactory,
    WorkCenterFactory,
    member,
)
from shopdesk.dispatch import selectors as dispatch
from shopdesk.dispatch import services as dispatch_services
from shopdesk.jobs import services
from shopdesk.jobs.models import LaborEntry, OperationStatus

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("KIOSK_SHOTS_DIR", "/tmp/shots")  # noqa: S108 (screenshots to look at)
TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def kiosk_shop():
    shop = ShopFactory(name="Acme Machining", slug="acme-kiosk")
    supervisor = member(
        shop, Role.SUPERVISOR, username="sam", first_name="Sam", last_name="Supervisor"
    )
    operator = member(
        shop, Role.OPERATOR, username="oscar", first_name="Oscar", last_name="Operator"
    )
    Membership.objects.filter(user=operator).update(
        badge_number="101", pin_hash=make_password("4821")
    )
    customer = CustomerFactory(shop=shop, name="Northwind Pumps")
    part = PartFactory(shop=shop, customer=customer, number="NP-220", description="Pump housing")
    DocumentFactory(revision=part.revisions.get(), name="NP-220.pdf")
    mill = WorkCenterFactory(shop=shop, name="CNC Mill", kind="mill")
    WorkCenterFactory(shop=shop, name="Saw", kind="saw")
    WorkCenterFactory(shop=shop, name="Inspection", kind="inspection")
    jobs = []
    for days, quantity in ((5, 40), (9, 12), (14, 80)):
        job = services.job_create(
            user=supervisor,
            customer=customer,
            part=part,
            material_status="from_stock",
            quantity=quantity,
            due_date=timezone.localdate() + datetime.timedelta(days=days),
            operations=[
                {"work_center": mill, "name": "Mill", "setup_minutes": 30, "run_minutes": 3}
            ],
        )
        jobs.append(services.job_release(user=supervisor, job=job))
    return {
        "shop": shop,
        "supervisor": supervisor,
        "operator": operator,
        "mill": mill,
        "jobs": jobs,
    }


def _queue_numbers(page: Page) -> list[str]:
    return page.locator(".ki-row .ki-jobnum").all_inner_texts()


def _press(page: Page, digits: str) -> None:
    for digit in digits:
        page.locator(f".ki-key[data-key='{digit}']").click()


def test_kiosk_sign_in_queue_reorder_and_start(live_server, browser, kiosk_shop):
    os.makedirs(SHOTS, exist_ok=True)
    tablet = browser.new_context(viewport=TABLET, has_touch=True)
    page = tablet.new_page()
    page.set_default_timeout(15_000)

    # A supervisor enrolls the tablet; that signs them out and opens the badge screen.
    page.goto(f"{live_server.url}/kiosk/setup/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Make this tablet a kiosk for Acme Machining").click()
    expect(page).to_have_url(f"{live_server.url}/kiosk/")
    expect(page.get_by_role("heading", name="Acme Machining")).to_be_visible()
    # Gloves: every key of the pad is at least 64 px each way.
    box = page.locator(".ki-key[data-key='5']").bounding_box()
    assert box["height"] >= 64 and box["width"] >= 64
    page.screenshot(path=f"{SHOTS}/kiosk-badge.png")

    # A wrong PIN says so and signs no one in.
    page.get_by_label("Badge number").click()
    _press(page, "101")
    page.get_by_label("PIN").click()
    _press(page, "1111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("badge number and PIN do not match")

    # Badge and PIN typed on the on-screen pad.
    page.get_by_label("Badge number").fill("")
    page.get_by_label("Badge number").click()
    _press(page, "101")
    page.get_by_label("PIN").click()
    _press(page, "4821")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/kiosk/work-centers/")
    expect(page.locator(".ki-who")).to_have_text("Oscar Operator")
    mill_tile = page.locator(".ki-tile", has_text="CNC Mill")
    expect(mill_tile).to_contain_text("3 ready")
    page.screenshot(path=f"{SHOTS}/kiosk-work-centers.png")

    # The mill's queue in run order: the dispatch list's order (priority, critical ratio, due).
    mill_tile.click()
    ready = dispatch.dispatch_list(kiosk_shop["shop"], kiosk_shop["mill"]).ready
    expected = [row.job.display_number for row in ready]
    assert len(expected) == 3
    expect(page.locator(".ki-row .ki-jobnum")).to_have_text(expected)
    page.screenshot(path=f"{SHOTS}/kiosk-queue.png")

    # The supervisor moves the last job to the top from the office (the same service the
    # dispatch page and the API call); the kiosk's 10-second refresh shows the new order.
    last_op = ready[-1].operation
    moved = ready[-1].job
    dispatch_services.dispatch_move(
        user=kiosk_shop["supervisor"],
        work_center=kiosk_shop["mill"],
        operation=last_op,
        direction="top",
    )
    reordered = [expected[-1], *expected[:-1]]
    expect(page.locator(".ki-row .ki-jobnum")).to_have_text(reordered, timeout=15_000)

    # Start the first job from the kiosk: labor opens in the operator's name.
    first_row = page.locator(".ki-row").first
    first_row.get_by_role("button", name="Start").click()
    expect(page.locator(".ki-row").first).to_contain_text("on it: Oscar Operator")
    expect(page.locator(".ki-row").first.locator(".ki-onit")).to_have_text("You're on it")
    last_op.refresh_from_db()
    assert last_op.status == OperationStatus.RUNNING
    entry = LaborEntry.objects.get()
    assert entry.user == kiosk_shop["operator"] and entry.operation == last_op
    page.screenshot(path=f"{SHOTS}/kiosk-queue-started.png")

    # Tapping the job opens its floor page, with the way back and sign out.
    page.locator(".ki-row").first.locator(".ki-jobopen").click()
    expect(page).to_have_url(re.compile(rf"/jobs/{moved.display_number}/floor/$"))
    expect(page.get_by_role("link", name="Back to the queue")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/kiosk-floor.png")
    page.get_by_role("link", name="Back to the queue").click()
    expect(page.locator(".ki-row").first).to_contain_text(moved.display_number)

    # Sign out returns to the badge screen; the work (and its labor) goes on.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/kiosk/")
    expect(page.get_by_label("Badge number")).to_be_visible()
    assert LaborEntry.objects.get().is_open
    tablet.close()


def test_the_pad_moves_to_the_pin_and_signs_in_on_its_last_digit(live_server, browser, kiosk_shop):
    # Every badge of the shop has three digits and every PIN four (set through the people
    # page, which records the PIN's length).
    Membership.objects.filter(user=kiosk_shop["operator"]).update(pin_length=4)
    tablet = browser.new_context(viewport=TABLET, has_touch=True)
    page = tablet.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/kiosk/setup/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Make this tablet a kiosk for Acme Machining").click()
    expect(page).to_have_url(f"{live_server.url}/kiosk/")

    # Three taps of badge move on to the PIN by themselves.
    _press(page, "101")
    expect(page.get_by_label("PIN")).to_be_focused()
    # A wrong PIN is sent on its fourth digit and refused.
    _press(page, "1111")
    expect(page.get_by_role("alert")).to_contain_text("badge number and PIN do not match")
    # Seven taps in all: badge, PIN, and the operator is in.
    page.get_by_label("Badge number").fill("")
    page.get_by_label("Badge number").click()
    _press(page, "101")
    _press(page, "4821")
    expect(page).to_have_url(f"{live_server.url}/kiosk/work-centers/")
    expect(page.locator(".ki-who")).to_have_text("Oscar Operator")
    tablet.close()
