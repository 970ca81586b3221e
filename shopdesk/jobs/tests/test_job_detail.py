"""The live job page (jobs:detail): everything a supervisor must see without walking the floor,
its live polling, its query count, and what it derives (ages, the next customer update)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Role
from shopdesk.core.services import event_append
from shopdesk.core.tests.factories import WorkCenterFactory, member
from shopdesk.floor import services as floor_services
from shopdesk.jobs import live, services
from shopdesk.jobs.models import Blocker, Job
from shopdesk.travelers import services as traveler_services

# The live page costs the same whatever the job holds: session, user, membership, the job,
# its routing, blockers, timeline, travelers, released revisions and files (shared by the
# banner, the gate and the files section), notices, labor, the floor notes section, and for
# the full page the people in the forms. The poll skips the forms' people.
LIVE_PAGE_QUERIES = 14
LIVE_POLL_QUERIES = 13


def _url(job: Job | str) -> str:
    number = job.display_number if isinstance(job, Job) else job
    return reverse("jobs:detail", args=[number])


def _section(response, name: str) -> dict:
    """The context of one registered section of the live page."""
    return next(s.context for s in response.context["sections"] if s.name == name)


def _floor(user, job: Job, sequence: int, action: str, **fields) -> None:
    floor_services.floor_action(
        user=user,
        operation=job.operations.get(sequence=sequence),
        action=action,
        client_id=uuid.uuid4().hex,
        **fields,
    )


def _age(blocker: Blocker, **delta: float) -> None:
    # Test setup only: pretend the blocker was raised earlier.
    Blocker.objects.filter(pk=blocker.pk).update(
        raised_at=timezone.now() - datetime.timedelta(**delta)
    )


@pytest.fixture
def milling_job(released_job, operator):
    """J-1001 with the saw done (60 good of 100) and the CNC Mill running."""
    _floor(operator, released_job, 1, "start")
    _floor(operator, released_job, 1, "finish", qty_good=60, qty_scrap=2)
    _floor(operator, released_job, 2, "start")
    released_job.refresh_from_db()
    return released_job


def test_sign_in_required(client, planned_job):
    response = client.get(_url(planned_job))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("number", ["J-1001", "1001", "j-1001"])
def test_job_by_number_either_way(supervisor_client, planned_job, number):
    response = supervisor_client.get(_url(number))
    assert response.status_code == 200
    assert response.context["job"].pk == planned_job.pk


@pytest.mark.parametrize("number", ["J-9999", "abc", "J-", "1001x", "0" * 40, "%3Cscript%3E"])
def test_unknown_job_numbers_are_404(supervisor_client, planned_job, number):
    assert supervisor_client.get(f"/jobs/{number}/").status_code == 404


def test_outsider_gets_404_for_acme_job_numbers(outsider_client, planned_job, other_job):
    # Beta's own job is J-1001 too: the outsider sees Beta's, never Acme's.
    response = outsider_client.get(_url(planned_job))
    assert response.status_code == 200
    assert response.context["job"].pk == other_job.pk
    assert "Northwind Pumps" not in response.content.decode()
    assert outsider_client.get(_url("J-1002")).status_code == 404


def test_outsider_gets_404_when_beta_has_no_such_number(
    outsider, outsider_client, supervisor, customer, part
):
    acme_jobs = [
        services.job_create(user=supervisor, customer=customer, part=part, quantity=1)
        for _ in range(3)
    ]
    for job in acme_jobs:
        response = outsider_client.get(_url(job))
        assert response.status_code == 404
        assert b"Northwind" not in response.content


def test_header_facts_stage_and_route(supervisor_client, milling_job, supervisor):
    services.job_update(user=supervisor, job=milling_job, owner=supervisor, priority=4)
    response = supervisor_client.get(_url(milling_job))
    html = response.content.decode()
    assert "In production at CNC Mill" in html
    for fact in ("Northwind Pumps", "NP-220 rev A", "PO-4471", "Pump housing", "Hot priority"):
        assert fact in html
    assert "Sam Supervisor" in html  # owner
    assert "10 d left" in html
    assert "Released" in html
    # Route: saw done with its counts and who did it; the mill is the current operation.
    routing = response.context["routing"]
    assert [op.get_status_display() for op in routing] == ["Done", "Running", "Not started"]
    assert [op.is_current for op in routing] == [False, True, False]
    assert 'class="op-running current"' in html
    assert "Oscar Operator" in html
    assert "1 of 3 operations done" in html
    assert "3 h 50 min" in html  # Saw: 30 min setup + 2 min × 100 parts


def test_late_and_blocked_badges(supervisor_client, released_job, operator, supervisor):
    services.job_update(
        user=supervisor,
        job=released_job,
        due_date=timezone.localdate() - datetime.timedelta(days=4),
    )
    services.blocker_raise(
        user=operator, job=released_job, kind="material", note="Bar stock short", owner=supervisor
    )
    html = supervisor_client.get(_url(released_job)).content.decode()
    assert '<span class="badge late">Late 4 d</span>' in html
    assert "Blocked · 1 open" in html
    assert "4 d late" in html


def test_open_blockers_show_kind_note_owner_and_age(
    supervisor_client, released_job, operator, supervisor
):
    op2 = released_job.operations.get(sequence=2)
    fresh, _ = services.blocker_raise(
        user=operator,
        job=released_job,
        kind="machine",
        note="Spindle alarm",
        owner=supervisor,
        operation=op2,
    )
    old, _ = services.blocker_raise(
        user=operator, job=released_job, kind="material", note="Bar stock short"
    )
    _age(fresh, hours=3, minutes=10)
    _age(old, days=2, hours=5)
    response = supervisor_client.get(_url(released_job))
    html = response.content.decode()
    assert "Machine down" in html and "Spindle alarm" in html and "at op 2 CNC Mill" in html
    assert '<span class="age"' in html
    ages = {b.note: b.age_label for b in response.context["job"].open_blockers}
    assert ages == {"Spindle alarm": "3 h", "Bar stock short": "2 d"}
    assert 'Owner: <b class="ink">Sam Supervisor</b>' in html
    assert "raised by Oscar Operator" in html
    # Each open blocker has a resolve form asking for a note.
    assert html.count('name="note" rows="2" maxlength="2000" required') >= 2
    assert reverse("jobs:blocker_resolve", args=[fresh.pk]) in html


def test_resolved_blockers_are_collapsed(supervisor_client, released_job, operator):
    blocker, _ = services.blocker_raise(
        user=operator, job=released_job, kind="drawing", note="Which thread?"
    )
    services.blocker_resolve(user=operator, blocker=blocker, note="M8x1.25 per customer")
    html = supervisor_client.get(_url(released_job)).content.decode()
    assert '<details class="resolvedlist">' in html
    assert "1 resolved blocker" in html
    assert "M8x1.25 per customer" in html
    assert "Nothing is holding this job." in html


def test_raise_blocker_form_lists_shop_members_and_this_jobs_operations(
    supervisor_client, released_job, operator, outsider
):
    response = supervisor_client.get(_url(released_job))
    html = response.content.decode()
    assert "Oscar Operator" in html
    assert "Xavier" not in html  # the outsider is not a person of this shop
    for op in released_job.operations.all():
        assert f'<option value="{op.pk}"' in html
    assert 'name="client_id"' in html


def test_timeline_newest_first(supervisor_client, milling_job):
    response = supervisor_client.get(_url(milling_job))
    summaries = [event.summary for event in response.context["job"].timeline]
    assert summaries[0] == "Op 2 CNC Mill started"
    assert summaries[-1].startswith("J-1001 created for Northwind Pumps")
    html = response.content.decode()
    assert "Op 1 Saw finished: 60 good, 2 scrap" in html
    assert "Sam Supervisor" in html


def test_notes_from_the_floor_newest_first(supervisor_client, released_job, operator):
    _floor(operator, released_job, 1, "note", note="Chips packing in the vise")
    _floor(operator, released_job, 1, "start")
    _floor(operator, released_job, 1, "note", note="Coolant low on saw")
    response = supervisor_client.get(_url(released_job))
    notes = [action.note for action in _section(response, "notes")["notes"]]
    assert notes == ["Coolant low on saw", "Chips packing in the vise"]
    assert "Notes from the floor" in response.content.decode()


def test_travelers_listed_with_newest_and_revoked(supervisor_client, released_job, supervisor):
    first = traveler_services.traveler_print(user=supervisor, job=released_job)
    traveler_services.traveler_revoke(user=supervisor, traveler=first)
    newest = traveler_services.traveler_print(user=supervisor, job=released_job)
    html = supervisor_client.get(_url(released_job)).content.decode()
    assert reverse("jobs:traveler_pdf", args=["J-1001", first.pk]) in html
    assert reverse("jobs:traveler_pdf", args=["J-1001", newest.pk]) in html
    assert html.count("Revoked</span>") == 1
    assert html.count(">Newest</span>") == 1
    assert reverse("jobs:traveler_revoke", args=["J-1001", newest.pk]) in html
    assert reverse("jobs:traveler_revoke", args=["J-1001", first.pk]) not in html
    assert reverse("jobs:traveler_print", args=["J-1001"]) in html


def test_planner_sees_release_operator_sees_no_planning(
    supervisor_client, operator_client, planned_job
):
    html = supervisor_client.get(_url(planned_job)).content.decode()
    assert reverse("jobs:release", args=["J-1001"]) in html
    assert "Release to the floor" in html
    assert reverse("jobs:edit", args=["J-1001"]) in html
    assert reverse("jobs:floor", args=["J-1001"]) in html
    html = operator_client.get(_url(planned_job)).content.decode()
    for name in ("release", "unrelease", "ship", "close", "traveler_print"):
        assert reverse(f"jobs:{name}", args=["J-1001"]) not in html
    assert "Release to the floor" not in html
    assert reverse("jobs:floor", args=["J-1001"]) in html


def test_release_problems_shown_with_a_disabled_button(supervisor_client, supervisor, planned_job):
    services.job_update(user=supervisor, job=planned_job, due_date=None)
    html = supervisor_client.get(_url(planned_job)).content.decode()
    assert "<p>What's missing:</p>" in html
    assert "<li>Set a due date.</li>" in html
    assert '<button class="primary" type="button" disabled>Release to the floor</button>' in html
    # No plain release form: only the supervisor's override, which asks why.
    assert html.count(reverse("jobs:release", args=["J-1001"])) == 1
    assert 'name="override_reason"' in html


def test_released_job_offers_unrelease_and_close_not_ship(supervisor_client, released_job):
    html = supervisor_client.get(_url(released_job)).content.decode()
    assert reverse("jobs:unrelease", args=["J-1001"]) in html
    assert reverse("jobs:close", args=["J-1001"]) in html
    assert reverse("jobs:ship", args=["J-1001"]) not in html
    assert "Release to the floor" not in html


def test_complete_job_offers_mark_shipped(supervisor_client, released_job, operator):
    for sequence in (1, 2, 3):
        _floor(operator, released_job, sequence, "start")
        _floor(operator, released_job, sequence, "finish", qty_good=100)
    html = supervisor_client.get(_url(released_job)).content.decode()
    assert reverse("jobs:ship", args=["J-1001"]) in html
    assert "Mark shipped" in html


def test_live_regions_poll_every_ten_seconds(supervisor_client, released_job):
    response = supervisor_client.get(_url(released_job))
    html = response.content.decode()
    assert 'hx-trigger="every 10s"' in html
    assert "HX-Request" in response["Vary"]
    assert "shopdesk/jobs.js" in html


def test_htmx_poll_returns_only_live_regions_out_of_band(supervisor_client, released_job, operator):
    services.blocker_raise(user=operator, job=released_job, kind="tooling", note="Insert worn")
    response = supervisor_client.get(_url(released_job), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    for region in (
        "live-head",
        "live-route",
        "live-blockers",
        "live-update",
        "live-timeline",
        "live-notes",
        "live-revision",
        "live-files",
    ):
        assert f'id="{region}"' in html
    assert html.count('hx-swap-oob="true"') == 9
    assert "Insert worn" in html
    # Forms someone may be typing in are not part of the poll; only per-blocker resolve forms,
    # which the page's script keeps from being refreshed while open.
    assert "Raise blocker" not in html
    assert 'name="reason"' not in html
    assert "HX-Request" in response["Vary"]


def test_outsider_poll_is_404(outsider_client, planned_job):
    response = outsider_client.get(_url("J-1002"), headers={"HX-Request": "true"})
    assert response.status_code == 404


def test_no_placeholder_text(supervisor_client, milling_job):
    html = supervisor_client.get(_url(milling_job)).content.decode().lower()
    for word in ("todo", "fixme", "coming soon", "lorem", "placeholder-slot"):
        assert word not in html


def test_query_count_with_a_big_job(
    supervisor, supervisor_client, operator, customer, part, django_assert_num_queries
):
    centers = [WorkCenterFactory(shop=customer.shop, name=f"Cell {n}") for n in range(5)]
    people = [member(customer.shop, Role.OPERATOR) for _ in range(4)]
    job = services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        material_status="from_stock",
        quantity=50,
        due_date=timezone.localdate() + datetime.timedelta(days=20),
        operations=[
            {"work_center": centers[n % 5], "name": f"Step {n + 1}", "run_minutes": 1}
            for n in range(30)
        ],
    )
    services.job_release(user=supervisor, job=job)
    for sequence in range(1, 6):
        user = people[sequence % 4]
        _floor(user, job, sequence, "start", note=f"Started step {sequence}")
        _floor(user, job, sequence, "finish", qty_good=50)
    for n in range(10):
        blocker, _ = services.blocker_raise(
            user=people[n % 4],
            job=job,
            kind="material",
            note=f"Hold {n}",
            owner=people[(n + 1) % 4],
            operation=job.operations.get(sequence=n + 1),
        )
        if n % 2:
            services.blocker_resolve(user=supervisor, blocker=blocker, note="Sorted")
    for n in range(50):
        event_append(
            shop=customer.shop,
            actor=people[n % 4],
            kind=EventKind.JOB_UPDATED,
            subject=job,
            job=job,
            summary=f"Event {n}",
        )
    for _ in range(3):
        traveler_services.traveler_print(user=supervisor, job=job)
    assert job.events.count() >= 80
    with django_assert_num_queries(LIVE_PAGE_QUERIES):
        response = supervisor_client.get(_url(job))
    assert response.status_code == 200
    assert len(response.context["routing"]) == 30
    assert len(response.context["job"].open_blockers) == 5
    with django_assert_num_queries(LIVE_POLL_QUERIES):
        response = supervisor_client.get(_url(job), headers={"HX-Request": "true"})
    assert response.status_code == 200


# --- The next customer update: derived from the facts, never typed -------------------------


def _update(client, job: Job) -> str:
    return client.get(_url(job)).context["customer_update"]


def test_update_in_production(supervisor_client, milling_job):
    due = live.short_date(milling_job.due_date)
    assert _update(supervisor_client, milling_job) == (
        f"J-1001 (PO-4471) — 60 of 100 pump housings finished at Saw; "
        f"now running at CNC Mill. On track for {due}."
    )


def test_update_when_held(supervisor_client, milling_job, operator):
    blocker, _ = services.blocker_raise(
        user=operator, job=milling_job, kind="material", note="Bar stock short."
    )
    _age(blocker, days=2, hours=1)
    text = _update(supervisor_client, milling_job)
    assert "Held: material — Bar stock short (2 d)." in text
    assert "On track" not in text
    assert text.endswith(f"Due {live.short_date(milling_job.due_date)}.")


def test_update_when_late(supervisor_client, supervisor, milling_job):
    services.job_update(
        user=supervisor, job=milling_job, due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert _update(supervisor_client, milling_job).endswith("1 day late.")


def test_update_at_risk_when_work_left_does_not_fit(supervisor_client, supervisor, milling_job):
    # 40 parts × 2 min + the inspection: hours of work, due tomorrow.
    services.job_update(
        user=supervisor, job=milling_job, due_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    mill = milling_job.operations.get(sequence=2)
    services.operation_update(user=supervisor, operation=mill, run_minutes=30)
    assert "At risk for" in _update(supervisor_client, milling_job)


def test_update_planned(supervisor_client, planned_job):
    text = _update(supervisor_client, planned_job)
    assert text.startswith("J-1001 (PO-4471) — 100 pump housings scheduled; not yet released")


def test_update_shipped(supervisor_client, supervisor, released_job, operator):
    for sequence in (1, 2, 3):
        _floor(operator, released_job, sequence, "start")
        _floor(operator, released_job, sequence, "finish", qty_good=98, qty_scrap=0)
    assert "ready to ship" in _update(supervisor_client, released_job)
    services.job_mark_shipped(user=supervisor, job=released_job)
    today = live.short_date(timezone.localdate())
    assert _update(supervisor_client, released_job) == (
        f"J-1001 (PO-4471) — 98 pump housings shipped {today}."
    )


@pytest.mark.parametrize(
    ("description", "quantity", "expected"),
    [
        ("Pump housing", 100, "pump housings"),
        ("Pump housing", 1, "pump housing"),
        ("Bushing, bronze", 5, "bushings"),
        ("Gearbox", 2, "gearboxes"),
        ("Assembly", 3, "assemblies"),
        ("CNC bracket", 4, "CNC brackets"),
        ("Bracket 6061-T6 per DWG 44", 4, "pcs of NP-9"),
        ("", 4, "pcs of NP-9"),
    ],
)
def test_part_noun(description, quantity, expected):
    from shopdesk.parts.models import Part

    assert live.part_noun(Part(number="NP-9", description=description), quantity) == expected


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (datetime.timedelta(minutes=5), "5 min"),
        (datetime.timedelta(hours=3, minutes=59), "3 h"),
        (datetime.timedelta(hours=47), "47 h"),
        (datetime.timedelta(days=2, hours=5), "2 d"),
        (datetime.timedelta(seconds=-30), "0 min"),
    ],
)
def test_short_age(delta, label):
    assert live.short_age(delta) == label


def test_working_days_skip_weekends():
    monday = datetime.date(2026, 11, 23)
    assert live.working_days_until(monday, monday + datetime.timedelta(days=7)) == 5
    assert live.working_days_until(monday, monday + datetime.timedelta(days=5)) == 5  # Saturday
    assert live.working_days_until(monday, monday) == 0


def test_update_leaves_out_the_age_of_a_fresh_hold(supervisor_client, milling_job, operator):
    services.blocker_raise(user=operator, job=milling_job, kind="tooling", note="Clamp cracked")
    assert "Held: tooling — Clamp cracked. Due" in _update(supervisor_client, milling_job)
