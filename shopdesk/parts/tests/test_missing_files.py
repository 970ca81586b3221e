"""Downloads whose stored file is gone (a database restored without its files folder).

Each answers a page or JSON saying the file is missing and what restores it, and logs it;
none is a 500.
"""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shopdesk.core.tests.api_clients import api_for
from shopdesk.core.tests.factories import TINY_PDF, DocumentFactory
from shopdesk.parts import services
from shopdesk.parts.models import Document, private_storage
from shopdesk.travelers.models import BatchStatus, TravelerBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(part) -> list[Document]:
    """Ten documents on NP-220 rev A, every stored file then lost."""
    revision = part.revisions.get(status="released")
    made = [
        DocumentFactory(revision=revision, name=f"sheet-{n}.pdf", content=TINY_PDF + b"%" * n)
        for n in range(1, 10)
    ]
    made.append(Document.objects.get(revision=revision, name="NP-220.pdf"))
    for document in made:
        private_storage.delete(document.stored.blob.name)
    return made


@pytest.fixture
def lost_batch(shop, supervisor) -> TravelerBatch:
    return TravelerBatch.objects.create(
        shop=shop,
        created_by=supervisor,
        status=BatchStatus.DONE,
        total=1,
        done=1,
        pdf="traveler-batches/lost.pdf",
    )


def test_every_page_download_says_the_file_is_missing(supervisor_client, part, documents, caplog):
    with caplog.at_level(logging.WARNING, logger="shopdesk"):
        for document in documents:
            response = supervisor_client.get(reverse("parts:document_file", args=[document.pk]))
            assert response.status_code == 410
            body = response.content.decode()
            assert "File missing" in body
            assert f"{document.name} v1" in body
            assert "restore the files" in body
            assert reverse("parts:detail", args=[part.pk]) in body
    missing = [r for r in caplog.records if "Stored file missing" in r.getMessage()]
    assert len(missing) == len(documents)
    assert all(r.levelno == logging.WARNING for r in missing)


def test_every_api_download_answers_json(supervisor, documents, caplog):
    api = api_for(supervisor)
    for document in documents:
        response = api.get(f"/api/v1/documents/{document.pk}/file")
        assert response.status_code == 410
        body = response.json()
        assert body["detail"].startswith(f"The file of {document.name} v1 is missing")
        assert body["errors"] == [{"field": None, "message": body["detail"]}]
    assert "Stored file missing" in caplog.text


def test_uploading_the_same_file_again_restores_it(supervisor, supervisor_client, part, documents):
    lost = documents[0]
    content = TINY_PDF + b"%"
    services.document_upload(
        user=supervisor,
        revision=lost.revision,
        upload=SimpleUploadedFile("again.pdf", content, content_type="application/pdf"),
        kind="drawing",
    )
    response = supervisor_client.get(reverse("parts:document_file", args=[lost.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content


def test_a_traveler_batch_whose_pdf_is_gone(supervisor_client, lost_batch, caplog):
    response = supervisor_client.get(reverse("travelers:batch_pdf", args=[lost_batch.pk]))
    assert response.status_code == 410
    body = response.content.decode()
    assert f"traveler batch {lost_batch.pk} is missing" in body
    assert "new batch" in body
    assert reverse("travelers:batch", args=[lost_batch.pk]) in body
    assert "Stored file missing" in caplog.text


def test_a_traveler_batch_whose_pdf_is_gone_through_the_api(supervisor, lost_batch):
    response = api_for(supervisor).get(f"/api/v1/traveler-batches/{lost_batch.pk}/pdf")
    assert response.status_code == 410
    assert "is missing on the server" in response.json()["detail"]
