"""POST /api/v1/imports/{kind}: the JSON report, all or nothing, hostile files, roles."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.test import Client

from shopdesk.core.services import api_token_create
from shopdesk.customers.models import Customer
from shopdesk.imports import readers

CUSTOMERS = b"code,name\r\nNWP,Northwind Pumps\r\nACM,Acme Hydraulics\r\n"


def client_for(user) -> Client:
    _, raw = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def upload(client: Client, kind: str, content: bytes, name: str = "f.csv", query: str = ""):
    return client.post(f"/api/v1/imports/{kind}{query}", {"file": _named(content, name)})


def _named(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_dry_run_answers_the_report_and_writes_nothing(supervisor):
    client = client_for(supervisor)
    response = upload(client, "customers", CUSTOMERS + b"ACM,Twice\r\n", query="?dry_run=true")
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True and body["applied"] is False
    assert body["problems"] == [
        {
            "sheet": "f.csv",
            "line": 4,
            "column": "code",
            "message": "Customer code ACM is also on line 3.",
        }
    ]
    assert "nothing was imported" in body["detail"]
    assert Customer.objects.count() == 0


def test_import_then_reimport(supervisor, shop):
    client = client_for(supervisor)
    first = upload(client, "customers", CUSTOMERS)
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 2 and first.json()["applied"]
    again = upload(client, "customers", CUSTOMERS).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert Customer.objects.filter(shop=shop).count() == 2


def test_real_import_with_problems_is_422_and_writes_nothing(supervisor):
    response = upload(client_for(supervisor), "customers", CUSTOMERS + b",No code\r\n")
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {"field": "f.csv line 4, code", "message": "A customer code is required."}
    ]
    assert Customer.objects.count() == 0


def test_operators_and_strangers_cannot_import(operator, db):
    response = upload(client_for(operator), "customers", CUSTOMERS)
    assert response.status_code == 403
    assert (
        Client().post("/api/v1/imports/customers", {"file": _named(CUSTOMERS, "a.csv")}).status_code
        == 401
    )
    assert Customer.objects.count() == 0


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(readers.MAX_UNPACKED_BYTES // len(chunk) + 1):
                member.write(chunk)
    return buffer.getvalue()


def _zip_of(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"%PDF-1.7\n\x00\x01\x02binary", 415, "not a CSV or Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", 415, "old Excel .xls"),
        (_zip_of("word/document.xml"), 415, "not an Excel workbook"),
        (b"PK\x03\x04 broken zip", 415, "not a CSV or Excel"),
        (b"", 422, "empty"),
        (b"code,name\r\n" + b"X" * (readers.MAX_FILE_BYTES + 1), 413, "larger than"),
    ],
    ids=["binary", "xls", "docx-like zip", "broken zip", "empty", "too large"],
)
def test_hostile_files_get_a_clear_4xx_and_change_nothing(supervisor, content, status, words):
    response = upload(client_for(supervisor), "customers", content)
    assert response.status_code == status, response.content[:300]
    assert words in response.json()["detail"]
    assert Customer.objects.count() == 0


def test_a_zip_bomb_is_refused_before_unpacking(supervisor):
    response = upload(client_for(supervisor), "customers", _zip_bomb(), "bomb.xlsx")
    assert response.status_code == 413
    assert "unpacks to more than" in response.json()["detail"]


def test_too_many_rows_is_413(supervisor, settings, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ROWS", 3)
    content = b"code,name\r\n" + b"".join(b"C%d,Name %d\r\n" % (i, i) for i in range(4))
    response = upload(client_for(supervisor), "customers", content)
    assert response.status_code == 413
    assert "more than 3 rows" in response.json()["detail"]


def test_formulas_in_a_workbook_are_never_evaluated(supervisor):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name"])
    sheet.append(["F1", '=HYPERLINK("http://evil.example","x")'])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client_for(supervisor), "customers", buffer.getvalue(), "c.xlsx")
    # No cached value (never calculated): the name is blank, and that is the problem reported.
    assert response.status_code == 422
    assert response.json()["problems"][0]["column"] == "name"
    assert Customer.objects.count() == 0


def test_unknown_kind_is_422(supervisor):
    assert upload(client_for(supervisor), "invoices", CUSTOMERS).status_code == 422


def test_templates_download(supervisor):
    client = client_for(supervisor)
    csv_template = client.get("/api/v1/imports/jobs/template?sheet=routing")
    assert csv_template.status_code == 200
    assert csv_template["Content-Type"].startswith("text/csv")
    assert csv_template.content.decode("utf-8-sig").startswith("job_number,sequence,work_center")
    xlsx = client.get("/api/v1/imports/jobs/template?format=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert workbook.sheetnames == ["Jobs", "Routing"]


def test_the_schema_documents_imports_and_exports(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/imports/{kind}",
        "/api/v1/imports/{kind}/template",
        "/api/v1/exports/jobs",
        "/api/v1/exports/operations",
        "/api/v1/exports/blockers",
        "/api/v1/exports/labor-entries",
    } <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/imports/{kind}"]["post"]["parameters"]}
    assert "dry_run" in parameters
