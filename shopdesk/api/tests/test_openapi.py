"""The OpenAPI schema and the interactive docs."""

from __future__ import annotations

import re

import pytest
from django.test import Client

EXPECTED_PATHS = {
    "/api/v1/jobs",
    "/api/v1/jobs/{number}",
    "/api/v1/jobs/{number}/release",
    "/api/v1/jobs/{number}/unrelease",
    "/api/v1/jobs/{number}/operations",
    "/api/v1/jobs/{number}/traveler.pdf",
    "/api/v1/jobs/{number}/routing",
    "/api/v1/operations/{operation_id}",
    "/api/v1/operations/{operation_id}/move",
    "/api/v1/scans",
    "/api/v1/blockers",
    "/api/v1/blockers/{blocker_id}",
    "/api/v1/blockers/{blocker_id}/resolve",
    "/api/v1/customers",
    "/api/v1/customers/{customer_id}",
    "/api/v1/parts",
    "/api/v1/parts/{part_id}",
    "/api/v1/work-centers",
    "/api/v1/work-centers/{work_center_id}",
    "/api/v1/traveler-batches/{batch_id}/retry",
}


@pytest.fixture
def schema(db) -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_lists_every_path(schema):
    assert schema["info"]["title"] == "ShopDesk API"
    assert EXPECTED_PATHS <= set(schema["paths"])


def test_every_operation_documents_its_errors_and_auth(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            assert {"400", "401", "422"} <= set(responses), where
            assert responses["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"
            }, where
            if "{" in path:
                assert "404" in responses, where
            if method in ("post", "patch") and path not in ("/api/v1/scans", "/api/v1/blockers"):
                assert "403" in responses, where
            assert operation["security"] == [{"ApiTokenAuth": []}, {"SessionAuth": []}], where


def test_the_schema_documents_the_scan_replay_and_the_revoked_traveler(schema):
    responses = schema["paths"]["/api/v1/scans"]["post"]["responses"]
    assert {"200", "201", "409", "410"} <= set(responses)


def test_the_traveler_pdf_is_documented_as_a_pdf(schema):
    ok = schema["paths"]["/api/v1/jobs/{number}/traveler.pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in ok["content"]


def test_list_query_parameters_have_plain_defaults(schema):
    # django-ninja breaks the schema when a query default is a pydantic Field object.
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/jobs"]["get"]["parameters"]}
    assert parameters["limit"]["schema"]["default"] == 50
    assert parameters["limit"]["schema"]["maximum"] == 200
    assert "late" in parameters and "q" in parameters and "stage" in parameters


def test_the_docs_page_uses_only_bundled_scripts(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui-init.js" in html
    # Every executable script is an external file of this site: the strict CSP allows them.
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
