"""Printing travelers from the server's own browser: the supervisor is told when the QR codes
would carry an address no phone opens (this computer's loopback)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shopdesk.lib.site_address import is_loopback
from shopdesk.travelers.models import TravelerBatch

WARNING = "which no phone opens"


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.8.9.10", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://192.168.1.20:8000", False),
        ("https://shop.example.com", False),
        ("http://testserver", False),
    ],
)
def test_loopback_addresses(url, loopback):
    assert is_loopback(url) is loopback


def _detail(client, job, host):
    return client.get(reverse("jobs:detail", args=[job.display_number]), HTTP_HOST=host)


def test_the_job_page_warns_when_opened_on_the_server_itself(supervisor_client, released_job):
    body = _detail(supervisor_client, released_job, "127.0.0.1:8000").content.decode()
    assert WARNING in body
    assert "<code>http://127.0.0.1:8000</code>" in body
    assert "HOST=0.0.0.0 make run" in body


def test_no_warning_at_an_address_phones_reach(supervisor_client, released_job, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "192.168.1.20"]
    assert (
        WARNING
        not in _detail(supervisor_client, released_job, "192.168.1.20:8000").content.decode()
    )


def test_site_url_decides_whatever_address_the_page_was_opened_at(
    supervisor_client, released_job, settings
):
    settings.SITE_URL = "http://192.168.1.20:8000"
    assert (
        WARNING not in _detail(supervisor_client, released_job, "127.0.0.1:8000").content.decode()
    )
    settings.SITE_URL = "http://localhost:8000"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "192.168.1.20"]
    body = _detail(supervisor_client, released_job, "192.168.1.20").content.decode()
    assert "<code>http://localhost:8000</code>" in body


def test_operators_see_no_print_warning(operator_client, released_job):
    assert WARNING not in _detail(operator_client, released_job, "127.0.0.1:8000").content.decode()


def test_the_batch_page_warns_too(supervisor_client, supervisor, shop):
    batch = TravelerBatch.objects.create(shop=shop, created_by=supervisor)
    url = reverse("travelers:batch", args=[batch.pk])
    assert WARNING in supervisor_client.get(url, HTTP_HOST="localhost:8000").content.decode()
    assert WARNING not in supervisor_client.get(url).content.decode()
