"""NUL characters anywhere in an API request: a 4xx naming the field, never a 500.

Swept over every operation of the OpenAPI schema, so a new endpoint is covered too.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from shopdesk.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def operations(db) -> list[tuple[str, str, dict]]:
    schema = Client().get("/api/v1/openapi.json").json()
    return [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def _fill(path: str) -> str:
    """A path with each parameter given a value that exists in the test shop's data."""
    return re.sub(r"\{number\}", "J-1001", re.sub(r"\{\w+_id\}", "1", path))


def test_a_nul_in_any_query_parameter_is_a_422_naming_it(supervisor_api, planned_job, operations):
    checked = 0
    for method, path, operation in operations:
        if method != "get":
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            response = supervisor_api.client.get(
                f"{_fill(path)}?{name}=a%00b", headers=supervisor_api._headers()
            )
            where = f"GET {path}?{name}"
            assert response.status_code == 422, where
            assert response.json()["errors"][0]["field"] == name, where
            checked += 1
    assert checked >= 5


def test_a_nul_in_any_path_is_not_found(supervisor_api, planned_job, operations):
    for method, path, _operation in operations:
        if "{" not in path:
            continue
        url = re.sub(r"\{\w+\}", "1%00", path)
        response = getattr(supervisor_api.client, method)(url, headers=supervisor_api._headers())
        assert response.status_code == 404, f"{method.upper()} {path}"
        assert response.json() == {"detail": "Not found.", "errors": []}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer": "Northwind Pumps\u0000"}, "customer"),
        ({"operations": [{"work_center": 1, "name": "Saw\u0000"}]}, "operations.0.name"),
        ({"customer\u0000": 1}, "customer"),
        ({"notes": ["a", {"deep": "\u0000"}]}, "notes.1.deep"),
    ],
)
def test_a_nul_anywhere_in_a_json_body_is_a_422_naming_the_field(
    supervisor_api, planned_job, body, field
):
    before = Job.objects.count()
    response = supervisor_api.post("/api/v1/jobs", body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": field, "message": "Text may not contain NUL characters."}
    ]
    assert Job.objects.count() == before


def test_every_json_endpoint_refuses_a_nul(supervisor_api, planned_job, operations):
    """Whatever the endpoint expects, a body whose text holds NUL changes nothing."""
    before = Job.objects.count()
    for method, path, operation in operations:
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue
        response = getattr(supervisor_api.client, method)(
            _fill(path),
            json.dumps({"note": "a\u0000b"}),
            content_type="application/json",
            headers=supervisor_api._headers(),
        )
        assert response.status_code == 422, f"{method.upper()} {path}"
        assert response.json()["errors"][0]["field"] == "note"
    assert Job.objects.count() == before


def test_a_body_without_nul_is_passed_on(supervisor_api, planned_job):
    # The escaped backslash followed by u0000 is text, not a NUL.
    response = supervisor_api.patch("/api/v1/jobs/J-1001", raw='{"customer_po": "PO\\\\u0000"}')
    assert response.status_code == 200, response.json()
    assert response.json()["customer_po"] == "PO\\u0000"
