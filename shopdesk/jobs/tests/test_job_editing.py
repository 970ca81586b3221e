"""The new-job form and the job header edit form (jobs:create, jobs:edit)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import CustomerFactory, PartFactory, WorkCenterFactory
from shopdesk.jobs import services as job_services
from shopdesk.jobs.models import Job, JobState, Priority

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("jobs:create")
FORM_ID = "0b8c9f3e-4d2a-4f6b-9a51-7c3e2d1f0a9b"


def edit_url(number: str = "J-1001") -> str:
    return reverse("jobs:edit", args=[number])


def create_data(customer, part, work_centers=(), **overrides) -> dict[str, str]:
    """A complete new-job POST: header fields and a 3-row routing formset."""
    due = timezone.localdate() + datetime.timedelta(days=21)
    data = {
        "form_id": FORM_ID,
        "customer": str(customer.pk),
        "part": str(part.pk),
        "revision": "",
        "quantity": "40",
        "due_date": due.isoformat(),
        "customer_po": "PO-9001",
        "priority": str(Priority.HIGH),
        "owner": "",
        "notes": "Deburr all edges.",
        "ops-TOTAL_FORMS": "3",
        "ops-INITIAL_FORMS": "0",
        "ops-MIN_NUM_FORMS": "0",
        "ops-MAX_NUM_FORMS": "200",
    }
    for index in range(3):
        work_center = work_centers[index] if index < len(work_centers) else None
        data[f"ops-{index}-work_center"] = str(work_center.pk) if work_center else ""
        data[f"ops-{index}-name"] = ""
        data[f"ops-{index}-setup_minutes"] = "15" if work_center else ""
        data[f"ops-{index}-run_minutes"] = "1.5" if work_center else ""
    data.update(overrides)
    return data


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- New job: the form ------------------------------------------------------------------------


def test_new_job_form_offers_only_this_shops_customers_parts_and_work_centers(
    supervisor_client, customer, part, work_centers, other_shop
):
    CustomerFactory(shop=other_shop, name="Beta Secret Customer")
    PartFactory(shop=other_shop, number="BETA-SECRET-PART")
    WorkCenterFactory(shop=other_shop, name="Beta Secret Lathe")

    response = supervisor_client.get(CREATE_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Northwind Pumps" in page
    assert "NP-220 rev A" in page
    assert "CNC Mill" in page
    assert "Beta Secret" not in page
    assert "BETA-SECRET-PART" not in page
    # Three empty routing rows to start with, and the add-row script as a static file.
    assert 'name="ops-2-work_center"' in page
    assert 'name="ops-3-work_center"' not in page
    assert "shopdesk/planning.js" in page
    assert "onclick" not in page


def test_new_job_link_is_shown_to_planners_only(supervisor_client, operator_client, shop):
    assert CREATE_URL in supervisor_client.get(reverse("customers:list")).content.decode()
    assert CREATE_URL not in operator_client.get(reverse("customers:list")).content.decode()


def test_operator_gets_403_on_the_new_job_form_and_creates_nothing(
    operator_client, customer, part, work_centers
):
    assert operator_client.get(CREATE_URL).status_code == 403
    response = operator_client.post(CREATE_URL, create_data(customer, part, work_centers))
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(CREATE_URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- New job: creating -----------------------------------------------------------------------


def test_creating_a_job_with_its_routing_opens_the_live_job_page(
    supervisor_client, supervisor, customer, part, work_centers
):
    saw, mill, _ = work_centers
    data = create_data(
        customer, part, [saw, mill], owner=str(supervisor.pk), **{"ops-1-name": "Mill op 10"}
    )

    response = supervisor_client.post(CREATE_URL, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=["J-1001"])
    assert page_messages(response) == ["J-1001 created."]
    job = Job.objects.get()
    assert job.number == 1001
    assert (job.customer, job.part, job.quantity, job.customer_po) == (
        customer,
        part,
        40,
        "PO-9001",
    )
    assert job.revision == "A"  # blank revision: the part's current one
    assert job.priority == Priority.HIGH
    assert job.owner == supervisor
    assert job.state == JobState.PLANNED
    routing = list(job.operations.order_by("sequence"))
    # The blank third row is skipped; a blank name takes the work center's name.
    assert [(op.sequence, op.name, op.work_center) for op in routing] == [
        (1, "Saw", saw),
        (2, "Mill op 10", mill),
    ]
    assert str(routing[0].setup_minutes) == "15.00"
    assert str(routing[0].run_minutes) == "1.50"
    assert Event.objects.filter(job=job, kind="job.created").count() == 1


def test_a_job_can_be_made_to_an_older_revision_the_part_has(
    supervisor_client, customer, part, work_centers
):
    older = part.revisions.create(shop=part.shop, code="0", status="superseded")
    supervisor_client.post(CREATE_URL, create_data(customer, part, work_centers, revision="0"))
    job = Job.objects.get()
    assert (job.revision, job.part_revision) == ("0", older)


def test_a_revision_the_part_does_not_have_is_refused_and_no_job_is_made(
    supervisor_client, customer, part, work_centers
):
    response = supervisor_client.post(
        CREATE_URL, create_data(customer, part, work_centers, revision="B2")
    )
    assert response.status_code == 422
    assert "has no revision B2" in response.content.decode()
    assert not Job.objects.exists()


def test_a_job_without_routing_rows_is_created_with_an_empty_routing(
    supervisor_client, customer, part
):
    response = supervisor_client.post(CREATE_URL, create_data(customer, part))
    assert response.status_code == 302
    assert Job.objects.get().operations.count() == 0


def test_double_submit_of_the_same_form_creates_one_job_and_opens_it_again(
    supervisor_client, customer, part, work_centers
):
    data = create_data(customer, part, work_centers)

    first = supervisor_client.post(CREATE_URL, data)
    second = supervisor_client.post(CREATE_URL, data)

    assert Job.objects.count() == 1
    assert first["Location"] == second["Location"] == reverse("jobs:detail", args=["J-1001"])
    assert page_messages(second)[-1] == "J-1001 was already created from this form."
    # A fresh form (a new form id) makes the next job.
    third = supervisor_client.post(
        CREATE_URL, {**data, "form_id": "1c9d0a4f-5e3b-4a7c-8b62-8d4f3e2a1b0c"}
    )
    assert third["Location"] == reverse("jobs:detail", args=["J-1002"])
    assert Job.objects.count() == 2


def test_each_new_job_form_carries_its_own_one_time_id(supervisor_client, shop):
    first = supervisor_client.get(CREATE_URL).context["form"]["form_id"].value()
    second = supervisor_client.get(CREATE_URL).context["form"]["form_id"].value()
    assert first and second and first != second


@pytest.mark.parametrize("form_id", ["", "short", "<script>alert(1)</script>" * 3])
def test_a_missing_or_forged_form_id_is_refused(
    supervisor_client, customer, part, work_centers, form_id
):
    response = supervisor_client.post(
        CREATE_URL, create_data(customer, part, work_centers, form_id=form_id)
    )
    assert response.status_code == 422
    assert "This form has expired" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("customer", "", "This field is required."),
        ("part", "", "This field is required."),
        ("quantity", "-5", "Ensure this value is greater than or equal to 1."),
        ("quantity", "0", "Ensure this value is greater than or equal to 1."),
        ("quantity", str(10**12), "Ensure this value is less than or equal to 10000000."),
        ("quantity", "forty", "Enter a whole number."),
        ("quantity", "9" * 5000, "Enter a whole number."),
        ("due_date", "2026-13-45", "Enter a valid date."),
        ("due_date", "tomorrow", "Enter a valid date."),
        ("customer_po", "P" * 10_000, "Ensure this value has at most 60 characters"),
        ("notes", "n" * 10_000, "Ensure this value has at most 4000 characters"),
        ("revision", "R" * 11, "Ensure this value has at most 10 characters"),
        ("priority", "99", "Select a valid choice."),
        ("customer", "not-an-id", "Select a valid choice."),
        ("ops-0-setup_minutes", "-1", "Ensure this value is greater than or equal to 0."),
        ("ops-0-run_minutes", "fast", "Enter a number."),
        ("ops-0-run_minutes", "NaN", "Enter a number."),
        ("ops-0-setup_minutes", "1e9", "Ensure this value is less than or equal to 100000."),
        ("ops-0-name", "x" * 10_000, "Ensure this value has at most 120 characters"),
        ("ops-0-work_center", "", "This field is required."),
    ],
)
def test_bad_input_re_renders_the_form_with_the_reason_and_creates_nothing(
    supervisor_client, customer, part, work_centers, field, value, message
):
    data = {**create_data(customer, part, work_centers), field: value}
    response = supervisor_client.post(CREATE_URL, data)

    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert message in page
    assert not Job.objects.exists()
    assert not Event.objects.filter(kind="job.created").exists()


def test_a_row_with_a_name_but_no_work_center_is_refused(
    supervisor_client, customer, part, work_centers
):
    data = create_data(customer, part, work_centers[:1], **{"ops-2-name": "Anodize"})
    response = supervisor_client.post(CREATE_URL, data)
    assert response.status_code == 422
    assert not Job.objects.exists()


def test_a_hostile_row_count_is_refused_without_error(
    supervisor_client, customer, part, work_centers
):
    data = create_data(customer, part, work_centers, **{"ops-TOTAL_FORMS": str(10**9)})
    response = supervisor_client.post(CREATE_URL, data)
    assert response.status_code == 422
    assert not Job.objects.exists()


def test_a_part_made_for_another_customer_is_refused(supervisor_client, shop, part, work_centers):
    other_customer = CustomerFactory(shop=shop, name="Contoso Valves")
    response = supervisor_client.post(CREATE_URL, create_data(other_customer, part, work_centers))
    assert response.status_code == 422
    assert "NP-220 is Northwind Pumps&#x27;s part, not Contoso Valves&#x27;s." in (
        response.content.decode()
    )
    assert not Job.objects.exists()


def test_an_inactive_work_center_cannot_be_chosen(supervisor_client, customer, part, shop):
    retired = WorkCenterFactory(shop=shop, name="Old Bridgeport", active=False)
    response = supervisor_client.post(CREATE_URL, create_data(customer, part, [retired]))
    assert response.status_code == 422
    assert not Job.objects.exists()


def test_outsider_cannot_pick_acmes_customer_part_or_work_center(
    outsider_client, other_shop, customer, part, work_centers
):
    own_customer = CustomerFactory(shop=other_shop, name="Beta Customer")
    own_part = PartFactory(shop=other_shop, customer=own_customer, number="B-7")
    own_center = WorkCenterFactory(shop=other_shop, name="Beta Saw")
    attempts = [
        create_data(customer, own_part, [own_center]),  # Acme's customer
        create_data(own_customer, part, [own_center]),  # Acme's part
        create_data(own_customer, own_part, [work_centers[0]]),  # Acme's work center
    ]
    for data in attempts:
        response = outsider_client.post(CREATE_URL, data)
        assert response.status_code == 422
        assert "Select a valid choice" in response.content.decode()
    assert not Job.objects.exists()


def test_owner_must_be_a_person_of_this_shop(
    supervisor_client, outsider, customer, part, work_centers
):
    response = supervisor_client.post(
        CREATE_URL, create_data(customer, part, work_centers, owner=str(outsider.pk))
    )
    assert response.status_code == 422
    assert not Job.objects.exists()


# --- Editing the job header ---------------------------------------------------------------


def test_edit_page_shows_the_job_and_its_routing(supervisor_client, planned_job):
    response = supervisor_client.get(edit_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Edit" in page and "J-1001" in page
    assert 'value="PO-4471"' in page
    assert page.index("Saw") < page.index("CNC Mill") < page.index("Inspection")
    assert reverse("jobs:operation_add", args=["J-1001"]) in page


def test_saving_the_header_changes_the_job_and_records_an_event(
    supervisor_client, planned_job, customer, part, owner
):
    data = {
        "customer": str(customer.pk),
        "part": str(part.pk),
        # Not a field of the edit form: a job moves revision from its live page, with a reason.
        "revision": "B",
        "material_status": "received",
        "quantity": "120",
        "due_date": "2031-05-02",
        "customer_po": "PO-4471-R1",
        "priority": str(Priority.HOT),
        "owner": str(owner.pk),
        "notes": "Customer called: expedite.",
    }

    response = supervisor_client.post(edit_url(), data)

    assert response.status_code == 303
    assert response["Location"] == reverse("jobs:detail", args=["J-1001"])
    assert page_messages(response) == ["J-1001 saved."]
    planned_job.refresh_from_db()
    assert planned_job.quantity == 120
    assert planned_job.due_date == datetime.date(2031, 5, 2)
    assert planned_job.revision == "A"
    assert planned_job.material_status == "received"
    assert Event.objects.filter(job=planned_job, kind="job.material_status_changed").exists()
    assert planned_job.priority == Priority.HOT
    assert planned_job.owner == owner
    event = Event.objects.get(job=planned_job, kind="job.updated")
    assert event.before["quantity"] == 100 and event.after["quantity"] == 120


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "-1"),
        ("quantity", str(10**12)),
        ("quantity", "lots"),
        ("due_date", "2026-13-45"),
        ("customer_po", "x" * 10_000),
        ("customer", ""),
    ],
)
def test_bad_header_input_is_refused_and_changes_nothing(
    supervisor_client, planned_job, customer, part, field, value
):
    data = {
        "customer": str(customer.pk),
        "part": str(part.pk),
        "revision": "A",
        "quantity": "100",
        "due_date": planned_job.due_date.isoformat(),
        "customer_po": "PO-4471",
        "priority": "2",
        "owner": "",
        "notes": "",
        field: value,
    }
    response = supervisor_client.post(edit_url(), data)

    assert response.status_code == 422
    assert "Nothing was saved" in response.content.decode()
    planned_job.refresh_from_db()
    assert (planned_job.quantity, planned_job.customer_po) == (100, "PO-4471")
    assert not Event.objects.filter(kind="job.updated").exists()


def test_a_released_job_keeps_its_quantity(supervisor_client, released_job, customer, part):
    data = {
        "customer": str(customer.pk),
        "part": str(part.pk),
        "revision": "A",
        "quantity": "",
        "due_date": released_job.due_date.isoformat(),
        "priority": "2",
    }
    response = supervisor_client.post(edit_url(), data)
    assert response.status_code == 422
    assert "A released job needs a quantity and a due date" in response.content.decode()
    released_job.refresh_from_db()
    assert released_job.quantity == 100


def test_script_in_notes_is_shown_as_text(supervisor_client, supervisor, planned_job):
    job_services.job_update(user=supervisor, job=planned_job, notes="<script>alert(1)</script>")
    page = supervisor_client.get(edit_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_closed_job_is_shown_read_only_with_the_reason(
    supervisor_client, supervisor, planned_job, customer, part
):
    job_services.job_close(user=supervisor, job=planned_job, reason="Customer cancelled")

    page = supervisor_client.get(edit_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "J-1001 is closed; it can no longer be edited." in text
    assert "Save job" not in text
    assert reverse("jobs:operation_add", args=["J-1001"]) not in text
    assert "Remove" not in text

    response = supervisor_client.post(
        edit_url(), {"customer": customer.pk, "part": part.pk, "quantity": "5", "priority": "2"}
    )
    assert response.status_code == 409
    planned_job.refresh_from_db()
    assert planned_job.quantity == 100


def test_operator_gets_403_on_edit_and_nothing_changes(operator_client, planned_job, customer):
    assert operator_client.get(edit_url()).status_code == 403
    response = operator_client.post(
        edit_url(), {"customer": customer.pk, "part": planned_job.part_id, "quantity": "7"}
    )
    assert response.status_code == 403
    planned_job.refresh_from_db()
    assert planned_job.quantity == 100


def test_outsider_gets_404_for_acmes_job_number(outsider_client, planned_job, customer):
    assert outsider_client.get(edit_url()).status_code == 404
    response = outsider_client.post(
        edit_url(), {"customer": customer.pk, "part": planned_job.part_id, "quantity": "7"}
    )
    assert response.status_code == 404
    planned_job.refresh_from_db()
    assert planned_job.quantity == 100


def test_the_same_number_in_another_shop_edits_only_that_shops_job(
    outsider_client, planned_job, other_job
):
    """Both shops have a J-1001; each planner sees and edits only their own."""
    page = outsider_client.get(edit_url()).content.decode()
    assert "Beta Customer" in page
    assert "Northwind" not in page and "PO-4471" not in page


@pytest.mark.parametrize("number", ["J-99999", "abc", "J-1001x", "1" * 40])
def test_unknown_job_numbers_answer_404(supervisor_client, planned_job, number):
    assert supervisor_client.get(edit_url(number)).status_code == 404


def test_edit_page_costs_a_fixed_number_of_queries(
    supervisor_client, supervisor, planned_job, work_centers, django_assert_max_num_queries
):
    for index in range(60):
        job_services.operation_add(
            user=supervisor,
            job=planned_job,
            work_center=work_centers[index % 3],
            name=f"Op {index}",
        )
    with django_assert_max_num_queries(15):
        response = supervisor_client.get(edit_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="re-row" id="op-') == 63


def test_new_job_form_costs_a_fixed_number_of_queries(
    supervisor_client, shop, django_assert_max_num_queries
):
    for index in range(40):
        customer = CustomerFactory(shop=shop)
        PartFactory(shop=shop, customer=customer)
        WorkCenterFactory(shop=shop, name=f"Center {index}")
    with django_assert_max_num_queries(15):
        response = supervisor_client.get(CREATE_URL)
    assert response.status_code == 200


def test_new_job_from_a_customer_or_part_page_starts_with_it_chosen(
    supervisor_client, customer, part, other_job
):
    form = supervisor_client.get(CREATE_URL, {"customer": customer.pk, "part": part.pk})
    html = form.content.decode()
    assert f'<option value="{customer.pk}" selected>' in html
    assert f'<option value="{part.pk}" selected data-revision="A"' in html
    # Another shop's id, or junk, leaves the choice empty and shows nothing of theirs.
    for query in ({"customer": other_job.customer_id}, {"part": "x" * 50}):
        html = supervisor_client.get(CREATE_URL, query).content.decode()
        assert "Beta Customer" not in html
        customer_select = html.split('name="customer"')[1].split("</select>")[0]
        assert not re.search(r'<option value="\d+" selected', customer_select)


# --- A due date already past ------------------------------------------------------------------


def test_a_job_due_in_the_past_is_created_with_a_warning_said(
    supervisor_client, customer, part, work_centers
):
    due = timezone.localdate() - datetime.timedelta(days=3)
    response = supervisor_client.post(
        CREATE_URL, create_data(customer, part, work_centers, due_date=due.isoformat())
    )
    assert response.status_code == 302
    said = page_messages(response)
    assert said[0] == "J-1001 created."
    assert said[1] == (
        f"The due date {due:%b} {due.day}, {due.year} has passed (3 days ago): "
        "the job is late from the start."
    )
    assert Job.objects.get(number=1001).due_date == due


def test_editing_says_a_past_due_date_only_when_it_is_set(supervisor_client, planned_job):
    data = {
        "customer": str(planned_job.customer_id),
        "part": str(planned_job.part_id),
        "material_status": "received",
        "quantity": "100",
        "due_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "customer_po": "PO-4471",
        "priority": str(Priority.NORMAL),
        "owner": "",
        "notes": "",
    }
    response = supervisor_client.post(edit_url(), data)
    assert response.status_code == 303
    assert "has passed (1 day ago)" in page_messages(response)[1]
    supervisor_client.get(response["Location"])  # the job page shows (and uses up) them
    # Saved again with the same date: nothing new to say.
    response = supervisor_client.post(edit_url(), {**data, "notes": "Called the customer."})
    assert page_messages(response) == ["J-1001 saved."]
