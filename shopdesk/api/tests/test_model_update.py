"""Update services share one helper (core.services.model_update): only the fields that changed
are saved and recorded, and a change of nothing appends no event, on the page as in the API."""

from __future__ import annotations

from django.urls import reverse

from shopdesk.core.models import Event


def test_an_api_patch_records_only_what_changed(supervisor_api, customer):
    response = supervisor_api.patch(
        f"/api/v1/customers/{customer.pk}", {"name": customer.name, "phone": "555-0100"}
    )
    assert response.status_code == 200
    event = Event.objects.get(kind="customer.updated")
    assert (event.before, event.after) == ({"phone": ""}, {"phone": "555-0100"})


def test_a_patch_that_changes_nothing_appends_no_event(supervisor_api, customer, part):
    same_name = supervisor_api.patch(f"/api/v1/customers/{customer.pk}", {"name": customer.name})
    same_text = supervisor_api.patch(f"/api/v1/parts/{part.pk}", {"description": part.description})
    assert (same_name.status_code, same_text.status_code) == (200, 200)
    assert not Event.objects.filter(kind__in=["customer.updated", "part.updated"]).exists()


def test_the_page_records_the_same_way(supervisor_client, customer):
    url = reverse("customers:edit", args=[customer.pk])
    supervisor_client.post(url, {"name": customer.name, "code": customer.code})
    assert not Event.objects.filter(kind="customer.updated").exists()
    supervisor_client.post(url, {"name": "Northwind Pumps Inc.", "code": customer.code})
    event = Event.objects.get(kind="customer.updated")
    assert (event.before, event.after) == (
        {"name": "Northwind Pumps"},
        {"name": "Northwind Pumps Inc."},
    )


def test_a_work_center_rename_is_one_event_with_the_names(supervisor_api, work_centers):
    saw = work_centers[0]
    response = supervisor_api.patch(
        f"/api/v1/work-centers/{saw.pk}", {"name": "Band saw", "kind": saw.kind}
    )
    assert response.status_code == 200
    event = Event.objects.get(kind="work_center.updated")
    assert (event.before, event.after) == ({"name": "Saw"}, {"name": "Band saw"})
    assert event.summary == "Work center Band saw changed"
