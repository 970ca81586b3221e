"""The customers and parts lists match a search the same way on their pages and in the API
(customers.selectors.customer_matching, parts.selectors.part_matching)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shopdesk.core.tests.factories import CustomerFactory, PartFactory


@pytest.fixture
def catalog(shop, other_shop):
    for name, code in [
        ("Northwind Pumps", "NWP"),
        ("Contoso Valves", "CV"),
        ("Acme Tooling", "ACT"),
        ("Fabrikam", "FAB-2"),
    ]:
        customer = CustomerFactory(shop=shop, name=name, code=code)
        PartFactory(shop=shop, customer=customer, number=f"{code}-100", description=f"{name} body")
    PartFactory(shop=shop, number="X-NWP-7", description="Spacer")
    # Another shop's matching rows are never listed.
    CustomerFactory(shop=other_shop, name="Northwind Beta", code="NWB")
    PartFactory(shop=other_shop, number="NWP-999", description="Pump body")


def _page_names(client, url_name: str, q: str) -> list[str]:
    rows = client.get(reverse(url_name), {"q": q}).context["page"].object_list
    return [getattr(row, "name", None) or row.number for row in rows]


def _api_names(api, path: str, q: str) -> list[str]:
    items = api.get(path, {"q": q, "limit": 100}).json()["items"]
    return [item.get("name") or item["number"] for item in items]


@pytest.mark.parametrize("q", ["nwp", "NW", "cv", "act", "valves", "ab-", "zzz", "", "  Pumps "])
def test_customer_search_matches_the_same_on_the_page_and_in_the_api(
    supervisor_client, supervisor_api, catalog, q
):
    page = _page_names(supervisor_client, "customers:list", q)
    assert page == _api_names(supervisor_api, "/api/v1/customers", q)
    assert "Northwind Beta" not in page


def test_a_customer_is_found_by_part_of_its_code(supervisor_client, supervisor_api, catalog):
    """The page matched only a whole code and the API any part of it; both now take a part."""
    assert _page_names(supervisor_client, "customers:list", "ab-") == ["Fabrikam"]
    assert _api_names(supervisor_api, "/api/v1/customers", "ab-") == ["Fabrikam"]


@pytest.mark.parametrize("q", ["nwp", "100", "-7", "x-", "body", "spacer", "zzz", ""])
def test_part_search_matches_the_same_on_the_page_and_in_the_api(
    supervisor_client, supervisor_api, catalog, q
):
    page = _page_names(supervisor_client, "parts:list", q)
    assert page == _api_names(supervisor_api, "/api/v1/parts", q)
    assert "NWP-999" not in page


def test_a_part_is_found_by_the_middle_of_its_number(supervisor_client, supervisor_api, catalog):
    """The API matched only the start of a number and the page any part; both take a part."""
    assert _page_names(supervisor_client, "parts:list", "nwp") == ["NWP-100", "X-NWP-7"]
    assert _api_names(supervisor_api, "/api/v1/parts", "nwp") == ["NWP-100", "X-NWP-7"]
