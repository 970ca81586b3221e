"""A signed-in person who is a member of no shop (a customer's or supplier's contact, later)
sees nothing of any shop: every page sends them to the "no shop" page, every API endpoint
answers 403, nothing answers 500. Swept over every URL pattern the project has."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shopdesk.core.middleware import OPEN_WITHOUT_MEMBERSHIP
from shopdesk.travelers import services as traveler_services

METHODS = ("get", "post", "put", "patch", "delete")
CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# What the shop's pages must not show a stranger.
SHOP_WORDS = ("Acme Machining", "Northwind Pumps", "J-1001", "NP-220", "Beta Fabrication")


def _routes(resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()):
    """Every URL pattern as (route with converters, name, namespaces)."""
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            extra = (entry.namespace,) if entry.namespace else ()
            yield from _routes(entry, prefix + route, namespaces + extra)
        elif isinstance(entry, URLPattern):
            yield prefix + route, entry.name, namespaces


def _concrete(route: str, values: dict[str, str]) -> str:
    """A path for the route: real ids of Acme's rows where the route takes one."""
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "anything", route)

    def value(match: re.Match) -> str:
        name, converter = match.group("name"), match.group("converter") or "str"
        if name in values:
            return values[name]
        numeric = converter == "int" or name in ("pk", "id") or name.endswith("_id")
        return values["_int"] if numeric else "J-1001"

    return "/" + CONVERTER.sub(value, route)


@pytest.fixture
def acme_ids(released_job, supervisor) -> dict[str, str]:
    traveler = traveler_services.traveler_print(user=supervisor, job=released_job)
    operation = released_job.operations.order_by("sequence").first()
    return {
        "number": released_job.display_number,
        "token": traveler.token,
        "operation_id": str(operation.pk),
        "job_number": released_job.display_number,
        "_int": str(operation.pk),
    }


def _sweep(client, acme_ids):
    for route, name, namespaces in _routes(get_resolver()):
        if name == "logout":
            continue  # signing out is open to anyone (tested on its own below)
        path = _concrete(route, acme_ids)
        for method in METHODS:
            yield path, name, namespaces, method, getattr(client, method)(path)


def test_every_page_and_endpoint_shows_a_contact_nothing(contact_client, acme_ids):
    no_shop = reverse("no_shop")
    checked = 0
    for path, name, namespaces, method, response in _sweep(contact_client, acme_ids):
        where = f"{method.upper()} {path} ({name})"
        assert response.status_code < 500, where
        if name in OPEN_WITHOUT_MEMBERSHIP:
            continue
        checked += 1
        body = response.content.decode(errors="replace")
        for word in SHOP_WORDS:
            assert word not in body, where
        if "api" in namespaces:
            assert response.status_code in (403, 405), where
            assert response.json()["detail"], where
        elif response.status_code in (301, 302, 303):
            assert response["Location"] in (no_shop, "/"), where
        else:
            # Only the API's JSON 404 for unknown paths answers otherwise.
            assert response.status_code in (403, 404, 405), where
    assert checked > 100


def test_a_contact_lands_on_the_no_shop_page(contact_client):
    response = contact_client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("no_shop")
    assert response.status_code == 403
    html = response.content.decode()
    assert "not a member of any shop" in html
    assert "Sign out" in html
    assert "Jobs</a>" not in html  # no shop navigation


def test_a_contact_is_sent_to_the_no_shop_page_from_the_live_job_page(contact_client, acme_ids):
    response = contact_client.get(reverse("jobs:detail", args=["J-1001"]))
    assert response.status_code == 303
    assert response["Location"] == reverse("no_shop")


def test_an_htmx_request_of_a_contact_is_redirected_by_htmx(contact_client, acme_ids):
    response = contact_client.get(
        reverse("jobs:detail", args=["J-1001"]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("no_shop")


def test_the_api_answers_a_contact_403(contact_client, acme_ids):
    response = contact_client.get("/api/v1/jobs")
    assert response.status_code == 403
    assert response.json() == {"detail": "This account does not belong to a shop.", "errors": []}
    response = contact_client.post(
        "/api/v1/scans", {"token": acme_ids["token"]}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_contact_may_sign_out_and_change_their_password(contact_client):
    assert contact_client.get(reverse("password_change")).status_code == 200
    response = contact_client.post(reverse("logout"))
    assert response.status_code == 302
    assert contact_client.get(reverse("no_shop")).status_code == 302  # to the sign-in page


def test_a_member_opening_the_no_shop_page_goes_home(supervisor_client):
    response = supervisor_client.get(reverse("no_shop"))
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:dashboard")
