"""A supervisor who signs in at the kiosk with badge and PIN gets floor work only; the
office page they ask for says why and takes them to the password sign-in (desktop and phone)."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import expect

from shopdesk.core.models import Membership, Role
from shopdesk.core.tests.factories import PASSWORD, ShopFactory, member

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("KIOSK_SHOTS_DIR", "/tmp/shots")  # noqa: S108 (screenshots to look at)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_kiosk_session_is_sent_to_the_password_for_office_pages(live_server, browser):
    shop = ShopFactory(name="Acme Machining", slug="acme-floor")
    supervisor = member(
        shop, Role.SUPERVISOR, username="sam", first_name="Sam", last_name="Supervisor"
    )
    Membership.objects.filter(user=supervisor).update(
        badge_number="900", pin_hash=make_password("4821")
    )
    os.makedirs(SHOTS, exist_ok=True)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url

    page.goto(f"{base}/kiosk/setup/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Make this tablet a kiosk for Acme Machining").click()
    expect(page).to_have_url(f"{base}/kiosk/")
    page.locator("input[name=badge]").fill("900")
    page.locator("input[name=pin]").fill("4821")
    page.locator("form[action$='/kiosk/sign-in/'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/kiosk/work-centers/")

    # The office page asked for with the PIN: refused, said why, no badge numbers shown.
    page.goto(f"{base}/people/")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("You signed in with a badge and PIN")).to_be_visible()
    assert "900" not in page.content()
    page.screenshot(path=f"{SHOTS}/floor-session-403.png")
    page.set_viewport_size(PHONE)
    page.reload()
    assert _page_width(page) <= PHONE["width"]
    page.screenshot(path=f"{SHOTS}/floor-session-403-phone.png", full_page=True)

    # The password opens it.
    page.get_by_role("link", name="Sign in with your password").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/people/")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    assert _page_width(page) <= PHONE["width"]
    context.close()
