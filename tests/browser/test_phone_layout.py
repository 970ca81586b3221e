"""Every page fits a 390 px phone: on the demo shop, no page is wider than the screen, so
nobody scrolls sideways to find a column or a button. Wide tables scroll inside their card."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser

from shopdesk.core.models import Shop
from shopdesk.customers.models import Customer
from shopdesk.jobs.models import Job, JobStage, WorkCenter
from shopdesk.parts.models import Part
from shopdesk.travelers.models import Traveler

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PAGE_WIDTH = "document.documentElement.scrollWidth"


def _sign_in(browser: Browser, base: str, username: str):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


def _too_wide(page, base: str, paths: list[str]) -> dict[str, int]:
    wide = {}
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        width = page.evaluate(PAGE_WIDTH)
        if width > PHONE["viewport"]["width"]:
            wide[path] = width
    return wide


def test_the_demo_shops_pages_fit_a_phone(live_server, browser):
    call_command("load_demo", stdout=StringIO())
    shop = Shop.objects.get(name="Demo Machine Works")
    running = Job.objects.filter(shop=shop, stage=JobStage.IN_PRODUCTION).order_by("number")[0]
    late = Job.objects.filter(shop=shop, stage=JobStage.IN_PRODUCTION).order_by("due_date")[0]
    center = WorkCenter.objects.filter(shop=shop).order_by("name")[0]
    customer = Customer.objects.filter(shop=shop).order_by("id")[0]
    part = Part.objects.filter(shop=shop).order_by("id")[0]
    traveler = Traveler.objects.filter(shop=shop, job=running).order_by("-id")[0]
    base = live_server.url

    context, page = _sign_in(browser, base, "supervisor")
    office = [
        "/jobs/",
        f"/jobs/{running.display_number}/",
        f"/jobs/{late.display_number}/",
        f"/jobs/{running.display_number}/edit/",
        "/jobs/new/",
        "/jobs/dashboard/",
        "/jobs/board/",
        "/jobs/work-centers/",
        f"/jobs/work-centers/{center.pk}/dispatch/",
        "/customers/",
        f"/customers/{customer.pk}/",
        "/parts/",
        f"/parts/{part.pk}/",
        "/people/",
        "/account/",
    ]
    wide = _too_wide(page, base, office)
    # On the dispatch list every operation is a card: its move buttons are on the screen,
    # not at the far end of a table scrolled sideways.
    page.goto(f"{base}/jobs/work-centers/{center.pk}/dispatch/")
    down = page.locator(".dp-move button[value=down]").first
    box = down.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["viewport"]["width"]
    assert box["width"] >= 44 and box["height"] >= 44  # a thumb's target
    # So is each job on the job list: its stage and owner are on the screen too.
    page.goto(f"{base}/jobs/")
    for cell in (".stagecell", ".owner"):
        box = page.locator(f"table.jobs tbody tr {cell}").first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["viewport"]["width"], cell
    context.close()

    context, page = _sign_in(browser, base, "operator")
    floor = [
        "/",  # an operator's start page: the work center tiles
        f"/kiosk/work-centers/{center.pk}/",
        "/jobs/scan/",
        f"/jobs/{running.display_number}/floor/",
        f"/t/{traveler.token}/",
    ]
    wide.update(_too_wide(page, base, floor))
    page.goto(f"{base}/")
    assert page.url == f"{base}/kiosk/work-centers/"
    context.close()
    assert wide == {}, f"wider than a 390 px phone (px): {wide}"
