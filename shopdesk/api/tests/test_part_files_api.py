"""/api/v1 part revisions and documents: list, add and release revisions; upload, list, read,
download and find documents by hash. The same checks as the pages."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from shopdesk.core.models import Event
from shopdesk.core.tests.api_clients import ApiClient
from shopdesk.core.tests.factories import TINY_PDF, DocumentFactory, PartFactory
from shopdesk.jobs.models import RevisionNotice
from shopdesk.parts import services
from shopdesk.parts.models import Document, PartRevision, StoredFile

pytestmark = pytest.mark.django_db

DRAWING = TINY_PDF + b"% api drawing\n"
DRAWING_SHA = hashlib.sha256(DRAWING).hexdigest()
NC = b"%\nO2000\nG90\nM30\n%\n"
BOUNDARY = "ShopDeskTestBoundary"


def multipart(files: list[tuple[str, bytes]], **fields: str) -> bytes:
    """A multipart body with the file names exactly as given (a client may send anything)."""
    parts = []
    for name, value in fields.items():
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for filename, content in files:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode("utf-8", "surrogatepass") + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def upload(api: ApiClient, path: str, name: str = "NP-220.pdf", content: bytes = DRAWING, **fields):
    return api.client.post(
        path,
        multipart([(name, content)], **fields),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers=api._headers(),
    )


def snapshot() -> dict:
    return {
        "documents": list(Document.objects.order_by("pk").values()),
        "stored": list(StoredFile.objects.order_by("pk").values()),
        "revisions": list(PartRevision.objects.order_by("pk").values()),
        "events": Event.objects.count(),
        "notices": RevisionNotice.objects.count(),
    }


@pytest.fixture
def rev_b(supervisor, part):
    return services.revision_create(user=supervisor, part=part, code="B")


def revisions_url(part) -> str:
    return f"/api/v1/parts/{part.pk}/revisions"


def documents_url(part, revision) -> str:
    return f"/api/v1/parts/{part.pk}/revisions/{revision.pk}/documents"


# --- Revisions ---------------------------------------------------------------------------------


def test_list_and_add_revisions(supervisor_api, supervisor, part):
    response = supervisor_api.post(revisions_url(part), {"code": "B", "note": "New bore"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["status"], body["note"]) == ("B", "draft", "New bore")
    assert body["created_by"]["username"] == "sam" and body["document_count"] == 0

    listed = supervisor_api.get(revisions_url(part)).json()
    assert [(r["code"], r["status"]) for r in listed] == [("B", "draft"), ("A", "released")]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "code"),
        ({"code": ""}, "revision"),
        ({"code": "A"}, "revision"),
        ({"code": "R" * 11}, "code"),
        ({"code": "../B"}, "revision"),
        ({"code": "B\x00"}, "code"),
        ({"code": "B", "note": "n" * 501}, "note"),
        ({"code": "B", "status": "released"}, "status"),
    ],
)
def test_bad_revisions_are_refused_and_nothing_changes(supervisor_api, part, payload, field):
    before = snapshot()
    response = supervisor_api.post(revisions_url(part), payload)
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["field"] == field
    assert snapshot() == before


def test_release_supersedes_and_raises_notices(supervisor_api, planned_job, part, rev_b):
    response = supervisor_api.post(f"{revisions_url(part)}/{rev_b.pk}/release")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "released"
    assert response.json()["released_by"]["username"] == "sam"
    statuses = {r["code"]: r["status"] for r in supervisor_api.get(revisions_url(part)).json()}
    assert statuses == {"A": "superseded", "B": "released"}
    assert RevisionNotice.objects.get().job == planned_job
    assert supervisor_api.get(f"/api/v1/parts/{part.pk}").json()["revision"] == "B"

    before = snapshot()
    again = supervisor_api.post(f"{revisions_url(part)}/{rev_b.pk}/release")
    assert again.status_code == 409
    assert again.json()["detail"] == "Revision B is already released."
    assert snapshot() == before


def test_operator_reads_but_cannot_add_or_release(operator_api, part, rev_b):
    before = snapshot()
    assert operator_api.get(revisions_url(part)).status_code == 200
    assert operator_api.post(revisions_url(part), {"code": "C"}).status_code == 403
    assert operator_api.post(f"{revisions_url(part)}/{rev_b.pk}/release").status_code == 403
    assert snapshot() == before


def test_outsider_gets_404_for_acmes_revisions(outsider_api, part, rev_b):
    before = snapshot()
    assert outsider_api.get(revisions_url(part)).status_code == 404
    assert outsider_api.post(revisions_url(part), {"code": "C"}).status_code == 404
    response = outsider_api.post(f"{revisions_url(part)}/{rev_b.pk}/release")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}
    assert snapshot() == before


# --- Upload ------------------------------------------------------------------------------------


def test_upload_a_document(supervisor_api, part, rev_b):
    response = upload(supervisor_api, documents_url(part, rev_b), "NP-220 rev B.pdf")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["kind"], body["version"]) == ("NP-220 rev B.pdf", "drawing", 1)
    assert (body["sha256"], body["size"]) == (DRAWING_SHA, len(DRAWING))
    assert body["content_type"] == "application/pdf"
    assert body["revision"] == {"id": rev_b.pk, "code": "B", "status": "draft"}
    assert body["part_id"] == part.pk
    assert body["download_url"] == f"/api/v1/documents/{body['id']}/file"
    assert Event.objects.filter(kind="part.document_uploaded", subject_id=body["id"]).exists()


def test_upload_with_an_explicit_kind_and_a_new_version(supervisor_api, part, rev_b):
    first = upload(supervisor_api, documents_url(part, rev_b), "OP10.nc", NC, kind="program")
    assert first.json()["kind"] == "program"
    second = upload(
        supervisor_api,
        documents_url(part, rev_b),
        "OP10.nc",
        NC + b"(v2)\n",
        replaces=str(first.json()["id"]),
    )
    assert second.status_code == 201, second.json()
    assert (second.json()["version"], second.json()["kind"]) == (2, "program")
    current = supervisor_api.get(documents_url(part, rev_b)).json()
    assert [d["version"] for d in current] == [2]
    history = supervisor_api.get(documents_url(part, rev_b), {"history": "true"}).json()
    assert [(d["version"], d["replaced_by_id"]) for d in history] == [
        (2, None),
        (1, second.json()["id"]),
    ]


@pytest.mark.parametrize(
    ("raw", "stored_as"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\boot.pdf", "boot.pdf"),
        ("draw\x00ing.pdf", "drawing.pdf"),
        ("x" * 296 + ".pdf", "x" * 251 + ".pdf"),
        ("....", f"document-{DRAWING_SHA[:8]}.pdf"),
    ],
)
def test_hostile_names_are_stored_under_a_safe_name(supervisor_api, part, rev_b, raw, stored_as):
    response = upload(supervisor_api, documents_url(part, rev_b), raw)
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == stored_as
    stored = StoredFile.objects.get(sha256=DRAWING_SHA)
    assert stored.blob.name == f"shops/{part.shop_id}/{DRAWING_SHA[:2]}/{DRAWING_SHA}"


@pytest.mark.parametrize(
    ("name", "content", "fields", "field", "message"),
    [
        ("empty.pdf", b"", {}, "file", "The file is empty (0 bytes)."),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 64, {}, "file", "Windows program"),
        ("run.pdf", b"\x7fELF\x02\x01" + b"\x00" * 64, {}, "file", "Linux program"),
        ("a.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, {}, "file", "named .pdf"),
        ("a.pdf", DRAWING, {"kind": "poster"}, "kind", "Use one of"),
        ("a.pdf", DRAWING, {"replaces": "abc"}, "replaces", ""),
        ("a.pdf", DRAWING, {"replaces": "999999"}, "replaces", "No such document"),
        ("..", DRAWING, {}, "file", "required"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_changes(
    supervisor_api, part, rev_b, name, content, fields, field, message
):
    before = snapshot()
    response = upload(supervisor_api, documents_url(part, rev_b), name, content, **fields)
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["field"] == field
    assert message in response.json()["detail"]
    assert snapshot() == before


def test_a_file_over_the_shops_limit_is_refused(supervisor_api, shop, part, rev_b):
    shop.upload_limit_mb = 1
    shop.save()
    before = snapshot()
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    response = upload(supervisor_api, documents_url(part, rev_b), "big.pdf", big)
    assert response.status_code == 422
    assert "limit of 1 MB" in response.json()["detail"]
    assert snapshot() == before


def test_upload_to_a_superseded_revision_is_refused(supervisor_api, supervisor, part, rev_b):
    services.revision_release(user=supervisor, revision=rev_b)
    rev_a = part.revisions.get(code="A")
    before = snapshot()
    response = upload(supervisor_api, documents_url(part, rev_a))
    assert response.status_code == 409
    assert "superseded" in response.json()["detail"]
    assert snapshot() == before


def test_operator_cannot_upload(operator_api, part, rev_b):
    before = snapshot()
    assert upload(operator_api, documents_url(part, rev_b)).status_code == 403
    assert snapshot() == before


def test_upload_to_another_shops_part_is_404(outsider_api, supervisor_api, part, rev_b, other_job):
    before = snapshot()
    response = upload(outsider_api, documents_url(part, rev_b))
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."
    # Acme's revision under Beta's part id (and the other way round) is not found either.
    beta_part = other_job.part
    assert upload(outsider_api, documents_url(beta_part, rev_b)).status_code == 404
    beta_rev = beta_part.revisions.get()
    assert upload(supervisor_api, documents_url(part, beta_rev)).status_code == 404
    assert snapshot() == before


def test_dedupe_one_stored_file_two_documents(supervisor_api, part, rev_b):
    upload(supervisor_api, documents_url(part, rev_b), "one.pdf")
    upload(supervisor_api, documents_url(part, rev_b), "two.pdf")
    assert StoredFile.objects.filter(sha256=DRAWING_SHA).count() == 1
    assert Document.objects.filter(stored__sha256=DRAWING_SHA).count() == 2


# --- Reading and downloading -------------------------------------------------------------------


@pytest.fixture
def uploaded(supervisor, rev_b):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return services.document_upload(
        user=supervisor,
        revision=rev_b,
        upload=SimpleUploadedFile("NP-220 rev B.pdf", DRAWING),
        kind="drawing",
    )


def test_download_by_id(operator_api, uploaded):
    meta = operator_api.get(f"/api/v1/documents/{uploaded.pk}")
    assert meta.status_code == 200
    assert meta.json()["sha256"] == DRAWING_SHA

    response = operator_api.get(f"/api/v1/documents/{uploaded.pk}/file")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DRAWING
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="NP-220 rev B.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_find_by_sha256(supervisor_api, uploaded):
    response = supervisor_api.get(f"/api/v1/documents/by-sha256/{DRAWING_SHA}")
    assert response.status_code == 200
    assert response.json()["id"] == uploaded.pk
    upper = supervisor_api.get(f"/api/v1/documents/by-sha256/{DRAWING_SHA.upper()}")
    assert upper.json()["id"] == uploaded.pk
    for junk in ("abc", "z" * 64, DRAWING_SHA + "0", hashlib.sha256(b"none").hexdigest()):
        assert supervisor_api.get(f"/api/v1/documents/by-sha256/{junk}").status_code == 404


def test_outsider_cannot_read_acmes_document_by_id_or_hash(outsider_api, outsider, uploaded):
    assert outsider_api.get(f"/api/v1/documents/{uploaded.pk}").status_code == 404
    assert outsider_api.get(f"/api/v1/documents/{uploaded.pk}/file").status_code == 404
    assert outsider_api.get(f"/api/v1/documents/by-sha256/{DRAWING_SHA}").status_code == 404
    part = uploaded.revision.part
    assert outsider_api.get(documents_url(part, uploaded.revision)).status_code == 404
    # Even when Beta holds the same bytes, the hash answers Beta's own document only.
    beta_part = PartFactory(shop=outsider.membership.shop, number="B-7")
    theirs = DocumentFactory(revision=beta_part.revisions.get(), content=DRAWING, name="b.pdf")
    found = outsider_api.get(f"/api/v1/documents/by-sha256/{DRAWING_SHA}").json()
    assert found["id"] == theirs.pk


def test_anonymous_gets_401(uploaded):
    response = Client().get(f"/api/v1/documents/{uploaded.pk}/file")
    assert response.status_code == 401


def test_document_list_costs_a_fixed_number_of_queries(
    supervisor_api, part, rev_b, django_assert_max_num_queries
):
    for index in range(50):
        DocumentFactory(revision=rev_b, name=f"sheet-{index}.pdf")
    with django_assert_max_num_queries(8):
        response = supervisor_api.get(documents_url(part, rev_b))
    assert len(response.json()) == 50
    with django_assert_max_num_queries(8):
        response = supervisor_api.get(revisions_url(part))
    assert response.json()[0]["document_count"] == 50


def test_the_schema_lists_the_new_endpoints(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/parts/{part_id}/revisions",
        "/api/v1/parts/{part_id}/revisions/{revision_id}/release",
        "/api/v1/parts/{part_id}/revisions/{revision_id}/documents",
        "/api/v1/documents/{document_id}",
        "/api/v1/documents/{document_id}/file",
        "/api/v1/documents/by-sha256/{sha256}",
    } <= set(paths)
    upload_op = paths["/api/v1/parts/{part_id}/revisions/{revision_id}/documents"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]


def test_the_file_download_documents_the_types_it_serves(supervisor_api, part, rev_b):
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/documents/{document_id}/file"]["get"]
    documented = set(operation["responses"]["200"]["content"])
    assert {"application/pdf", "image/png", "image/jpeg", "text/plain"} <= documented
    assert "410" in operation["responses"]
    for name, content in [
        ("a.pdf", DRAWING),
        ("b.nc", NC),
        ("c.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40),
    ]:
        document = upload(supervisor_api, documents_url(part, rev_b), name, content).json()
        served = supervisor_api.get(f"/api/v1/documents/{document['id']}/file")
        assert served["Content-Type"].split(";")[0] in documented, name
