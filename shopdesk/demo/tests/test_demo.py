"""`manage.py load_demo`: two demo shops made through the services, loaded once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db.models import Count
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Event, Membership, Role, Shop
from shopdesk.customers.models import Contact, Customer
from shopdesk.jobs.derive import derive_stage
from shopdesk.jobs.models import (
    Blocker,
    FloorAction,
    Job,
    JobStage,
    LaborEntry,
    Operation,
    OperationStatus,
)
from shopdesk.jobs.selectors import JobFilters, get_job_for, job_list
from shopdesk.parts.models import Part
from shopdesk.travelers.models import Traveler

pytestmark = pytest.mark.django_db

COUNTED = (Shop, Membership, Customer, Contact, Part, Job, Operation, Blocker, FloorAction, Event)


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts["users"] = get_user_model().objects.count()
    counts["travelers"] = Traveler.objects.count()
    return counts


def test_load_demo_builds_both_shops_through_the_services_once():
    output = _load()
    demo = Shop.objects.get(slug="demo")
    anodizing = Shop.objects.get(slug="anodizing")
    assert demo.name == "Demo Machine Works"
    assert demo.paper_size == "letter"
    assert anodizing.name == "Demo Anodizing Co"

    # People, with names and the documented roles.
    roles = dict(Membership.objects.filter(shop=demo).values_list("user__username", "role"))
    assert roles == {
        "owner": Role.OWNER,
        "supervisor": Role.SUPERVISOR,
        "operator": Role.OPERATOR,
        "office": Role.OFFICE,
        "quality": Role.QUALITY,
        "ana": Role.OPERATOR,
        "jamal": Role.OPERATOR,
        "wei": Role.OPERATOR,
    }
    assert Membership.objects.get(user__username="anodizer").shop == anodizing
    assert get_user_model().objects.get(username="operator").get_full_name() == "Tom Kowalski"

    # Work centers, customers with a contact each, parts.
    assert set(demo.work_centers.values_list("name", "kind")) == {
        ("Saw", "saw"),
        ("CNC Mill", "mill"),
        ("CNC Lathe", "lathe"),
        ("Deburr", "deburr"),
        ("Inspection", "inspection"),
        ("Shipping", "shipping"),
    }
    assert Customer.objects.filter(shop=demo).count() == 25
    assert Contact.objects.filter(customer__shop=demo).count() == 25
    assert 55 <= Part.objects.filter(shop=demo).count() <= 65

    # 150 jobs at every stage, in production at every work center, some late, some blocked.
    jobs = Job.objects.filter(shop=demo)
    assert jobs.count() >= 150
    assert set(jobs.values_list("stage", flat=True)) == set(JobStage.values)
    in_production = jobs.filter(stage=JobStage.IN_PRODUCTION)
    assert set(
        in_production.exclude(current_work_center=None).values_list(
            "current_work_center__name", flat=True
        )
    ) == set(demo.work_centers.values_list("name", flat=True))
    # One job is out at the anodizer (the other demo shop, by name), and nowhere else.
    anodize = Operation.objects.get(job__shop=demo, outside_vendor="Demo Anodizing Co")
    assert (anodize.work_center, anodize.status) == (None, "at_supplier")
    assert anodize.job.stage == JobStage.IN_PRODUCTION
    assert anodize.job.current_operation_id == anodize.pk
    assert in_production.filter(current_work_center=None).count() == 1
    # One job shipped in part: complete, a first delivery out, the balance still to ship.
    partly = jobs.get(stage=JobStage.COMPLETE, quantity_shipped__gt=0)
    assert 0 < partly.quantity_shipped < partly.operations.order_by("sequence").last().qty_good
    # A shipped job shipped every good part.
    for job in jobs.filter(stage=JobStage.SHIPPED)[:5]:
        assert job.quantity_shipped == job.operations.order_by("sequence").last().qty_good
    assert jobs.late().count() >= 10
    assert jobs.blocked().count() >= 10
    assert Blocker.objects.filter(
        shop=demo, resolved_at__isnull=False, owner__isnull=False
    ).exists()
    assert jobs.filter(stage=JobStage.PLANNED, due_date__isnull=True).exists()
    assert jobs.filter(stage=JobStage.PLANNED, operations_total=0).exists()
    routed = jobs.exclude(operations_total=0)
    assert min(routed.values_list("operations_total", flat=True)) >= 3
    assert max(routed.values_list("operations_total", flat=True)) <= 7

    # The floor looks like a floor: the work is spread over the crew, a machine runs one job
    # at a time (two on the two-shift CNCs), and what runs was started this shift.
    hands = dict(
        LaborEntry.objects.filter(shop=demo)
        .values("user__username")
        .annotate(entries=Count("id"))
        .values_list("user__username", "entries")
    )
    assert {"operator", "ana", "jamal", "wei", "quality"} <= set(hands)
    running = Operation.objects.filter(job__shop=demo, status="running")
    for center in demo.work_centers.all():
        at_center = running.filter(work_center=center).count()
        assert at_center <= (2 if center.hours_per_day >= 16 else 1), center.name
    assert running.count() >= 4
    open_entries = LaborEntry.objects.filter(shop=demo, ended_at__isnull=True)
    assert open_entries.filter(user__username="operator").count() <= 3
    assert open_entries.filter(operation__status="running").count() == running.count()
    for entry in open_entries.filter(operation__status="running"):
        assert timezone.now() - entry.started_at < datetime.timedelta(hours=4)

    # The services did the work: every job has its events, the derived fields agree.
    assert Event.objects.filter(shop=demo, kind="job.created").count() == jobs.count()
    assert Event.objects.filter(shop=demo, kind="operation.finish").count() > 300
    assert Event.objects.filter(shop=demo, kind="job.shipped").count() >= 20
    assert (
        Event.objects.filter(shop=demo, kind="blocker.raised").count()
        == Blocker.objects.filter(shop=demo).count()
    )
    assert Traveler.objects.filter(shop=demo).exists()
    for job in jobs.prefetch_related("operations"):
        operations = sorted(job.operations.all(), key=lambda op: op.sequence)
        stage, current = derive_stage(job.state, operations, job.quantity_shipped)
        assert (job.stage, job.current_operation_id) == (stage, current and current.pk)
    # History spreads over weeks, in the past: blockers have an age.
    oldest, newest = (
        Event.objects.filter(shop=demo).order_by(field).values_list("created_at", flat=True)[0]
        for field in ("created_at", "-created_at")
    )
    assert (newest - oldest).days >= 20

    # The second shop sees none of the first shop's jobs.
    anodizing_jobs = Job.objects.filter(shop=anodizing)
    assert 3 <= anodizing_jobs.count() <= 10
    visible = set(job_list(anodizing, JobFilters()).values_list("pk", flat=True))
    assert visible == set(anodizing_jobs.values_list("pk", flat=True))
    assert not visible & set(jobs.values_list("pk", flat=True))
    with pytest.raises(Http404):
        get_job_for(anodizing, jobs.order_by("-number").first().number)

    # It says what it is doing while it works, and leaves the logins to the server's banner.
    assert "Loading the demo shops" in output
    assert "50 of 150 jobs" in output
    assert "Demo data loaded in" in output
    assert "password" not in output.lower() and "PIN" not in output
    # The documented logins work with the documented password.
    for username in ("owner", "supervisor", "operator", "office", "quality", "anodizer"):
        assert Client().login(username=username, password="demo")
    # The rest of the crew signs in at the kiosk only.
    for username in ("ana", "jamal", "wei"):
        assert not Client().login(username=username, password="demo")
    assert set(
        Membership.objects.filter(user__username__in=["ana", "jamal", "wei"]).values_list(
            "badge_number", flat=True
        )
    ) == {"1002", "1003", "1004"}
    # The operator can sign in at a kiosk with the documented badge and PIN.
    operator = Membership.objects.get(user__username="operator")
    assert operator.badge_number == "1001"
    assert check_password("1234", operator.pin_hash) and "1234" not in operator.pin_hash
    client = Client()
    response = client.post(reverse("login"), {"username": "supervisor", "password": "demo"})
    assert response.status_code == 302
    page = client.get(reverse("account")).content.decode()
    assert "Marcus Reyes" in page and "Demo Machine Works" in page

    # Running it again changes nothing and says so.
    before = _counts()
    again = _load()
    assert "Demo data not loaded" in again
    assert _counts() == before


def _labor_minutes(shop: Shop) -> dict[int, float]:
    """Minutes of labor per operation, an open entry counted to now."""
    now = timezone.now()
    minutes: dict[int, float] = defaultdict(float)
    for entry in LaborEntry.objects.filter(shop=shop):
        minutes[entry.operation_id] += (
            (entry.ended_at or now) - entry.started_at
        ).total_seconds() / 60
    return minutes


def test_demo_tells_a_story_that_holds_together():
    _load()
    for shop in Shop.objects.all():
        # New shops (and so the demo's) close the day's labor at a shift end.
        assert shop.shift_end_time is not None
        labor = _labor_minutes(shop)
        operations = Operation.objects.filter(job__shop=shop).select_related("job")
        for operation in operations:
            estimate = float(
                operation.setup_minutes + operation.run_minutes * (operation.job.quantity or 0)
            )
            where = f"{shop.slug} job {operation.job.number} op {operation.sequence}"
            if operation.status == OperationStatus.DONE:
                # A finished operation took about what was planned, not days of overnight labor.
                assert 0.3 * estimate <= labor[operation.pk] <= 3 * estimate, where
            elif operation.status == OperationStatus.RUNNING:
                # Running since earlier this shift: a part of the work, not more than it all.
                assert 0 < labor[operation.pk] <= 1.5 * estimate, where
        # Nobody's time runs through a night: each entry ends the day it started, by the
        # shift end at the latest.
        for entry in LaborEntry.objects.filter(shop=shop, ended_at__isnull=False):
            started, ended = (
                timezone.localtime(entry.started_at),
                timezone.localtime(entry.ended_at),
            )
            assert started.date() == ended.date(), entry.pk
            assert ended.time() <= shop.shift_end_time, entry.pk
        jobs = Job.objects.filter(shop=shop)
        # A blocker stops work: no job with an open one has an operation running, and late
        # bar stock holds only a job that has not started.
        open_blockers = Blocker.objects.filter(shop=shop, resolved_at__isnull=True)
        assert not open_blockers.filter(job__operations__status=OperationStatus.RUNNING).exists()
        for blocker in open_blockers.filter(kind__in=["material", "supplier"]):
            assert blocker.job.stage in (JobStage.PLANNED, JobStage.RELEASED), blocker.note
            assert blocker.note.startswith("Material cert") or (
                blocker.job.material_status == "ordered"
            ), blocker.note
        # Material the customer sends is not taken from stock.
        assert not jobs.filter(notes="Customer material.", material_status="from_stock").exists()
        # Every job on the floor has notes from the floor on its live page.
        for job in jobs.filter(stage=JobStage.IN_PRODUCTION):
            assert FloorAction.objects.filter(operation__job=job).exclude(note="").exists(), (
                job.number
            )
        # People work weekdays from 07:00 to the shift end (the sweep itself aside).
        for moment in Event.objects.filter(shop=shop, actor__isnull=False).values_list(
            "created_at", flat=True
        ):
            local = timezone.localtime(moment)
            assert local.weekday() < 5 or local.date() == timezone.localdate(), local
            assert local.date() == timezone.localdate() or (
                datetime.time(7) <= local.time() <= shop.shift_end_time
            ), local
    # The live page of a job in progress shows those notes.
    job = Job.objects.filter(shop__slug="demo", stage=JobStage.IN_PRODUCTION).first()
    client = Client()
    client.login(username="supervisor", password="demo")
    page = client.get(reverse("jobs:detail", args=[job.number])).content.decode()
    assert "No notes from the floor yet" not in page


def test_load_demo_does_nothing_when_any_shop_exists(shop):
    output = _load()
    assert "Demo data not loaded" in output
    assert "Acme Machining" in output
    assert not Shop.objects.filter(slug__in=["demo", "anodizing"]).exists()
    assert Job.objects.count() == 0
