"""Uploads Django cannot even read (a file name over its header limit, too many parts) answer
the API's JSON error, not Django's HTML 400, and store nothing."""

from __future__ import annotations

import pytest

from shopdesk.api.tests.test_part_files_api import (
    BOUNDARY,
    documents_url,
    multipart,
    snapshot,
    upload,
)
from shopdesk.parts import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def rev_b(supervisor, part):
    return services.revision_create(user=supervisor, part=part, code="B")


@pytest.mark.parametrize("length", [1_000, 1_100, 5_000, 70_000])
def test_a_very_long_file_name_is_a_json_400(supervisor_api, part, rev_b, length):
    before = snapshot()
    response = upload(supervisor_api, documents_url(part, rev_b), "x" * length + ".pdf")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert "file name is too long" in body["detail"]
    assert body["errors"][0]["field"] == "file"
    assert snapshot() == before


def test_a_long_but_readable_name_is_shortened(supervisor_api, part, rev_b):
    response = upload(supervisor_api, documents_url(part, rev_b), "y" * 600 + ".pdf")
    assert response.status_code == 201
    assert response.json()["name"] == "y" * 251 + ".pdf"


def test_too_many_parts_is_a_json_400(supervisor_api, part, rev_b, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    before = snapshot()
    body = multipart([(f"sheet-{n}.pdf", b"%PDF-1.4\n") for n in range(5)])
    response = supervisor_api.client.post(
        documents_url(part, rev_b),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers=supervisor_api._headers(),
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("The request could not be read")
    assert snapshot() == before


def test_a_broken_multipart_body_is_a_json_400(supervisor_api, part, rev_b):
    response = supervisor_api.client.post(
        documents_url(part, rev_b),
        b"--nonsense\r\n",
        content_type="multipart/form-data",  # no boundary
        headers=supervisor_api._headers(),
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
