"""The demo's part files: real drawings per revision and one shared spec stored once."""

from __future__ import annotations

import pypdfium2
import pytest

from shopdesk.core.tests.factories import PartFactory
from shopdesk.demo import shops as demo
from shopdesk.parts import services
from shopdesk.parts.models import Document, StoredFile

pytestmark = pytest.mark.django_db


def test_demo_files_are_real_pdfs_and_the_spec_is_stored_once(supervisor, shop, part):
    other = PartFactory(shop=shop, number="NP-300", description="Cover plate")
    for made in (part, other):
        draft = services.revision_create(user=supervisor, part=made, code="B")
        demo._give_files(supervisor, made, draft, bore="24.00 H7", program=True)

    spec = StoredFile.objects.get(
        sha256=Document.objects.filter(kind="specification")[0].stored.sha256
    )
    assert Document.objects.filter(stored=spec).count() == 2
    drawing = Document.objects.get(name="NP-220 rev B.pdf")
    assert drawing.kind == "drawing" and drawing.stored.content_type == "application/pdf"
    with drawing.stored.blob.open("rb") as blob:
        page = pypdfium2.PdfDocument(blob.read())[0]
    assert "NP-220" in page.get_textpage().get_text_range()
    assert Document.objects.get(name="NP-220 OP10.nc").stored.content_type.startswith("text/plain")


@pytest.mark.parametrize(
    ("code", "expected"), [("A", "B"), ("c", "d"), ("Z", "Z-1"), ("01", "01-1")]
)
def test_next_revision_code(code, expected):
    assert demo._next_code(code) == expected
