"""The part page's revisions and files: upload (form and script), replace, release with its
confirm step, and the private file view."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import TINY_PDF, DocumentFactory, JobFactory
from shopdesk.jobs.models import RevisionNotice
from shopdesk.parts import services
from shopdesk.parts.models import Document, PartRevision, StoredFile

pytestmark = pytest.mark.django_db

DRAWING = TINY_PDF + b"% page view drawing\n"
NC = b"%\nO1000\nG90 G54\nM30\n%\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60


def detail_url(part) -> str:
    return reverse("parts:detail", args=[part.pk])


def upload_url(part, revision) -> str:
    return reverse("parts:document_upload", args=[part.pk, revision.pk])


def release_url(part, revision) -> str:
    return reverse("parts:revision_release", args=[part.pk, revision.pk])


def file_url(document) -> str:
    return reverse("parts:document_file", args=[document.pk])


def a_file(name: str, content: bytes = DRAWING) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def snapshot() -> dict:
    return {
        "documents": list(Document.objects.order_by("pk").values()),
        "stored": list(StoredFile.objects.order_by("pk").values()),
        "revisions": list(PartRevision.objects.order_by("pk").values()),
        "events": Event.objects.count(),
        "notices": RevisionNotice.objects.count(),
    }


@pytest.fixture
def rev_a(part):
    return part.revisions.get(code="A")


@pytest.fixture
def rev_b(supervisor, part):
    return services.revision_create(user=supervisor, part=part, code="B", note="Wall 3 → 4 mm")


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_revisions_with_status_files_and_actions(
    supervisor_client, supervisor, part, rev_a, rev_b
):
    services.document_upload(
        user=supervisor, revision=rev_b, upload=a_file("NP-220 B.pdf"), kind="drawing"
    )
    html = supervisor_client.get(detail_url(part)).content.decode()

    assert '<span class="badge pr-status-released">Released</span>' in html
    assert '<span class="badge pr-status-draft">Draft</span>' in html
    assert "NP-220 B.pdf" in html and "Wall 3 → 4 mm" in html
    assert "Sam Supervisor" in html
    assert release_url(part, rev_b) in html  # the draft can be released
    assert release_url(part, rev_a) not in html
    assert upload_url(part, rev_b) in html and 'type="file"' in html and "multiple" in html
    assert reverse("parts:revision_create", args=[part.pk]) in html
    assert "shopdesk/upload.js" in html


def test_an_operator_sees_and_opens_files_but_gets_no_upload_or_release(
    operator_client, supervisor, part, rev_b
):
    document = services.document_upload(
        user=supervisor, revision=rev_b, upload=a_file("NP-220 B.pdf"), kind="drawing"
    )
    html = operator_client.get(detail_url(part)).content.decode()
    assert file_url(document) in html
    assert upload_url(part, rev_b) not in html
    assert release_url(part, rev_b) not in html
    assert "upload.js" not in html
    assert operator_client.get(file_url(document)).status_code == 200


def test_superseded_revisions_take_no_uploads_on_the_page(
    supervisor_client, supervisor, part, rev_a, rev_b
):
    services.revision_release(user=supervisor, revision=rev_b)
    html = supervisor_client.get(detail_url(part)).content.decode()
    assert '<span class="badge pr-status-superseded">Superseded</span>' in html
    assert upload_url(part, rev_a) not in html
    assert upload_url(part, rev_b) in html


def test_the_part_pages_job_list_marks_open_jobs_left_on_a_superseded_revision(
    supervisor_client, supervisor, part, planned_job, rev_b
):
    services.revision_release(user=supervisor, revision=rev_b)
    html = supervisor_client.get(detail_url(part)).content.decode()
    row = html[html.index(planned_job.display_number) :]
    row = row[: row.index("</tr>")]
    assert '<span class="badge bad">Superseded</span>' in row


def test_the_part_page_costs_a_fixed_number_of_queries_with_50_documents(
    supervisor_client, supervisor, shop, part, rev_a, rev_b, django_assert_max_num_queries
):
    for index in range(50):
        DocumentFactory(revision=rev_b if index % 2 else rev_a, name=f"sheet-{index}.pdf")
    first = Document.objects.filter(revision=rev_b).first()
    services.document_upload(
        user=supervisor, revision=rev_b, upload=a_file("v2.pdf"), kind="drawing", replaces=first
    )
    for _ in range(5):
        JobFactory(shop=shop, customer=part.customer, part=part)

    with django_assert_max_num_queries(12):
        response = supervisor_client.get(detail_url(part))

    html = response.content.decode()
    assert html.count('class="pr-name"') == Document.objects.filter(replaced_at=None).count()
    assert "2 versions" in html


# --- Upload ----------------------------------------------------------------------------------


def test_the_plain_form_uploads_several_files_with_kinds_by_extension(
    supervisor_client, part, rev_b
):
    response = supervisor_client.post(
        upload_url(part, rev_b),
        {"kind": "auto", "file": [a_file("NP-220.pdf"), a_file("OP10.nc", NC)]},
    )

    assert response.status_code == 303
    assert response["Location"] == detail_url(part)
    kinds = dict(rev_b.documents.values_list("name", "kind"))
    assert kinds == {"NP-220.pdf": "drawing", "OP10.nc": "program"}
    html = supervisor_client.get(detail_url(part)).content.decode()
    assert "Uploaded to rev B: NP-220.pdf, OP10.nc." in html


def test_the_script_uploads_one_file_and_gets_json(supervisor_client, part, rev_b):
    response = supervisor_client.post(
        upload_url(part, rev_b),
        {"kind": "model", "file": a_file("photo.png", PNG)},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 201
    body = response.json()["documents"][0]
    assert (body["name"], body["kind"], body["content_type"]) == ("photo.png", "model", "image/png")
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert body["url"] == file_url(Document.objects.get(name="photo.png"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "The file is empty (0 bytes)."),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 64, "The file is a Windows program"),
        ("drawing.pdf", PNG, "named .pdf but its content is a PNG file"),
    ],
)
def test_a_refused_upload_says_why_and_changes_nothing(
    supervisor_client, part, rev_b, name, content, message
):
    before = snapshot()
    response = supervisor_client.post(upload_url(part, rev_b), {"file": a_file(name, content)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Not stored:" in html and message in html
    assert snapshot() == before

    response = supervisor_client.post(
        upload_url(part, rev_b),
        {"file": a_file(name, content)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "file"
    assert snapshot() == before


def test_a_file_over_the_limit_is_refused(supervisor_client, shop, part, rev_b):
    shop.upload_limit_mb = 1
    shop.save()
    before = snapshot()
    big = a_file("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    response = supervisor_client.post(
        upload_url(part, rev_b), {"file": big}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 422
    assert "limit of 1 MB" in response.json()["detail"]
    assert snapshot() == before


def test_a_hostile_name_is_stored_under_a_safe_one(supervisor_client, part, rev_b):
    response = supervisor_client.post(
        upload_url(part, rev_b),
        {"file": a_file("x" * 296 + ".pdf")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 201
    assert response.json()["documents"][0]["name"] == "x" * 251 + ".pdf"


def test_no_file_chosen(supervisor_client, part, rev_b):
    before = snapshot()
    response = supervisor_client.post(upload_url(part, rev_b), {"kind": "drawing"})
    assert response.status_code == 422
    assert "Choose at least one file" in response.content.decode()
    assert snapshot() == before


def test_operator_cannot_upload_or_replace(operator_client, part, rev_a, rev_b):
    before = snapshot()
    assert (
        operator_client.post(upload_url(part, rev_b), {"file": a_file("a.pdf")}).status_code == 403
    )
    document = rev_a.documents.first()
    if document is not None:
        replace = reverse("parts:document_replace", args=[document.pk])
        assert operator_client.post(replace, {"file": a_file("a.pdf")}).status_code == 403
    assert snapshot() == before


def test_outsider_cannot_upload_to_acmes_part(outsider_client, part, rev_b):
    before = snapshot()
    response = outsider_client.post(upload_url(part, rev_b), {"file": a_file("a.pdf")})
    assert response.status_code == 404
    assert snapshot() == before


def test_a_revision_of_another_part_in_the_url_is_404(
    supervisor_client, supervisor, shop, part, rev_b
):
    other = services.part_create(user=supervisor, number="NP-999")
    before = snapshot()
    response = supervisor_client.post(upload_url(other, rev_b), {"file": a_file("a.pdf")})
    assert response.status_code == 404
    assert snapshot() == before


def test_replace_through_the_page_keeps_the_history(supervisor_client, supervisor, part, rev_b):
    v1 = services.document_upload(
        user=supervisor, revision=rev_b, upload=a_file("NP-220.pdf"), kind="drawing"
    )
    response = supervisor_client.post(
        reverse("parts:document_replace", args=[v1.pk]),
        {"file": a_file("NP-220.pdf", DRAWING + b"% v2\n")},
    )
    assert response.status_code == 303
    v1.refresh_from_db()
    assert v1.replaced_by.version == 2 and v1.replaced_by.kind == "drawing"
    html = supervisor_client.get(detail_url(part)).content.decode()
    assert "2 versions" in html and file_url(v1) in html


# --- New revision and release -----------------------------------------------------------------


def test_add_a_revision_from_the_page(supervisor_client, part):
    url = reverse("parts:revision_create", args=[part.pk])
    response = supervisor_client.post(url, {"code": "B", "note": "New bore"})
    assert response.status_code == 303
    assert part.revisions.get(code="B").note == "New bore"

    before = snapshot()
    response = supervisor_client.post(url, {"code": "b"})
    assert response.status_code == 422
    assert "NP-220 already has a revision b." in response.content.decode()
    response = supervisor_client.post(url, {"code": "../x"})
    assert response.status_code == 422
    assert "Use letters and digits" in response.content.decode()
    assert snapshot() == before


def test_release_asks_first_then_supersedes_and_notices_open_jobs(
    supervisor_client, planned_job, part, rev_a, rev_b
):
    confirm = supervisor_client.get(release_url(part, rev_b))
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "1 open job" in html and "J-1001" in html
    assert "Rev <b>A</b> becomes <b>superseded</b>" in html
    assert not RevisionNotice.objects.exists()  # the confirm step changes nothing

    response = supervisor_client.post(release_url(part, rev_b))

    assert response.status_code == 303
    rev_a.refresh_from_db()
    rev_b.refresh_from_db()
    assert (rev_a.status, rev_b.status) == ("superseded", "released")
    assert RevisionNotice.objects.get().job == planned_job
    page = supervisor_client.get(detail_url(part)).content.decode()
    assert "Revision B released. 1 open job got a notice of change." in page


def test_releasing_twice_is_refused_with_a_reason(supervisor_client, part, rev_b):
    assert supervisor_client.post(release_url(part, rev_b)).status_code == 303
    before = snapshot()
    response = supervisor_client.post(release_url(part, rev_b))
    assert response.status_code == 409
    assert "Revision B is already released." in response.content.decode()
    assert snapshot() == before


def test_operator_and_outsider_cannot_release(operator_client, outsider_client, part, rev_b):
    before = snapshot()
    assert operator_client.get(release_url(part, rev_b)).status_code == 403
    assert operator_client.post(release_url(part, rev_b)).status_code == 403
    assert outsider_client.post(release_url(part, rev_b)).status_code == 404
    assert (
        outsider_client.post(
            reverse("parts:revision_create", args=[part.pk]), {"code": "Z"}
        ).status_code
        == 404
    )
    assert snapshot() == before


# --- Serving files -----------------------------------------------------------------------------


def test_a_pdf_previews_inline_with_safe_headers(operator_client, supervisor, rev_b):
    document = services.document_upload(
        user=supervisor, revision=rev_b, upload=a_file("Zeichnung Gehäuse.pdf"), kind="drawing"
    )
    response = operator_client.get(file_url(document))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DRAWING
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "inline; filename=\"Zeichnung Gehause.pdf\"; filename*=UTF-8''Zeichnung%20Geh%C3%A4use.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src" not in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")


def test_other_files_download_as_attachments_in_a_sandbox(operator_client, supervisor, rev_b):
    document = services.document_upload(
        user=supervisor, revision=rev_b, upload=a_file('OP10 "final";.nc', NC), kind="program"
    )
    response = operator_client.get(file_url(document))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="OP10 _final__.nc"; ')
    assert "filename*=UTF-8''OP10%20%22final%22%3B.nc" in disposition
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_images_preview_inline(operator_client, supervisor, rev_b):
    document = services.document_upload(
        user=supervisor, revision=rev_b, upload=a_file("photo.png", PNG), kind="other"
    )
    response = operator_client.get(file_url(document))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_another_shops_document_is_404(outsider_client, supervisor, rev_b, client):
    document = services.document_upload(
        user=supervisor, revision=rev_b, upload=a_file("a.pdf"), kind="drawing"
    )
    assert outsider_client.get(file_url(document)).status_code == 404
    assert outsider_client.get(reverse("parts:document_file", args=[99999])).status_code == 404
    # Not signed in: to the sign-in page, never the file.
    response = client.get(file_url(document))
    assert response.status_code == 302
    assert re.search(r"login", response["Location"])
