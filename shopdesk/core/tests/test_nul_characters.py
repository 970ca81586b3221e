"""NUL characters in what a browser sends: never a 500, on SQLite and PostgreSQL alike.

PostgreSQL refuses text holding NUL, so before the one rule every search box and token URL
that passed one to a query was a server error there.
"""

from __future__ import annotations

import pytest

from shopdesk.travelers import services as traveler_services

pytestmark = pytest.mark.django_db

# Every page with a search box or filters, each parameter it reads given a NUL.
PAGES_WITH_PARAMETERS = [
    "/jobs/?q=%00&page=%00&late=%00&blocked=%00&stage=%00&customer=%00",
    "/parts/?q=%00&customer=%00&page=%00",
    "/customers/?q=%00&page=%00",
    "/jobs/board/?q=%00",
    "/jobs/dashboard/?q=%00",
    "/jobs/work-centers/?q=%00",
    "/jobs/J-1001/?q=%00",
    "/jobs/J-1001/edit/?part=%00&customer=%00",
    "/t/batches/?page=%00",
    "/people/?q=%00",
]


@pytest.mark.parametrize("url", PAGES_WITH_PARAMETERS)
def test_a_nul_in_the_query_string_is_dropped(supervisor_client, planned_job, url):
    response = supervisor_client.get(url)
    assert response.status_code in (200, 302), response.status_code


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/parts/?q=NP%00-220", "NP-220"),
        ("/customers/?q=North%00wind", "Northwind Pumps"),
        ("/jobs/?q=J-10%0001", "J-1001"),
    ],
)
def test_a_search_with_a_nul_finds_as_without(supervisor_client, planned_job, url, shown):
    response = supervisor_client.get(url)
    assert response.status_code == 200
    assert shown in response.content.decode()


@pytest.mark.parametrize("code", ["%00", "abc%00def"])
def test_a_scanned_code_with_a_nul_is_not_a_traveler(operator_client, code):
    response = operator_client.get(f"/jobs/scan/?code={code}")
    assert response.status_code == 400


def test_the_dispatch_list_with_a_nul_in_its_row_count(supervisor_client, work_centers):
    response = supervisor_client.get(f"/jobs/work-centers/{work_centers[0].pk}/dispatch/?rows=%00")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/t/abc%00def/",
        "/t/%00/",
        "/jobs/J-1001%00/",
        "/jobs/J-10%0001/floor/",
        "/jobs/%00/edit/",
        "/parts/%00/",
    ],
)
def test_a_nul_in_the_path_is_not_found(supervisor_client, planned_job, path):
    response = supervisor_client.get(path)
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_a_real_token_with_a_nul_inside_is_not_found(operator_client, supervisor, released_job):
    traveler = traveler_services.traveler_print(user=supervisor, job=released_job)
    token = traveler.token
    response = operator_client.get(f"/t/{token[:5]}%00{token[5:]}/")
    assert response.status_code == 404
    assert operator_client.get(f"/t/{token}/").status_code in (200, 302)


@pytest.mark.parametrize("content_type", ["urlencoded", "multipart"])
def test_a_nul_in_a_form_field_is_dropped(supervisor_client, customer, content_type):
    data = {"name": "Wid\x00get Co", "code": "", "email": "", "phone": "", "notes": "a\x00b"}
    if content_type == "urlencoded":
        from urllib.parse import urlencode

        response = supervisor_client.post(
            "/customers/new/", urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = supervisor_client.post("/customers/new/", data)
    assert response.status_code in (302, 303), response.content.decode()[:500]
    from shopdesk.customers.models import Customer

    assert Customer.objects.filter(name="Widget Co").exists()


def test_a_nul_in_a_sign_in_is_a_plain_refusal(client, supervisor):
    response = client.post("/login/", {"username": "sam\x00", "password": "x\x00"})
    assert response.status_code == 422
    assert "_auth_user_id" not in client.session
