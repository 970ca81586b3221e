"""The browser tab shows ShopDesk's icon."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_name_the_icon_and_favicon_ico_leads_to_it(supervisor_client):
    page = supervisor_client.get("/jobs/").content.decode()
    assert 'rel="icon" href="/static/shopdesk/favicon.svg"' in page
    assert finders.find("shopdesk/favicon.svg")
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/shopdesk/favicon.svg"
