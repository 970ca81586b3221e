"""Customer pages: list with open jobs and search, detail with contacts and recent jobs, and the
planner's create, edit and add-contact forms."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import CustomerFactory, JobFactory, PartFactory
from shopdesk.customers.models import Contact, Customer
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import JobStage

pytestmark = pytest.mark.django_db

LIST_URL = reverse("customers:list")
CREATE_URL = reverse("customers:create")


def detail_url(customer: Customer) -> str:
    return reverse("customers:detail", args=[customer.pk])


def edit_url(customer: Customer) -> str:
    return reverse("customers:edit", args=[customer.pk])


def contact_url(customer: Customer) -> str:
    return reverse("customers:contact_add", args=[customer.pk])


def row_of(html: str, name: str) -> str:
    match = re.search(rf"<tr>\s*<td><a [^>]*><b>{re.escape(name)}</b></a></td>.*?</tr>", html, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


# --- List -----------------------------------------------------------------------------------


def test_list_shows_each_customer_with_open_and_total_jobs(
    operator_client, supervisor, planned_job, customer, shop
):
    JobFactory(shop=shop, customer=customer, part=planned_job.part, stage=JobStage.SHIPPED)
    CustomerFactory(shop=shop, name="Contoso Valves", code="CV")

    response = operator_client.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    northwind = row_of(html, "Northwind Pumps")
    assert re.search(
        r'<td class="num"><a [^>]*><b>1</b></a></td>\s*<td class="num muted">2</td>', northwind
    )
    assert '<span class="muted">0</span>' in row_of(html, "Contoso Valves")
    assert "2 customers" in html
    # Operators read customers but are not offered the planner's button.
    assert CREATE_URL not in html


def test_search_by_name_or_code(supervisor_client, customer, shop):
    CustomerFactory(shop=shop, name="Contoso Valves", code="CV")
    html = supervisor_client.get(LIST_URL, {"q": "north"}).content.decode()
    assert "Northwind Pumps" in html and "Contoso Valves" not in html
    html = supervisor_client.get(LIST_URL, {"q": "cv"}).content.decode()
    assert "Contoso Valves" in html and "Northwind Pumps" not in html
    html = supervisor_client.get(LIST_URL, {"q": "nothing like it"}).content.decode()
    assert "No customer matches" in html


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "x" * 10_000, "%", "' OR 1=1 --"])
def test_hostile_searches_answer_a_calm_page(supervisor_client, customer, q):
    response = supervisor_client.get(LIST_URL, {"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_list_shows_only_this_shops_customers(supervisor_client, customer, other_job):
    html = supervisor_client.get(LIST_URL).content.decode()
    assert "Northwind Pumps" in html
    assert "Beta Customer" not in html


def test_list_costs_a_fixed_number_of_queries_and_pages(
    supervisor_client, shop, part, django_assert_max_num_queries
):
    for index in range(70):
        customer = CustomerFactory(shop=shop, name=f"Customer {index:03d}")
        JobFactory(shop=shop, customer=customer, part=part)
    with django_assert_max_num_queries(15):
        response = supervisor_client.get(LIST_URL)
    html = response.content.decode()
    assert html.count('<td><a href="/customers/') == 50
    assert "Page 1 of 2" in html
    second = supervisor_client.get(LIST_URL, {"page": "2"}).content.decode()
    assert second.count('<td><a href="/customers/') == 21  # 70 + Northwind from `part`
    assert supervisor_client.get(LIST_URL, {"page": "junk"}).status_code == 200


def test_script_in_a_customer_name_is_shown_as_text(supervisor_client, shop):
    CustomerFactory(shop=shop, name="<script>alert(1)</script>")
    html = supervisor_client.get(LIST_URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- Detail ---------------------------------------------------------------------------------


def test_detail_shows_contacts_parts_and_recent_jobs_with_stages(
    operator_client, supervisor, planned_job, customer, part
):
    job_services.job_release(user=supervisor, job=planned_job)
    Contact.objects.create(customer=customer, name="Dana Buyer", email="dana@northwind.example")

    response = operator_client.get(detail_url(customer))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Dana Buyer" in html and "dana@northwind.example" in html
    assert reverse("jobs:detail", args=["J-1001"]) in html
    assert '<span class="badge pl-stage-released">Released</span>' in html
    assert reverse("parts:detail", args=[part.pk]) in html
    assert edit_url(customer) not in html  # operators get no edit link
    assert 'id="add-contact"' not in html


def test_detail_costs_a_fixed_number_of_queries(
    supervisor_client, shop, customer, part, django_assert_max_num_queries
):
    for _ in range(40):
        JobFactory(shop=shop, customer=customer, part=part)
        Contact.objects.create(customer=customer, name="Someone")
    with django_assert_max_num_queries(15):
        response = supervisor_client.get(detail_url(customer))
    assert response.content.decode().count('class="badge pl-stage-planned"') == 25


def test_outsider_gets_404_for_acmes_customer(outsider_client, customer):
    for target in (detail_url(customer), edit_url(customer)):
        assert outsider_client.get(target).status_code == 404
    response = outsider_client.post(edit_url(customer), {"name": "Taken over"})
    assert response.status_code == 404
    response = outsider_client.post(contact_url(customer), {"name": "Spy"})
    assert response.status_code == 404
    customer.refresh_from_db()
    assert customer.name == "Northwind Pumps"
    assert not Contact.objects.exists()


@pytest.mark.parametrize("pk", ["999999", "0"])
def test_unknown_customers_answer_404(supervisor_client, customer, pk):
    assert supervisor_client.get(f"/customers/{pk}/").status_code == 404


# --- Create and edit -------------------------------------------------------------------------


def test_create_a_customer(supervisor_client):
    response = supervisor_client.post(
        CREATE_URL,
        {"name": "Contoso Valves", "code": "CV", "email": "buy@contoso.example", "phone": "555"},
    )

    customer = Customer.objects.get(name="Contoso Valves")
    assert response.status_code == 303
    assert response["Location"] == detail_url(customer)
    assert (customer.code, customer.email) == ("CV", "buy@contoso.example")
    assert Event.objects.filter(kind="customer.created", subject_id=customer.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "N" * 10_000}, "at most 120 characters"),
        ({"name": "Contoso", "code": "C" * 21}, "at most 20 characters"),
        ({"name": "Contoso", "email": "not an email"}, "Enter a valid email address."),
        ({"name": "Contoso", "notes": "n" * 10_000}, "at most 4000 characters"),
        ({"name": "northwind pumps"}, "A customer with this name exists."),
    ],
)
def test_bad_input_to_create_is_refused_and_creates_nothing(
    supervisor_client, customer, data, message
):
    response = supervisor_client.post(CREATE_URL, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Customer.objects.count() == 1


def test_edit_a_customer(supervisor_client, customer):
    form = supervisor_client.get(edit_url(customer))
    assert 'value="Northwind Pumps"' in form.content.decode()

    response = supervisor_client.post(
        edit_url(customer), {"name": "Northwind Pumps Inc.", "code": "NWP", "phone": "555-0100"}
    )

    assert response.status_code == 303
    customer.refresh_from_db()
    assert (customer.name, customer.code, customer.phone) == (
        "Northwind Pumps Inc.",
        "NWP",
        "555-0100",
    )
    event = Event.objects.get(kind="customer.updated")
    assert event.before["name"] == "Northwind Pumps"


def test_edit_refuses_a_name_taken_by_another_customer(supervisor_client, customer, shop):
    CustomerFactory(shop=shop, name="Contoso Valves")
    response = supervisor_client.post(edit_url(customer), {"name": "CONTOSO VALVES"})
    assert response.status_code == 422
    assert "A customer with this name exists." in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "Northwind Pumps"


def test_double_submit_of_create_is_refused_the_second_time(supervisor_client):
    data = {"name": "Contoso Valves"}
    assert supervisor_client.post(CREATE_URL, data).status_code == 303
    second = supervisor_client.post(CREATE_URL, data)
    assert second.status_code == 422
    assert "A customer with this name exists." in second.content.decode()
    assert Customer.objects.filter(name="Contoso Valves").count() == 1


def test_operator_gets_403_and_nothing_changes(operator_client, customer):
    assert operator_client.get(CREATE_URL).status_code == 403
    assert operator_client.get(edit_url(customer)).status_code == 403
    assert operator_client.post(CREATE_URL, {"name": "Mine"}).status_code == 403
    assert operator_client.post(edit_url(customer), {"name": "Mine"}).status_code == 403
    assert operator_client.post(contact_url(customer), {"name": "Me"}).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Northwind Pumps"
    assert Customer.objects.count() == 1
    assert not Contact.objects.exists()


# --- Contacts -------------------------------------------------------------------------------


def test_add_a_contact(supervisor_client, customer):
    response = supervisor_client.post(
        contact_url(customer),
        {"name": "Dana Buyer", "title": "Purchasing", "email": "dana@northwind.example"},
    )

    assert response.status_code == 303
    assert response["Location"] == detail_url(customer)
    contact = Contact.objects.get()
    assert (contact.customer, contact.title) == (customer, "Purchasing")
    assert Event.objects.filter(kind="contact.added").exists()
    assert "Dana Buyer" in supervisor_client.get(detail_url(customer)).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "D" * 10_000}, "at most 120 characters"),
        ({"name": "Dana", "email": "dana at northwind"}, "Enter a valid email address."),
        ({"name": "Dana", "phone": "5" * 41}, "at most 40 characters"),
    ],
)
def test_bad_contact_is_refused_on_the_customer_page(supervisor_client, customer, data, message):
    response = supervisor_client.post(contact_url(customer), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert "The contact was not added." in html
    assert not Contact.objects.exists()


def test_contact_names_are_shown_as_text(supervisor_client, customer):
    supervisor_client.post(contact_url(customer), {"name": "<img src=x onerror=alert(1)>"})
    html = supervisor_client.get(detail_url(customer)).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_contact_add_page_without_post_goes_back_to_the_customer(supervisor_client, customer):
    response = supervisor_client.get(contact_url(customer))
    assert response.status_code == 302
    assert response["Location"] == detail_url(customer) + "#add-contact"


def test_a_customers_part_list_on_the_detail_page_is_this_customers(
    supervisor_client, customer, part, shop
):
    PartFactory(shop=shop, number="OTHER-9", customer=CustomerFactory(shop=shop))
    html = supervisor_client.get(detail_url(customer)).content.decode()
    assert "NP-220" in html and "OTHER-9" not in html
