"""The "File missing" page a document download answers when its stored file is gone: says
what happened and what to do, and fits a desktop and a 390 px phone."""

from __future__ import annotations

import pytest

from shopdesk.parts.models import Document, private_storage

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_a_missing_document_says_so_on_any_screen(live_server, browser, supervisor, part, screen):
    supervisor.set_password("pw-for-the-browser")
    supervisor.save()
    document = Document.objects.get(revision__part=part)
    private_storage.delete(document.stored.blob.name)

    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("pw-for-the-browser")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    response = page.goto(f"{live_server.url}/parts/documents/{document.pk}/")
    assert response is not None and response.status == 410
    assert page.get_by_role("heading", name="File missing").is_visible()
    assert "NP-220.pdf v1 is missing on the server" in page.content()
    width = SCREENS[screen]["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name="Back to the part").click()
    page.wait_for_url(f"**/parts/{part.pk}/")
    context.close()
