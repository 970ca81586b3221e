"""The scan page: the camera scanner's page, the field a barcode scanner types into, and
`?code=` that turns a scanned traveler link or token into the traveler's page in the caller's
shop. Also the floor page's pieces for offline scanning (the Scan link and the pending queue)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shopdesk.core.models import Event
from shopdesk.jobs.models import FloorAction
from shopdesk.travelers import services as traveler_services
from shopdesk.travelers.models import Traveler

pytestmark = pytest.mark.django_db

SCAN = "/jobs/scan/"


@pytest.fixture
def traveler(released_job, supervisor):
    return traveler_services.traveler_print(user=supervisor, job=released_job)


@pytest.fixture
def other_traveler(other_job, outsider):
    return traveler_services.traveler_print(user=outsider, job=other_job)


def _counts() -> tuple[int, int, int]:
    return Traveler.objects.count(), Event.objects.count(), FloorAction.objects.count()


# The page ---------------------------------------------------------------------------------


def test_scan_page_offers_the_camera_and_a_field_for_barcode_scanners(
    operator_client, django_assert_max_num_queries
):
    assert reverse("jobs:scan") == SCAN
    with django_assert_max_num_queries(6):
        response = operator_client.get(SCAN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1" in body and "Scan a traveler" in body
    assert 'class="floor"' in body  # the floor's big type and targets
    assert 'id="scan-camera"' in body and 'id="scan-camera-start"' in body
    # Without JavaScript the page says the camera needs it, and the field still works.
    assert "The camera scanner needs JavaScript" in body
    assert 'name="code"' in body and "autofocus" in body and 'method="get"' in body
    assert "A USB or Bluetooth barcode scanner types here" in body
    assert 'src="/static/shopdesk/scanner.js"' in body
    assert "onclick" not in body and "<script>" not in body


def test_scan_page_needs_a_sign_in(client):
    response = client.get(SCAN)
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_scan_page_answers_get_only(operator_client, traveler):
    before = _counts()
    response = operator_client.post(SCAN, {"code": traveler.token})
    assert response.status_code == 405
    assert _counts() == before


# Resolving a code ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "{token}",
        "  {token}\n",
        "http://testserver/t/{token}/",
        "http://testserver/t/{token}",
        "/t/{token}/",
    ],
)
def test_a_traveler_link_or_token_opens_the_traveler(operator_client, traveler, shape):
    response = operator_client.get(SCAN, {"code": shape.format(token=traveler.token)})
    assert response.status_code == 303
    assert response["Location"] == f"/t/{traveler.token}/"
    page = operator_client.get(response["Location"])
    assert page.status_code == 200
    assert "J-1001" in page.content.decode()


def test_a_link_printed_with_the_site_url_opens_the_traveler(operator_client, traveler, settings):
    settings.SITE_URL = "https://shop.example.com"
    response = operator_client.get(SCAN, {"code": f"https://shop.example.com/t/{traveler.token}/"})
    assert response.status_code == 303
    assert response["Location"] == f"/t/{traveler.token}/"


def test_an_unknown_code_says_no_traveler_with_that_code(operator_client, traveler):
    response = operator_client.get(SCAN, {"code": "Zz" + traveler.token[2:]})
    assert response.status_code == 404
    body = response.content.decode()
    assert "No traveler with that code." in body
    assert 'name="code"' in body  # the operator can try again on the same page


def test_another_shops_token_is_the_same_404_and_reveals_nothing(
    operator_client, traveler, other_traveler, other_job
):
    unknown = operator_client.get(SCAN, {"code": "Zz" + traveler.token[2:]})
    theirs = operator_client.get(SCAN, {"code": other_traveler.token})
    theirs_link = operator_client.get(
        SCAN, {"code": f"http://testserver/t/{other_traveler.token}/"}
    )
    for response in (theirs, theirs_link):
        assert response.status_code == unknown.status_code == 404
        body = response.content.decode()
        assert "No traveler with that code." in body
        assert other_job.display_number not in body
        assert other_traveler.token not in body
        assert "Beta" not in body
        assert "Location" not in response


def test_the_outsider_cannot_open_acmes_traveler_either(outsider_client, traveler):
    response = outsider_client.get(SCAN, {"code": traveler.token})
    assert response.status_code == 404
    assert "J-1001" not in response.content.decode()


def test_a_revoked_travelers_code_leads_to_the_revoked_notice(
    operator_client, supervisor, traveler
):
    traveler_services.traveler_revoke(user=supervisor, traveler=traveler)
    response = operator_client.get(SCAN, {"code": traveler.token}, follow=True)
    assert response.status_code == 410
    assert response.redirect_chain == [(f"/t/{traveler.token}/", 303)]


@pytest.mark.parametrize(
    "hostile",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)//{token}",
        "data:text/html,<script>alert(1)</script>",
        "https://evil.example/t/{token}/",
        "//evil.example/t/{token}/",
        "http://testserver.evil.example/t/{token}/",
        "ftp://testserver/t/{token}/",
        "t/{token}/",
        "/jobs/J-1001/",
        "/t/{token}/../../jobs/J-1001/",
        "<script>alert(1)</script>",
        "x" * 5000,
        "/t/" + "a" * 3000 + "/",
    ],
)
def test_hostile_codes_are_refused_plainly_and_change_nothing(operator_client, traveler, hostile):
    before = _counts()
    response = operator_client.get(SCAN, {"code": hostile.format(token=traveler.token)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Not a ShopDesk traveler." in body
    assert "Location" not in response
    assert "<script>alert(1)</script>" not in body
    assert "javascript:alert" not in body.lower()
    assert _counts() == before


def test_a_nul_in_a_code_is_dropped_like_everywhere_in_a_query_string(operator_client, traveler):
    response = operator_client.get(SCAN, {"code": f"{traveler.token}\x00"})
    assert response.status_code == 303
    assert response["Location"] == f"/t/{traveler.token}/"


def test_an_empty_code_is_refused(operator_client):
    response = operator_client.get(SCAN, {"code": "   "})
    assert response.status_code == 400
    assert "Not a ShopDesk traveler." in response.content.decode()


# The floor page's pieces for offline scanning -------------------------------------------------


def test_floor_page_has_the_scan_link_and_the_pending_queue(
    operator_client, operator, shop, released_job
):
    body = operator_client.get("/jobs/J-1001/floor/").content.decode()
    assert f'href="{SCAN}" data-scan-link>Scan</a>' in body
    # The queue floor.js fills: keyed per shop and person, hidden until something waits.
    assert 'id="floor-queue"' in body and 'aria-label="Pending actions"' in body
    assert f'data-queue-shop="{shop.pk}"' in body and f'data-queue-user="{operator.pk}"' in body
    assert 'data-job="J-1001"' in body
    assert "Pending — will send when back online" in body
    assert 'id="floor-queue-count"' in body
    # Each operation's buttons carry what floor.js needs to draw a pending state.
    first = released_job.operations.order_by("sequence").first()
    assert f'data-floor-op="{first.pk}"' in body and 'data-op-status="pending"' in body
    assert 'data-action-url="/jobs/J-1001/floor/action/"' in body
    assert 'src="/static/shopdesk/floor.js"' in body
    assert 'src="/static/shopdesk/scanner.js"' in body


def test_traveler_scan_page_also_offers_the_queue(operator_client, traveler):
    body = operator_client.get(f"/t/{traveler.token}/").content.decode()
    assert 'id="floor-queue"' in body and "data-scan-link" in body


# The service worker that reopens floor pages offline ----------------------------------------


def test_service_worker_is_served_for_the_whole_site(client):
    # Public (it holds no data), JavaScript, allowed to control /t/... and see the sign-out.
    response = client.get("/jobs/floor-sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert "/static/shopdesk/floor.js" in body and 'var LOGOUT_PATH = "/logout/"' in body
    assert "/static/shopdesk/scanner.js" in body and "/static/shopdesk/shopdesk.css" in body
