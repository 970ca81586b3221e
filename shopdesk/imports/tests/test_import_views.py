"""The import page: upload, the dry run's report table, confirm; roles and other shops."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from shopdesk.customers.models import Customer
from shopdesk.imports.models import PendingImport

CUSTOMERS = b"Customer code,Name\r\nNWP,Northwind Pumps\r\nACM,Acme Hydraulics\r\n"


def _file(content: bytes, name: str = "customers.csv") -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_office_checks_then_confirms(office, shop):
    client = _client(office)
    page = client.get("/imports/")
    assert page.status_code == 200
    assert b"Check the file" in page.content and b'href="/imports/"' in page.content

    checked = client.post("/imports/check/", {"kind": "customers", "file": _file(CUSTOMERS)})
    assert checked.status_code == 200
    assert b"Ready to import: 2 new, 0 changed" in checked.content
    assert Customer.objects.count() == 0  # the check wrote nothing
    pending = PendingImport.objects.get(created_by=office)

    done = client.post(f"/imports/{pending.pk}/apply/", follow=True)
    assert done.status_code == 200
    assert b"Imported: 2 new" in done.content
    assert sorted(Customer.objects.filter(shop=shop).values_list("code", flat=True)) == [
        "ACM",
        "NWP",
    ]
    pending.refresh_from_db()
    assert pending.applied_at is not None and bytes(pending.content) == b""
    # Confirming twice imports once.
    again = client.post(f"/imports/{pending.pk}/apply/")
    assert again.status_code == 409
    assert Customer.objects.count() == 2


def test_the_report_lists_each_problem_with_line_and_column(supervisor):
    client = _client(supervisor)
    bad = CUSTOMERS + b"NWP,Again\r\n,Nameless\r\n"
    response = client.post("/imports/check/", {"kind": "customers", "file": _file(bad)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 problems" in html and "nothing was imported" in html
    for line in (4, 5):
        assert f'data-label="line">{line}</td><td class="im-col"><code>Customer code</code>' in html
    assert "Import 0 new" not in html and not PendingImport.objects.exists()
    assert Customer.objects.count() == 0


def test_a_file_that_is_not_a_table_is_a_clear_4xx(supervisor):
    response = _client(supervisor).post(
        "/imports/check/", {"kind": "customers", "file": _file(b"\x00\x01binary", "x.bin")}
    )
    assert response.status_code == 415
    assert b"not a CSV or Excel" in response.content


@pytest.mark.parametrize("path", ["/imports/", "/imports/templates/jobs.csv"])
def test_operators_cannot_reach_imports(operator_client, path):
    assert operator_client.get(path).status_code == 403
    response = operator_client.post(
        "/imports/check/", {"kind": "customers", "file": _file(CUSTOMERS)}
    )
    assert response.status_code == 403
    assert Customer.objects.count() == 0


def test_another_persons_pending_import_is_404(supervisor, office, outsider):
    _client(supervisor).post("/imports/check/", {"kind": "customers", "file": _file(CUSTOMERS)})
    pending = PendingImport.objects.get()
    assert _client(outsider).post(f"/imports/{pending.pk}/apply/").status_code == 404
    assert _client(office).post(f"/imports/{pending.pk}/apply/").status_code == 404
    assert Customer.objects.count() == 0


def test_import_link_in_the_nav_for_planners_only(office_client_and_operator):
    office_client, operator_client = office_client_and_operator
    assert b'href="/imports/"' in office_client.get("/jobs/").content
    assert b'href="/imports/"' not in operator_client.get("/jobs/").content


@pytest.fixture
def office_client_and_operator(office, operator):
    return _client(office), _client(operator)


def test_templates_download_from_the_page(office):
    response = _client(office).get("/imports/templates/parts.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="parts-template.xlsx"'
    assert _client(office).get("/imports/templates/invoices.csv").status_code == 404


def test_jobs_with_a_routing_file_through_the_page(supervisor, shop, customer, part, work_centers):
    from shopdesk.jobs.models import Job

    customer.code = "NWP"
    customer.save()
    client = _client(supervisor)
    jobs = b"job,customer,part,qty,due\r\nJ-4001,NWP,NP-220,10,2030-06-01\r\n"
    routing = b"job,seq,work center\r\nJ-4001,10,Saw\r\nJ-4001,20,CNC Mill\r\n"
    checked = client.post(
        "/imports/check/",
        {"kind": "jobs", "file": _file(jobs, "jobs.csv"), "routing": _file(routing, "ops.csv")},
    )
    assert b"Ready to import: 1 new" in checked.content
    client.post(f"/imports/{PendingImport.objects.get().pk}/apply/")
    job = Job.objects.get(shop=shop, number=4001)
    assert list(job.operations.values_list("name", flat=True)) == ["Saw", "CNC Mill"]
