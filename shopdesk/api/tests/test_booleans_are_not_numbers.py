"""`true` and `false` are not numbers anywhere in the API.

Swept over the OpenAPI schema: every integer or number field of every JSON body, nested
objects and lists included, is given `true` and must be refused naming that field.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from shopdesk.jobs.models import Job

pytestmark = pytest.mark.django_db

NUMERIC = {"integer", "number"}


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _types(schema: dict, node: dict) -> set[str]:
    node = _resolve(schema, node)
    found = {node["type"]} if "type" in node else set()
    for option in node.get("anyOf", []) + node.get("oneOf", []):
        found |= _types(schema, option)
    return found


def _numeric_fields(schema: dict, node: dict, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """(path to the field, a body with `true` there) for every numeric field under node."""
    node = _resolve(schema, node)
    found = []
    for name, prop in node.get("properties", {}).items():
        types = _types(schema, prop)
        if types & NUMERIC and "boolean" not in types:
            found.append(((*path, name), {name: True}))
        for option in [_resolve(schema, prop), *prop.get("anyOf", [])]:
            option = _resolve(schema, option)
            if option.get("type") != "array":
                continue
            items = _resolve(schema, option.get("items", {}))
            if _types(schema, items) & NUMERIC:
                found.append(((*path, name), {name: [True]}))
            for inner_path, inner_body in _numeric_fields(schema, items, (*path, name, "0")):
                found.append((inner_path, {name: [inner_body]}))
    return found


def _fill(path: str) -> str:
    return re.sub(r"\{number\}", "J-1001", re.sub(r"\{\w+_id\}", "1", path))


def test_every_numeric_body_field_refuses_true(supervisor_api, planned_job):
    schema = Client().get("/api/v1/openapi.json").json()
    before = Job.objects.count()
    checked = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body_schema = content["application/json"]["schema"]
            for field_path, body in _numeric_fields(schema, body_schema):
                # A body holding only this field: others may be missing, this one must be named.
                response = getattr(supervisor_api, method)(_fill(path), body)
                where = f"{method.upper()} {path} {'.'.join(field_path)}"
                assert response.status_code == 422, where
                fields = {error["field"] for error in response.json()["errors"]}
                name = ".".join(field_path)
                assert any(f == name or f.startswith(name + ".") for f in fields), (where, fields)
                checked.append(where)
    assert Job.objects.count() == before
    # The body fields the sweep must have reached (it reads them from the schema).
    assert {
        "POST /api/v1/jobs quantity",
        "POST /api/v1/jobs customer",
        "POST /api/v1/jobs operations.0.work_center",
        "POST /api/v1/jobs operations.0.setup_minutes",
        "POST /api/v1/scans qty_good",
        "PATCH /api/v1/jobs/{number} quantity",
        "PUT /api/v1/jobs/{number}/routing operation_ids",
    } <= set(checked), sorted(checked)


@pytest.mark.parametrize("value", [True, False])
def test_a_quantity_of_true_is_refused(supervisor_api, customer, part, value):
    response = supervisor_api.post(
        "/api/v1/jobs",
        {"customer": customer.pk, "part": part.pk, "material_status": "ordered", "quantity": value},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "quantity", "message": "Give a number, not true or false."}
    ]
    assert Job.objects.count() == 0
