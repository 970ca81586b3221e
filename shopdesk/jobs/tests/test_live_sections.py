"""The live job page draws the sections apps register in core.live_sections: released files
from parts, notes from the floor; a new app's section shows on the page and in the poll without
an edit to jobs, and every section keeps to its query budget."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator

import pytest
from django.db import connection
from django.template import Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.live_sections import (
    LiveSection,
    Place,
    SectionRegistry,
    live_section,
    live_sections,
)
from shopdesk.core.tests.factories import DocumentFactory
from shopdesk.floor import services as floor_services
from shopdesk.jobs.models import Job
from shopdesk.jobs.selectors import get_job_for, job_detail
from shopdesk.jobs.tests.test_job_detail import LIVE_PAGE_QUERIES, LIVE_POLL_QUERIES


def _url(job: Job) -> str:
    return reverse("jobs:detail", args=[job.display_number])


# A stand-in for a later app's section: one query, scoped to the shop, its own template.
SHIPMENTS_TEMPLATE = Template(
    '<section id="live-shipments" data-live{% if oob %} hx-swap-oob="true"{% endif %}>'
    "<h2>Shipments</h2><p>{{ section.events }} events on {{ job.display_number }}</p>"
    "</section>"
)


@live_section("shipments", Place.MAIN, order=40, template=SHIPMENTS_TEMPLATE, queries=1)
def shipments_section(shop, job) -> dict:
    return {"events": job.events.filter(shop=shop).count()}


@pytest.fixture
def shipments() -> Iterator[LiveSection]:
    live_sections.register(shipments_section)
    yield shipments_section
    live_sections.unregister("shipments")


@pytest.fixture
def busy_job(released_job, operator):
    """A released job with many files on its released revision and many floor notes."""
    for n in range(20):
        DocumentFactory(revision=released_job.part_revision, name=f"sheet-{n}.pdf")
    first = released_job.operations.order_by("sequence").first()
    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id=uuid.uuid4().hex
    )
    for n in range(40):
        floor_services.floor_action(
            user=operator,
            operation=first,
            action="note",
            client_id=uuid.uuid4().hex,
            note=f"Note {n}",
        )
    return Job.objects.get(pk=released_job.pk)


def test_parts_registers_the_files_section_and_jobs_the_floor_notes():
    sections = {s.name: s for s in live_sections.sections}
    assert sections["files"].selector.__module__ == "shopdesk.parts.sections"
    assert sections["files"].template == "parts/live_files.html"
    assert sections["notes"].selector.__module__ == "shopdesk.floor.sections"


def test_each_section_keeps_to_its_query_budget(shop, busy_job):
    for section in live_sections.sections:
        job = get_job_for(shop, busy_job.number)  # as the page gets it, nothing else read
        with CaptureQueriesContext(connection) as queries:
            section.selector(shop, job)
        assert len(queries) == section.queries, section.name


def test_the_files_section_reuses_what_the_page_read(shop, busy_job):
    job = job_detail(shop, busy_job.number)
    files = next(s for s in live_sections.sections if s.name == "files")
    with CaptureQueriesContext(connection) as queries:
        context = files.selector(shop, job)
    assert len(queries) == 0
    assert len(context["documents"]) == 21


def test_a_new_apps_section_shows_on_the_page_and_in_the_poll(
    supervisor_client, busy_job, shipments, django_assert_num_queries
):
    with django_assert_num_queries(LIVE_PAGE_QUERIES + shipments.queries):
        response = supervisor_client.get(_url(busy_job))
    html = response.content.decode()
    assert '<section id="live-shipments" data-live>' in html
    assert "events on J-1001" in html
    # In the wide column, between the blockers and the timeline.
    assert html.index("blockers-title") < html.index("live-shipments") < html.index("live-timeline")
    with django_assert_num_queries(LIVE_POLL_QUERIES + shipments.queries):
        poll = supervisor_client.get(_url(busy_job), headers={"HX-Request": "true"})
    assert '<section id="live-shipments" data-live hx-swap-oob="true">' in poll.content.decode()


def test_the_poll_swaps_every_registered_section_by_id(supervisor_client, busy_job):
    html = supervisor_client.get(_url(busy_job), headers={"HX-Request": "true"}).content.decode()
    for name in live_sections.names:
        assert f'id="live-{name}"' in html
    assert html.count('hx-swap-oob="true"') >= 7 + len(live_sections.names)


def test_the_sections_keep_their_places_on_the_page(supervisor_client, busy_job):
    html = supervisor_client.get(_url(busy_job)).content.decode()
    # Files head the narrow column; the notes from the floor close it.
    assert html.index('id="live-files"') < html.index("planner-title")
    assert html.index("travelers-title") < html.index('id="live-notes"')
    assert "Note 39" in html and "sheet-19.pdf" in html


def test_a_section_name_is_taken_once():
    registry = SectionRegistry()
    registry.register(shipments_section)
    registry.register(shipments_section)
    other = LiveSection("shipments", Place.SIDE_END, 1, shipments_section.selector, "x.html", 0)
    with pytest.raises(ValueError, match="already has an entry named 'shipments'"):
        registry.register(other)
    assert registry.names == ["shipments"]
    assert registry.query_budget == 1


def test_the_page_costs_the_same_for_a_job_with_nothing_yet(
    supervisor_client, planned_job, django_assert_num_queries
):
    planned_job.due_date = timezone.localdate() + datetime.timedelta(days=3)
    planned_job.save(update_fields=["due_date"])
    with django_assert_num_queries(LIVE_PAGE_QUERIES):
        supervisor_client.get(_url(planned_job))
