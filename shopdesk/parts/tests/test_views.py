"""Part pages: list with search and customer filter, detail with the jobs on the part, and the
planner's create and edit forms."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import CustomerFactory, JobFactory, PartFactory
from shopdesk.parts.models import Part

pytestmark = pytest.mark.django_db

LIST_URL = reverse("parts:list")
CREATE_URL = reverse("parts:create")


def detail_url(part: Part) -> str:
    return reverse("parts:detail", args=[part.pk])


def edit_url(part: Part) -> str:
    return reverse("parts:edit", args=[part.pk])


def part_numbers(html: str) -> list[str]:
    return re.findall(r'<td><a href="/parts/\d+/"><b>([^<]+)</b></a></td>', html)


# --- List -----------------------------------------------------------------------------------


def test_list_shows_parts_with_customer_and_open_jobs(operator_client, planned_job, part, shop):
    PartFactory(shop=shop, customer=None, number="GEN-1", description="Spacer")

    response = operator_client.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert part_numbers(html) == ["GEN-1", "NP-220"]
    assert "Pump housing" in html and "Northwind Pumps" in html
    assert "<b>1</b>" in html  # NP-220's open job
    assert CREATE_URL not in html  # operators get no create button


def test_search_by_number_or_description_and_filter_by_customer(supervisor_client, part, shop):
    contoso = CustomerFactory(shop=shop, name="Contoso Valves")
    PartFactory(shop=shop, customer=contoso, number="CV-10", description="Valve body")

    assert part_numbers(supervisor_client.get(LIST_URL, {"q": "np-2"}).content.decode()) == [
        "NP-220"
    ]
    assert part_numbers(supervisor_client.get(LIST_URL, {"q": "valve"}).content.decode()) == [
        "CV-10"
    ]
    html = supervisor_client.get(LIST_URL, {"customer": contoso.pk}).content.decode()
    assert part_numbers(html) == ["CV-10"]
    assert f'<option value="{contoso.pk}" selected>' in html


@pytest.mark.parametrize("junk", ["abc", "-1", "9" * 40, "<script>"])
def test_a_junk_customer_filter_is_ignored(supervisor_client, part, junk):
    response = supervisor_client.get(LIST_URL, {"customer": junk})
    assert response.status_code == 200
    assert part_numbers(response.content.decode()) == ["NP-220"]


def test_another_shops_customer_filter_shows_nothing_of_theirs(supervisor_client, part, other_job):
    response = supervisor_client.get(LIST_URL, {"customer": other_job.customer_id})
    assert response.status_code == 200
    assert part_numbers(response.content.decode()) == []
    assert "B-1" not in response.content.decode()


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "q" * 10_000, "%_%"])
def test_hostile_searches_answer_a_calm_page(supervisor_client, part, q):
    response = supervisor_client.get(LIST_URL, {"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_list_shows_only_this_shops_parts(supervisor_client, part, other_job):
    assert part_numbers(supervisor_client.get(LIST_URL).content.decode()) == ["NP-220"]


def test_list_costs_a_fixed_number_of_queries(
    supervisor_client, shop, customer, django_assert_max_num_queries
):
    for index in range(70):
        made = PartFactory(shop=shop, customer=CustomerFactory(shop=shop), number=f"P-{index:03d}")
        JobFactory(shop=shop, customer=made.customer, part=made)
    with django_assert_max_num_queries(15):
        response = supervisor_client.get(LIST_URL)
    assert len(part_numbers(response.content.decode())) == 50
    second = supervisor_client.get(LIST_URL, {"page": "2", "q": "P-"}).content.decode()
    assert len(part_numbers(second)) == 20


# --- Detail ---------------------------------------------------------------------------------


def test_detail_shows_the_jobs_on_the_part(operator_client, planned_job, part):
    response = operator_client.get(detail_url(part))

    assert response.status_code == 200
    html = response.content.decode()
    assert "NP-220" in html and "rev A" in html
    assert reverse("jobs:detail", args=["J-1001"]) in html
    assert "Northwind Pumps" in html
    assert '<span class="badge pl-stage-planned">Planned</span>' in html
    assert edit_url(part) not in html


@pytest.mark.parametrize(
    ("po", "shown"),
    [("4500012345", "PO 4500012345"), ("PO-4471", "PO-4471"), ("po 88", "po 88")],
)
def test_detail_labels_a_jobs_po_once(operator_client, planned_job, part, po, shown):
    planned_job.customer_po = po
    planned_job.save(update_fields=["customer_po"])
    html = operator_client.get(detail_url(part)).content.decode()
    assert f'<span class="muted small pl-po">{shown}</span>' in html


def test_detail_costs_a_fixed_number_of_queries(
    supervisor_client, shop, part, django_assert_max_num_queries
):
    for _ in range(60):
        JobFactory(shop=shop, customer=part.customer, part=part)
    with django_assert_max_num_queries(15):
        response = supervisor_client.get(detail_url(part))
    assert response.content.decode().count('class="badge pl-stage-planned"') == 50


def test_outsider_gets_404_for_acmes_part(outsider_client, part):
    assert outsider_client.get(detail_url(part)).status_code == 404
    assert outsider_client.get(edit_url(part)).status_code == 404
    response = outsider_client.post(edit_url(part), {"number": "STOLEN", "revision": "A"})
    assert response.status_code == 404
    part.refresh_from_db()
    assert part.number == "NP-220"


# --- Create and edit -------------------------------------------------------------------------


def test_create_a_part(supervisor_client, customer):
    response = supervisor_client.post(
        CREATE_URL,
        {
            "number": "NP-330",
            "revision": "C",
            "description": "Impeller",
            "material": "316 SS",
            "customer": customer.pk,
        },
    )

    part = Part.objects.get(number="NP-330")
    assert response.status_code == 303
    assert response["Location"] == detail_url(part)
    assert (part.revision, part.material, part.customer) == ("C", "316 SS", customer)
    assert Event.objects.filter(kind="part.created", subject_id=part.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"number": "", "revision": "A"}, "This field is required."),
        ({"number": "X-1", "revision": ""}, "This field is required."),
        ({"number": "N" * 10_000, "revision": "A"}, "at most 60 characters"),
        ({"number": "X-1", "revision": "R" * 11}, "at most 10 characters"),
        ({"number": "X-1", "revision": "A", "description": "d" * 10_000}, "at most 200 characters"),
        ({"number": "X-1", "revision": "A", "customer": "abc"}, "Select a valid choice."),
        ({"number": "np-220", "revision": "A"}, "A part with this number exists."),
    ],
)
def test_bad_input_to_create_is_refused_and_creates_nothing(supervisor_client, part, data, message):
    response = supervisor_client.post(CREATE_URL, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Part.objects.count() == 1


def test_another_shops_customer_cannot_be_chosen(supervisor_client, other_job):
    response = supervisor_client.post(
        CREATE_URL, {"number": "X-1", "revision": "A", "customer": other_job.customer_id}
    )
    assert response.status_code == 422
    assert not Part.objects.filter(number="X-1").exists()


def test_double_submit_of_create_makes_one_part(supervisor_client):
    data = {"number": "NP-330", "revision": "A"}
    assert supervisor_client.post(CREATE_URL, data).status_code == 303
    assert supervisor_client.post(CREATE_URL, data).status_code == 422
    assert Part.objects.filter(number="NP-330").count() == 1


def test_edit_a_part(supervisor_client, part):
    html = supervisor_client.get(edit_url(part)).content.decode()
    assert 'value="NP-220"' in html
    assert 'name="revision"' not in html  # the revision is derived, never typed in

    response = supervisor_client.post(
        edit_url(part),
        {"number": "NP-220", "revision": "B", "description": "Pump housing, cast", "customer": ""},
    )

    assert response.status_code == 303
    part.refresh_from_db()
    # A typed-in revision is ignored: only releasing a revision changes it.
    assert (part.revision, part.description, part.customer) == ("A", "Pump housing, cast", None)
    event = Event.objects.get(kind="part.updated")
    assert "revision" not in event.after
    assert event.after["description"] == "Pump housing, cast"


def test_script_in_a_description_is_shown_as_text(supervisor_client, part):
    supervisor_client.post(
        edit_url(part), {"number": "NP-220", "revision": "A", "description": "<script>x()</script>"}
    )
    for page in (LIST_URL, detail_url(part)):
        html = supervisor_client.get(page).content.decode()
        assert "<script>x()</script>" not in html
        assert "&lt;script&gt;x()&lt;/script&gt;" in html


def test_edit_refuses_a_number_taken_by_another_part(supervisor_client, part, shop):
    PartFactory(shop=shop, number="NP-999")
    response = supervisor_client.post(edit_url(part), {"number": "np-999", "revision": "A"})
    assert response.status_code == 422
    assert "A part with this number exists." in response.content.decode()
    part.refresh_from_db()
    assert part.number == "NP-220"


def test_operator_gets_403_and_nothing_changes(operator_client, part):
    assert operator_client.get(CREATE_URL).status_code == 403
    assert operator_client.get(edit_url(part)).status_code == 403
    data = {"number": "MINE", "revision": "A"}
    assert operator_client.post(CREATE_URL, data).status_code == 403
    assert operator_client.post(edit_url(part), data).status_code == 403
    part.refresh_from_db()
    assert part.number == "NP-220"
    assert Part.objects.count() == 1
