"""A traveler and the part revision it was printed for: remembered at print, and said on the
sheet (even a cached one) once that revision is superseded."""

from __future__ import annotations

import pypdfium2
from django.urls import reverse

from shopdesk.jobs.tests.revisions import release_revision
from shopdesk.travelers import services


def _pdf_text(client, traveler) -> str:
    response = client.get(
        reverse("jobs:traveler_pdf", args=[traveler.job.display_number, traveler.pk])
    )
    assert response.status_code == 200
    page = pypdfium2.PdfDocument(response.content)[0]
    return " ".join(page.get_textpage().get_text_range().split())


def test_print_records_the_revision(supervisor, part, released_job):
    traveler = services.traveler_print(user=supervisor, job=released_job)
    assert traveler.part_revision == part.revisions.get(code="A")
    assert traveler.revision == "A"


def test_a_superseded_revision_is_stamped_on_the_sheet(
    supervisor_client, supervisor, part, released_job
):
    traveler = services.traveler_print(user=supervisor, job=released_job)
    before = _pdf_text(supervisor_client, traveler)
    assert "superseded" not in before.lower()
    # The release does not touch the job, so the cached sheet must notice by itself.
    release_revision(supervisor, part, "B")
    after = _pdf_text(supervisor_client, traveler)
    assert "REV A IS SUPERSEDED BY REV B" in after.upper()
