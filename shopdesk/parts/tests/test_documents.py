"""Uploading documents: hashing, dedupe, sniffing, safe names, limits and versions."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.models import Event
from shopdesk.core.tests.factories import TINY_PDF, PartFactory
from shopdesk.parts import services
from shopdesk.parts.models import Document, StoredFile, private_storage

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100
WINDOWS_EXE = b"MZ\x90\x00\x03" + b"\x00" * 100
STEP = b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('housing'),'2;1');\nENDSEC;\n"
NC = b"%\nO1000 (NP-220 OP10)\nG90 G54 G17\nT1 M6\nS8000 M3\nM30\n%\n"


# Content no fixture holds (the `part` fixture may carry a drawing of TINY_PDF).
DRAWING = TINY_PDF + b"% NP-220 housing drawing\n"
DRAWING_SHA = hashlib.sha256(DRAWING).hexdigest()


def upload(name: str, content: bytes = DRAWING) -> SimpleUploadedFile:
    made = SimpleUploadedFile("upload", content, content_type="application/octet-stream")
    # Set the raw name as a client could send it (UploadedFile would refuse some on its own).
    made._name = name
    return made


def stored_paths() -> list[str]:
    paths = []

    def walk(folder: str) -> None:
        if not private_storage.exists(folder or "."):
            return
        dirs, names = private_storage.listdir(folder or ".")
        paths.extend(f"{folder}/{name}".lstrip("/") for name in names)
        for sub in dirs:
            walk(f"{folder}/{sub}".lstrip("/"))

    walk("")
    return sorted(paths)


def snapshot() -> dict:
    return {
        "documents": list(Document.objects.order_by("pk").values()),
        "stored": list(StoredFile.objects.order_by("pk").values()),
        "events": Event.objects.count(),
        "paths": stored_paths(),
    }


@pytest.fixture
def before(rev_a):
    return snapshot()


@pytest.fixture
def rev_a(part):
    return part.revisions.get(code="A")


def nothing_changed(before: dict) -> None:
    assert snapshot() == before


def test_upload_a_drawing(supervisor, rev_a):
    document = services.document_upload(
        user=supervisor, revision=rev_a, upload=upload("NP-220 rev A.pdf"), kind="drawing"
    )

    assert (document.name, document.kind, document.version) == ("NP-220 rev A.pdf", "drawing", 1)
    assert document.uploaded_by == supervisor and document.shop == rev_a.shop
    stored = document.stored
    assert stored.sha256 == DRAWING_SHA
    assert (stored.size, stored.content_type) == (len(DRAWING), "application/pdf")
    # The storage path is made of the shop and the hash, never of the uploaded name.
    assert stored.blob.name == f"shops/{rev_a.shop_id}/{stored.sha256[:2]}/{stored.sha256}"
    with stored.blob.open("rb") as blob:
        assert blob.read() == DRAWING
    event = Event.objects.get(kind="part.document_uploaded")
    assert event.actor == supervisor and event.after["sha256"] == stored.sha256
    assert event.after["stored_once"] is False


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("model.step", STEP, "model/step"),
        ("OP10.nc", NC, "text/plain; charset=utf-8"),
        ("photo.png", PNG, "image/png"),
        ("notes.txt", "Entgraten, Kanten 0,2×45°".encode(), "text/plain; charset=utf-8"),
        (
            "housing.sldprt",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50,
            "application/x-ole-storage",
        ),
    ],
)
def test_the_content_type_is_read_from_the_bytes(supervisor, rev_a, name, content, content_type):
    document = services.document_upload(
        user=supervisor, revision=rev_a, upload=upload(name, content), kind="other"
    )
    assert document.stored.content_type == content_type
    assert document.name == name


def test_identical_content_is_stored_once(supervisor, part, rev_a):
    rev_b = services.revision_create(user=supervisor, part=part, code="B")
    first = services.document_upload(
        user=supervisor, revision=rev_a, upload=upload("a.pdf"), kind="drawing"
    )
    second = services.document_upload(
        user=supervisor, revision=rev_b, upload=upload("b.pdf"), kind="drawing"
    )

    assert StoredFile.objects.filter(sha256=DRAWING_SHA).count() == 1
    assert Document.objects.filter(stored__sha256=DRAWING_SHA).count() == 2
    assert first.stored_id == second.stored_id
    assert Event.objects.filter(kind="part.document_uploaded").last().after["stored_once"] is True


def test_the_same_bytes_in_another_shop_are_stored_separately(supervisor, outsider, rev_a):
    other_part = PartFactory(shop=outsider.membership.shop, number="B-9")
    services.document_upload(
        user=supervisor, revision=rev_a, upload=upload("a.pdf"), kind="drawing"
    )
    services.document_upload(
        user=outsider, revision=other_part.revisions.get(), upload=upload("a.pdf"), kind="drawing"
    )
    assert StoredFile.objects.filter(sha256=DRAWING_SHA).count() == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\drawing.pdf", "drawing.pdf"),
        ("draw\x00ing.pdf", "drawing.pdf"),
        ("bell\x07\x1b[31m.pdf", "bell[31m.pdf"),
        ("evil\u202efdp.pdf", "evilfdp.pdf"),
        ("...", f"document-{DRAWING_SHA[:8]}.pdf"),
        ("..", f"document-{DRAWING_SHA[:8]}.pdf"),
        ("   ", f"document-{DRAWING_SHA[:8]}.pdf"),
        ("....", f"document-{DRAWING_SHA[:8]}.pdf"),
        ("", f"document-{DRAWING_SHA[:8]}.pdf"),
        ("../..", f"document-{DRAWING_SHA[:8]}.pdf"),
    ],
)
def test_hostile_names_are_stored_under_a_safe_name(supervisor, rev_a, raw, expected):
    document = services.document_upload(
        user=supervisor, revision=rev_a, upload=upload(raw), kind="drawing"
    )
    assert document.name == expected
    assert "/" not in document.name and "\\" not in document.name
    assert document.stored.blob.name.endswith(f"/{DRAWING_SHA}")


def test_a_300_character_name_is_cut_to_255_keeping_the_extension(supervisor, rev_a):
    document = services.document_upload(
        user=supervisor, revision=rev_a, upload=upload("x" * 296 + ".pdf"), kind="drawing"
    )
    assert len(document.name) == 255
    assert document.name == "x" * 251 + ".pdf"


def test_an_empty_file_is_refused(supervisor, rev_a, before):
    with pytest.raises(InvalidInput, match=r"empty \(0 bytes\)") as caught:
        services.document_upload(
            user=supervisor, revision=rev_a, upload=upload("empty.pdf", b""), kind="drawing"
        )
    assert caught.value.field == "file"
    nothing_changed(before)


def test_a_file_over_the_shops_limit_is_refused(supervisor, shop, rev_a, before):
    shop.upload_limit_mb = 1
    shop.save()
    supervisor.membership.shop.upload_limit_mb = 1
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    with pytest.raises(InvalidInput, match="limit of 1 MB"):
        services.document_upload(
            user=supervisor, revision=rev_a, upload=upload("big.pdf", big), kind="drawing"
        )
    nothing_changed(before)
    # Exactly at the limit is fine.
    at_limit = big[: 1024 * 1024]
    services.document_upload(
        user=supervisor, revision=rev_a, upload=upload("ok.pdf", at_limit), kind="drawing"
    )
    assert Document.objects.filter(name="ok.pdf").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("drawing.pdf", WINDOWS_EXE, "Windows program"),
        ("drawing.pdf", ELF, "Linux program"),
        ("notes.txt", b"#!/bin/sh\nrm -rf /\n", "a script"),
        ("drawing.pdf", PNG, "named .pdf but its content is a PNG file"),
        ("drawing.pdf", NC, "named .pdf but its content is plain text"),
        ("photo.png", TINY_PDF, "named .png but its content is a PDF file"),
        ("model.step", NC, "named .step"),
        ("setup.exe", NC, "Files ending in .exe cannot be stored"),
        ("page.html", b"<html><script>alert(1)</script></html>", "Files ending in .html"),
        ("drawing.svg", b"<svg onload='alert(1)'/>", "Files ending in .svg"),
    ],
)
def test_programs_and_disguised_files_are_refused(
    supervisor, rev_a, name, content, message, before
):
    with pytest.raises(InvalidInput, match=message) as caught:
        services.document_upload(
            user=supervisor, revision=rev_a, upload=upload(name, content), kind="drawing"
        )
    assert caught.value.field == "file"
    nothing_changed(before)


def test_an_unknown_kind_is_refused(supervisor, rev_a, before):
    with pytest.raises(InvalidInput) as caught:
        services.document_upload(user=supervisor, revision=rev_a, upload=upload("a.pdf"), kind="x")
    assert caught.value.field == "kind"
    nothing_changed(before)


def test_uploads_to_a_superseded_revision_are_refused(supervisor, part, rev_a):
    rev_b = services.revision_create(user=supervisor, part=part, code="B")
    services.revision_release(user=supervisor, revision=rev_b)
    rev_a.refresh_from_db()
    before = snapshot()
    with pytest.raises(ActionRefused, match="superseded"):
        services.document_upload(
            user=supervisor, revision=rev_a, upload=upload("a.pdf"), kind="drawing"
        )
    nothing_changed(before)


def test_another_shops_revision_is_refused(outsider, rev_a, before):
    with pytest.raises(InvalidInput):
        services.document_upload(
            user=outsider, revision=rev_a, upload=upload("a.pdf"), kind="drawing"
        )
    nothing_changed(before)


def test_operator_cannot_upload(operator, rev_a, before):
    with pytest.raises(PermissionRefused):
        services.document_upload(
            user=operator, revision=rev_a, upload=upload("a.pdf"), kind="drawing"
        )
    nothing_changed(before)


def test_replacing_keeps_the_history(supervisor, rev_a):
    v1 = services.document_upload(
        user=supervisor, revision=rev_a, upload=upload("NP-220.pdf"), kind="drawing"
    )
    v2_bytes = DRAWING.replace(b"612 792", b"792 612")
    v2 = services.document_upload(
        user=supervisor,
        revision=rev_a,
        upload=upload("NP-220 corrected.pdf", v2_bytes),
        kind="drawing",
        replaces=v1,
    )

    v1.refresh_from_db()
    assert (v2.version, v2.name) == (2, "NP-220 corrected.pdf")
    assert (v1.replaced_by, v1.replaced_at) == (v2, v2.uploaded_at)
    assert v1.stored_id != v2.stored_id
    with v1.stored.blob.open("rb") as blob:
        assert blob.read() == DRAWING  # never overwritten
    event = Event.objects.get(kind="part.document_replaced")
    assert event.before["version"] == 1 and event.after["version"] == 2

    before = snapshot()
    with pytest.raises(ActionRefused, match="already replaced"):
        services.document_upload(
            user=supervisor, revision=rev_a, upload=upload("v3.pdf"), kind="drawing", replaces=v1
        )
    nothing_changed(before)


def test_a_document_of_another_revision_cannot_be_replaced_here(supervisor, part, rev_a):
    rev_b = services.revision_create(user=supervisor, part=part, code="B")
    on_a = services.document_upload(
        user=supervisor, revision=rev_a, upload=upload("a.pdf"), kind="drawing"
    )
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.document_upload(
            user=supervisor, revision=rev_b, upload=upload("b.pdf"), kind="drawing", replaces=on_a
        )
    assert caught.value.field == "replaces"
    nothing_changed(before)
