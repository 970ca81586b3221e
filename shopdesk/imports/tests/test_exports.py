"""Exports of the list pages: the same rows as the page's filters, CSV injection escaped,
Excel readable, other shops' rows never in them."""

from __future__ import annotations

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from shopdesk.core.services import api_token_create
from shopdesk.core.tests.factories import CustomerFactory
from shopdesk.jobs import services as job_services


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def jobs(supervisor, customer, part, work_centers, planned_job, shop):
    """J-1001 (planned_job, Northwind), J-1002 for Dock & Co (late, hot) and J-1003 for
    Northwind with a formula typed into its PO."""
    dock = CustomerFactory(shop=shop, name="Dock & Co", code="DOCK")
    late = job_services.job_create(
        user=supervisor,
        customer=dock,
        part=part,
        quantity=3,
        priority=4,
        due_date=timezone.localdate() - datetime.timedelta(days=2),
        operations=[{"work_center": work_centers[0], "name": "Saw"}],
    )
    evil = job_services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=1,
        customer_po="=HYPERLINK(1)",
        notes="-2+3",
    )
    return planned_job, late, evil


def _page_numbers(client: Client, query: str) -> list[str]:
    html = client.get(f"/jobs/{query}").content.decode()
    return re.findall(r'class="jobnum" href="[^"]+">(J-\d+)</a>', html)


@pytest.mark.parametrize(
    "query",
    ["", "?stage=all", "?late=1", "?q=PO-4471", "?stage=planned&customer={northwind}"],
)
def test_job_export_holds_the_rows_the_page_lists(supervisor_client, jobs, customer, query):
    query = query.format(northwind=customer.pk)
    listed = _page_numbers(supervisor_client, query)
    exported = [
        row["job_number"] for row in _rows(supervisor_client.get(f"/exports/jobs.csv{query}"))
    ]
    assert exported == listed and listed


def test_job_list_links_to_its_export_with_its_filters(supervisor_client, jobs):
    html = supervisor_client.get("/jobs/?late=1&page=1").content.decode()
    assert 'href="/exports/jobs.csv?late=1"' in html
    assert 'href="/exports/jobs.xlsx?late=1"' in html


def test_formulas_are_escaped_in_csv_and_excel(supervisor_client, jobs):
    rows = {row["job_number"]: row for row in _rows(supervisor_client.get("/exports/jobs.csv"))}
    assert rows["J-1003"]["customer_po"] == "'=HYPERLINK(1)"
    response = supervisor_client.get("/exports/jobs.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[0]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in values[1:]}
    assert by_number["J-1003"]["customer_po"] == "'=HYPERLINK(1)"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert by_number["J-1001"]["quantity"] == 100  # numbers stay numbers


def test_operations_export_is_the_dispatch_list(supervisor_client, jobs, work_centers, supervisor):
    job_services.job_release(user=supervisor, job=jobs[0])
    rows = _rows(supervisor_client.get(f"/exports/operations.csv?work_center={work_centers[0].pk}"))
    assert [(row["list"], row["job_number"]) for row in rows][:1] == [("ready", "J-1001")]
    page = supervisor_client.get(f"/jobs/work-centers/{work_centers[0].pk}/dispatch/")
    assert f"/exports/operations.csv?work_center={work_centers[0].pk}" in page.content.decode()


def test_blocker_and_labor_exports(supervisor_client, supervisor, jobs):
    job_services.blocker_raise(
        user=supervisor, job=jobs[1], kind="material", note="@SUM(A1) bar stock late"
    )
    rows = _rows(supervisor_client.get("/exports/blockers.csv?open=true"))
    assert [(r["job_number"], r["note"]) for r in rows] == [("J-1002", "'@SUM(A1) bar stock late")]
    assert _rows(supervisor_client.get("/exports/blockers.csv?open=false")) == []
    assert _rows(supervisor_client.get("/exports/labor.csv?job=J-1001")) == []
    assert supervisor_client.get("/exports/blockers.csv?open=maybe").status_code == 422
    assert supervisor_client.get("/exports/labor.csv?started_from=yesterday").status_code == 422


def test_other_shops_rows_never_appear(outsider_client, jobs, work_centers):
    assert _rows(outsider_client.get("/exports/jobs.csv?stage=all")) == []
    assert _rows(outsider_client.get("/exports/blockers.csv")) == []
    response = outsider_client.get(f"/exports/operations.csv?work_center={work_centers[0].pk}")
    assert response.status_code == 404


def test_api_exports_match_the_api_lists(supervisor, jobs):
    _, raw = api_token_create(user=supervisor, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    listed = [item["number"] for item in api.get("/api/v1/jobs?late=true").json()["items"]]
    exported = [row["job_number"] for row in _rows(api.get("/api/v1/exports/jobs?late=true"))]
    assert exported == listed == ["J-1002"]
    xlsx = api.get("/api/v1/exports/blockers?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert api.get("/api/v1/exports/jobs?format=pdf").status_code == 422
    assert api.get("/api/v1/exports/operations?work_center=999999").status_code == 404
    assert Client().get("/api/v1/exports/jobs").status_code == 401
