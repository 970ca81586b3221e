"""The work center dispatch list: what is ready, in what order, and the supervisor's reorder."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Event
from shopdesk.dispatch import selectors as dispatch
from shopdesk.dispatch import services as dispatch_services
from shopdesk.floor import services as floor_services
from shopdesk.jobs import services
from shopdesk.jobs.models import Job, Operation, Priority


def released_job(
    user,
    customer,
    part,
    centers,
    *,
    due_days: int = 10,
    priority: int = Priority.NORMAL,
    quantity: int = 10,
    setup: int = 30,
    run: int = 2,
    release: bool = True,
) -> Job:
    """A job routed through `centers` in order, released unless told otherwise."""
    job = services.job_create(
        user=user,
        customer=customer,
        part=part,
        material_status="from_stock",
        quantity=quantity,
        priority=priority,
        due_date=timezone.localdate() + datetime.timedelta(days=due_days),
        operations=[
            {"work_center": wc, "name": wc.name, "setup_minutes": setup, "run_minutes": run}
            for wc in centers
        ],
    )
    return services.job_release(user=user, job=job) if release else job


def scan(user, operation: Operation, action: str, **quantities) -> None:
    floor_services.floor_action(
        user=user,
        operation=operation,
        action=action,
        client_id=uuid.uuid4().hex,
        **quantities,
    )


def first_op(job: Job) -> Operation:
    return job.operations.order_by("sequence").first()


def ready_numbers(shop, work_center) -> list[str]:
    return [row.job.display_number for row in dispatch.dispatch_list(shop, work_center).ready]


def page_url(work_center) -> str:
    return reverse("jobs:dispatch", args=[work_center.pk])


def move_url(work_center, operation) -> str:
    return reverse("jobs:dispatch_move", args=[work_center.pk, operation.pk])


@pytest.fixture
def mill(work_centers):
    return work_centers[1]


@pytest.fixture
def queue(supervisor, customer, part, work_centers, mill):
    """Four released jobs whose first operation is at the mill, in a known rule order:
    hot first, then by critical ratio (J-1002 has far more work left than J-1001)."""
    inspection = work_centers[2]
    relaxed = released_job(supervisor, customer, part, [mill, inspection], due_days=20, run=1)
    tight = released_job(
        supervisor, customer, part, [mill, inspection], due_days=20, run=200, quantity=50
    )
    hot = released_job(
        supervisor, customer, part, [mill], due_days=60, priority=Priority.HOT, run=1
    )
    late = released_job(supervisor, customer, part, [mill], due_days=-3, run=1)
    return {"relaxed": relaxed, "tight": tight, "hot": hot, "late": late}


# ------------------------------------------------------------------------------- order rules


def test_priority_beats_critical_ratio_which_beats_due_date(shop, mill, queue):
    # Hot first; then the late job (negative ratio), the tight one (ratio < 1), the relaxed.
    assert ready_numbers(shop, mill) == ["J-1003", "J-1004", "J-1002", "J-1001"]
    rows = {row.job.display_number: row for row in dispatch.dispatch_list(shop, mill).ready}
    assert rows["J-1004"].critical_ratio < 0
    assert rows["J-1002"].at_risk and not rows["J-1001"].at_risk


def test_manual_rank_beats_priority(shop, supervisor, mill, queue):
    dispatch_services.dispatch_move(
        user=supervisor, work_center=mill, operation=first_op(queue["relaxed"]), direction="top"
    )
    assert ready_numbers(shop, mill) == ["J-1001", "J-1003", "J-1004", "J-1002"]


def test_due_date_orders_work_without_a_ratio(shop, supervisor, customer, part, mill):
    # No estimates, no ratio: the soonest due date runs first.
    later = released_job(supervisor, customer, part, [mill], due_days=9, setup=0, run=0)
    sooner = released_job(supervisor, customer, part, [mill], due_days=4, setup=0, run=0)
    listing = dispatch.dispatch_list(shop, mill)
    assert [row.job.pk for row in listing.ready] == [sooner.pk, later.pk]
    assert all(row.critical_ratio is None for row in listing.ready)


def test_critical_ratio_in_working_days():
    monday = datetime.date(2026, 11, 23)
    # Five working days to due against 2.5 days of work: 2.
    assert dispatch.critical_ratio(monday + datetime.timedelta(days=7), monday, 2.5) == Decimal(
        "2.00"
    )
    assert dispatch.critical_ratio(None, monday, 2.5) is None
    assert dispatch.critical_ratio(monday, monday, 0.0) is None
    # A week past due is negative: the later, the earlier it sorts.
    assert dispatch.critical_ratio(monday - datetime.timedelta(days=7), monday, 2.5) == Decimal(
        "-2.00"
    )


def test_work_left_counts_each_operation_at_its_own_work_centers_day(
    shop, supervisor, customer, part, work_centers
):
    """A job's ratio is the same on every dispatch list and on the board: 8 h of work at a
    center that runs 16 h a day is half a day, 8 h at one that runs 8 h a day is a whole one."""
    saw, mill = work_centers[0], work_centers[1]
    saw.hours_per_day, mill.hours_per_day = Decimal("16"), Decimal("8")
    saw.save()
    mill.save()
    due = timezone.localdate() + datetime.timedelta(days=28)
    job = released_job(
        supervisor, customer, part, [saw, mill], due_days=28, quantity=100, run=Decimal("4.8")
    )
    # 30 min setup + 100 x 4.8 min = 8.5 h at each: 8.5/16 + 8.5/8 days.
    needed = 8.5 / 16 + 8.5 / 8
    expected = dispatch.critical_ratio(due, timezone.localdate(), needed)
    assert expected is not None and expected > 0
    at_saw = {row.job.pk: row for row in dispatch.dispatch_list(shop, saw).ready}
    at_mill = {row.job.pk: row for row in dispatch.dispatch_list(shop, mill).upcoming}
    assert at_saw[job.pk].critical_ratio == expected
    assert at_mill[job.pk].critical_ratio == expected
    # The board counts the same days, so a job at risk there is at risk on a dispatch list.
    on_board = [j for wip in dispatch.board(shop).wip for j in wip.jobs if j.pk == job.pk]
    assert [j.critical_ratio for j in on_board] == [expected]


# ---------------------------------------------------------------------------- readiness


def test_waiting_work_is_upcoming_until_the_earlier_operation_is_done(
    shop, supervisor, operator, customer, part, work_centers, mill
):
    saw = work_centers[0]
    job = released_job(supervisor, customer, part, [saw, mill])
    listing = dispatch.dispatch_list(shop, mill)
    assert listing.ready == []
    assert [row.job.pk for row in listing.upcoming] == [job.pk]
    assert listing.upcoming[0].waiting_for == "Op 1 Saw at Saw"

    saw_op = first_op(job)
    scan(operator, saw_op, "start")
    scan(operator, saw_op, "finish", qty_good=10)
    assert ready_numbers(shop, mill) == [job.display_number]


def test_blocked_and_unreleased_jobs_are_not_ready(shop, supervisor, customer, part, mill, queue):
    services.blocker_raise(user=supervisor, job=queue["hot"], kind="material", note="No bar")
    released_job(supervisor, customer, part, [mill], release=False)
    listing = dispatch.dispatch_list(shop, mill)
    assert "J-1003" not in [row.job.display_number for row in listing.ready]
    blocked = [row for row in listing.upcoming if row.job.display_number == "J-1003"]
    assert blocked and blocked[0].waiting_for == "Blocked: Material"
    # The planned job is on nobody's list yet.
    assert "J-1005" not in [r.job.display_number for r in listing.ready + listing.upcoming]


def test_running_operation_stays_ready_and_says_so(shop, operator, mill, queue):
    scan(operator, first_op(queue["relaxed"]), "start")
    row = next(r for r in dispatch.dispatch_list(shop, mill).ready if r.job == queue["relaxed"])
    assert row.status == "running"


def test_done_operations_leave_the_list(shop, operator, mill, queue):
    op = first_op(queue["late"])
    scan(operator, op, "start")
    scan(operator, op, "finish", qty_good=10)
    assert "J-1004" not in ready_numbers(shop, mill)


# --------------------------------------------------------------------------------- the page


def test_page_shows_each_row_and_the_queue(supervisor_client, mill, queue):
    response = supervisor_client.get(page_url(mill))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dispatch · CNC Mill" in html
    assert "Northwind Pumps" in html and "NP-220" in html
    assert "h queued" in html and "day" in html
    assert 'class="num dp-cr bad"' in html  # the tight job's ratio is red
    assert "Inspection" in html  # what comes next
    assert "Ready" in html
    assert html.index("J-1003") < html.index("J-1004") < html.index("J-1002")
    assert "Reset order" in html
    # Each row's move buttons and drag handle post to that row's own operation.
    for job in queue.values():
        url = move_url(mill, first_op(job))
        assert f'data-move-url="{url}"' in html and f'action="{url}" hx-post="{url}"' in html


def test_htmx_poll_answers_only_the_list(supervisor_client, mill, queue):
    response = supervisor_client.get(page_url(mill), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="dispatch-list"')
    assert "<html" not in html
    assert response["Vary"].count("HX-Request") == 1


def test_work_center_list_links_to_dispatch(supervisor_client, mill):
    html = supervisor_client.get(reverse("jobs:work_centers")).content.decode()
    assert page_url(mill) in html


def test_query_count_is_fixed_whatever_the_queue(
    shop,
    supervisor,
    supervisor_client,
    customer,
    part,
    work_centers,
    mill,
    django_assert_max_num_queries,
):
    inspection = work_centers[2]
    for index in range(32):
        released_job(
            supervisor, customer, part, [mill, inspection, mill], due_days=index - 4, run=index
        )
    assert Operation.objects.filter(work_center=mill).count() >= 64
    with django_assert_max_num_queries(8):
        response = supervisor_client.get(page_url(mill) + "?rows=100")
    assert response.status_code == 200
    assert len(response.context["listing"].ready) == 32
    assert len(response.context["listing"].upcoming) == 32
    with django_assert_max_num_queries(8):
        supervisor_client.get(page_url(mill), headers={"HX-Request": "true"})


# ----------------------------------------------------------------------------------- reorder


def test_move_to_top_reorders_and_records_an_event(shop, supervisor_client, mill, queue):
    op = first_op(queue["relaxed"])
    response = supervisor_client.post(move_url(mill, op), {"direction": "top"})
    assert response.status_code == 302
    assert response["Location"] == page_url(mill)
    assert ready_numbers(shop, mill)[0] == "J-1001"
    event = Event.objects.get(kind="dispatch.moved")
    assert event.job == queue["relaxed"]
    assert event.summary == "Dispatch: J-1001 op 1 moved to the top at CNC Mill"
    html = supervisor_client.get(page_url(mill)).content.decode()
    assert html.index("J-1001") < html.index("J-1003")


def test_move_up_and_down_by_htmx_answer_the_list(shop, supervisor_client, mill, queue):
    tight = first_op(queue["tight"])
    response = supervisor_client.post(
        move_url(mill, tight), {"direction": "up"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dispatch-list"')
    assert html.index("J-1002") < html.index("J-1004")
    assert ready_numbers(shop, mill) == ["J-1003", "J-1002", "J-1004", "J-1001"]
    supervisor_client.post(move_url(mill, first_op(queue["hot"])), {"direction": "down"})
    assert ready_numbers(shop, mill) == ["J-1002", "J-1003", "J-1004", "J-1001"]
    summaries = list(
        Event.objects.filter(kind="dispatch.moved").order_by("id").values_list("summary", flat=True)
    )
    assert summaries == [
        "Dispatch: J-1002 op 1 moved up to 2nd at CNC Mill",
        "Dispatch: J-1003 op 1 moved down to 2nd at CNC Mill",
    ]


def test_new_work_still_sorts_itself_after_a_move(shop, supervisor, customer, part, mill, queue):
    dispatch_services.dispatch_move(
        user=supervisor, work_center=mill, operation=first_op(queue["tight"]), direction="up"
    )
    # Only the head of the list down to the moved operation is pinned.
    assert Operation.objects.filter(work_center=mill, dispatch_rank__isnull=False).count() == 2
    newcomer = released_job(
        supervisor, customer, part, [mill], due_days=30, priority=Priority.HOT, run=1
    )
    numbers = ready_numbers(shop, mill)
    assert numbers[:3] == ["J-1003", "J-1002", newcomer.display_number]


def test_double_submit_of_top_moves_once(shop, supervisor_client, mill, queue):
    op = first_op(queue["relaxed"])
    supervisor_client.post(move_url(mill, op), {"direction": "top"})
    again = supervisor_client.post(move_url(mill, op), {"direction": "top"})
    assert again.status_code == 302
    assert Event.objects.filter(kind="dispatch.moved").count() == 1
    assert ready_numbers(shop, mill)[0] == "J-1001"


def test_reset_clears_the_manual_order(shop, supervisor, supervisor_client, mill, queue):
    dispatch_services.dispatch_move(
        user=supervisor, work_center=mill, operation=first_op(queue["relaxed"]), direction="top"
    )
    response = supervisor_client.post(reverse("jobs:dispatch_reset", args=[mill.pk]), follow=True)
    assert response.status_code == 200
    assert "follows priority, critical ratio and due date again" in response.content.decode()
    assert ready_numbers(shop, mill) == ["J-1003", "J-1004", "J-1002", "J-1001"]
    assert not Operation.objects.filter(dispatch_rank__isnull=False).exists()
    assert Event.objects.filter(kind="dispatch.reset").count() == 1
    # Nothing left to reset: no second event.
    supervisor_client.post(reverse("jobs:dispatch_reset", args=[mill.pk]))
    assert Event.objects.filter(kind="dispatch.reset").count() == 1


@pytest.mark.parametrize("direction", [None, "", "sideways", "<script>x</script>", "top" * 50])
def test_bad_direction_is_422_and_changes_nothing(supervisor_client, mill, queue, direction):
    data = {} if direction is None else {"direction": direction}
    response = supervisor_client.post(move_url(mill, first_op(queue["relaxed"])), data)
    assert response.status_code == 422
    assert "Direction must be up, down or top." in response.content.decode()
    assert "<script>x</script>" not in response.content.decode()
    assert not Operation.objects.filter(dispatch_rank__isnull=False).exists()
    assert not Event.objects.filter(kind__startswith="dispatch.").exists()


def test_another_work_centers_operation_is_422_and_changes_nothing(
    shop, supervisor, supervisor_client, customer, part, work_centers, mill, queue
):
    saw = work_centers[0]
    at_saw = released_job(supervisor, customer, part, [saw])
    response = supervisor_client.post(move_url(mill, first_op(at_saw)), {"direction": "top"})
    assert response.status_code == 422
    assert "does not run at CNC Mill" in response.content.decode()
    # The same operation through the work center it belongs to is fine.
    assert ready_numbers(shop, mill) == ["J-1003", "J-1004", "J-1002", "J-1001"]
    assert not Operation.objects.filter(dispatch_rank__isnull=False).exists()
    assert not Event.objects.filter(kind__startswith="dispatch.").exists()


def test_upcoming_operation_cannot_be_moved(
    supervisor, supervisor_client, customer, part, work_centers, mill
):
    job = released_job(supervisor, customer, part, [work_centers[0], mill])
    second = job.operations.get(sequence=2)
    response = supervisor_client.post(move_url(mill, second), {"direction": "top"})
    assert response.status_code == 409
    assert "is not ready yet" in response.content.decode()
    assert not Event.objects.filter(kind__startswith="dispatch.").exists()


def test_operator_sees_the_list_but_cannot_reorder(operator_client, mill, queue):
    response = operator_client.get(page_url(mill))
    assert response.status_code == 200
    assert "Reset order" not in response.content.decode()
    assert 'value="top"' not in response.content.decode()
    moved = operator_client.post(move_url(mill, first_op(queue["relaxed"])), {"direction": "top"})
    assert moved.status_code == 403
    reset = operator_client.post(reverse("jobs:dispatch_reset", args=[mill.pk]))
    assert reset.status_code == 403
    assert not Operation.objects.filter(dispatch_rank__isnull=False).exists()
    assert not Event.objects.filter(kind__startswith="dispatch.").exists()


def test_outsider_gets_404_on_every_url_with_acme_ids(outsider_client, other_job, mill, queue):
    op = first_op(queue["relaxed"])
    assert outsider_client.get(page_url(mill)).status_code == 404
    assert outsider_client.post(move_url(mill, op), {"direction": "top"}).status_code == 404
    assert outsider_client.post(reverse("jobs:dispatch_reset", args=[mill.pk])).status_code == 404
    # The outsider's own work center with Acme's operation: still not found.
    own = first_op(other_job).work_center
    assert outsider_client.post(move_url(own, op), {"direction": "top"}).status_code == 404
    assert not Operation.objects.filter(dispatch_rank__isnull=False).exists()
    assert not Event.objects.filter(kind__startswith="dispatch.").exists()


def test_supervisor_cannot_reach_another_shops_operation(supervisor_client, other_job, mill):
    response = supervisor_client.post(move_url(mill, first_op(other_job)), {"direction": "top"})
    assert response.status_code == 404
    assert first_op(other_job).dispatch_rank is None


def test_wrong_methods_and_signed_out(mill, supervisor_client, queue):
    op = first_op(queue["relaxed"])
    assert supervisor_client.post(page_url(mill)).status_code == 405
    assert supervisor_client.get(move_url(mill, op)).status_code == 405
    anonymous = Client()
    assert anonymous.get(page_url(mill)).status_code == 302
    assert anonymous.post(move_url(mill, op), {"direction": "top"}).status_code == 302
    assert not Operation.objects.filter(dispatch_rank__isnull=False).exists()


def test_moving_an_operation_to_another_work_center_drops_its_place(
    shop, supervisor, work_centers, mill, queue
):
    op = first_op(queue["relaxed"])
    dispatch_services.dispatch_move(
        user=supervisor, work_center=mill, operation=op, direction="top"
    )
    services.operation_update(user=supervisor, operation=op, work_center=work_centers[0])
    op.refresh_from_db()
    assert op.dispatch_rank is None
    assert ready_numbers(shop, work_centers[0]) == ["J-1001"]


def test_drop_at_a_position_moves_there(shop, supervisor_client, mill, queue):
    # What the drag and drop posts: the relaxed job (4th) dropped on the 2nd row.
    op = first_op(queue["relaxed"])
    response = supervisor_client.post(
        move_url(mill, op), {"direction": "to", "position": "2"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert ready_numbers(shop, mill) == ["J-1003", "J-1001", "J-1004", "J-1002"]
    event = Event.objects.get(kind="dispatch.moved")
    assert event.summary == "Dispatch: J-1001 op 1 moved up to 2nd at CNC Mill"
    # Past the end means the end.
    supervisor_client.post(move_url(mill, op), {"direction": "to", "position": "99"})
    assert ready_numbers(shop, mill)[-1] == "J-1001"


@pytest.mark.parametrize("position", [None, "", "0", "-1", "abc", "1.5", "9" * 40, "<b>"])
def test_bad_position_is_422_and_changes_nothing(supervisor_client, mill, queue, position):
    data = {"direction": "to"} | ({} if position is None else {"position": position})
    response = supervisor_client.post(move_url(mill, first_op(queue["relaxed"])), data)
    assert response.status_code == 422
    assert "Position must be a whole number from 1." in response.content.decode()
    assert not Operation.objects.filter(dispatch_rank__isnull=False).exists()
    assert not Event.objects.filter(kind__startswith="dispatch.").exists()


def test_rows_are_draggable_for_planners_only(supervisor_client, operator_client, mill, queue):
    assert 'draggable="true"' in supervisor_client.get(page_url(mill)).content.decode()
    assert "dispatch.js" in supervisor_client.get(page_url(mill)).content.decode()
    assert 'draggable="true"' not in operator_client.get(page_url(mill)).content.decode()


# ------------------------------------------------------------------------ long queues


def test_first_rows_keep_the_whole_lists_order_and_figures(
    shop, supervisor, operator, customer, part, mill, work_centers, queue
):
    """dispatch_list(limit=...) orders by the same rules and counts the whole queue."""
    saw = work_centers[0]
    for days in (5, 9, 14):
        released_job(supervisor, customer, part, [mill], due_days=days, run=3)
    waiting = released_job(supervisor, customer, part, [saw, mill], due_days=7)
    scan(operator, first_op(queue["relaxed"]), "start")
    full = dispatch.dispatch_list(shop, mill)
    first = dispatch.dispatch_list(shop, mill, limit=3)
    assert [row.operation.pk for row in first.ready] == [row.operation.pk for row in full.ready[:3]]
    assert [(row.position, row.critical_ratio, row.status) for row in first.ready] == [
        (row.position, row.critical_ratio, row.status) for row in full.ready[:3]
    ]
    assert first.ready_count == len(full.ready) == 7
    assert first.upcoming_count == len(full.upcoming) == 1
    assert first.upcoming[0].job == waiting
    assert first.upcoming[0].waiting_for == full.upcoming[0].waiting_for
    assert first.queue_hours == full.queue_hours and first.is_cut and not full.is_cut
    assert first.ready[0].next_operation == full.ready[0].next_operation


def test_page_shows_the_first_rows_and_counts_all(
    supervisor, supervisor_client, customer, part, mill, queue, monkeypatch
):
    from shopdesk.dispatch import views

    monkeypatch.setattr(views, "DISPATCH_ROWS_SHOWN", 2)
    response = supervisor_client.get(page_url(mill))
    html = response.content.decode()
    assert "4 ready, 0 upcoming" in html
    assert "The first 2 of 4 ready operations" in html
    assert html.count('class="dp-row ') == 2
    full = dispatch.dispatch_list(response.context["work_center"].shop, mill)
    assert f"{full.queue_hours} h queued" in html


def test_query_count_of_the_first_rows_is_fixed(
    shop, supervisor, customer, part, mill, django_assert_max_num_queries
):
    for days in range(12):
        released_job(supervisor, customer, part, [mill], due_days=days)
    with django_assert_max_num_queries(4):
        listing = dispatch.dispatch_list(shop, mill, limit=5)
    assert listing.ready_count == 12 and len(listing.ready) == 5


# -------------------------------------------------------------------------------- show more


@pytest.fixture
def few_rows(monkeypatch):
    """Two rows at first, two more per "Show more", at most six: the queue's four jobs then
    span the pages a long queue does."""
    from shopdesk.dispatch import views

    monkeypatch.setattr(views, "DISPATCH_ROWS_SHOWN", 2)
    monkeypatch.setattr(views, "DISPATCH_ROWS_STEP", 2)
    monkeypatch.setattr(views, "DISPATCH_ROWS_MAX", 6)


def test_show_more_brings_the_next_rows_and_the_page_keeps_them(
    supervisor_client, mill, queue, few_rows
):
    html = supervisor_client.get(page_url(mill)).content.decode()
    assert html.count('class="dp-row ') == 2
    more = f"{page_url(mill)}?rows=4"
    assert f'href="{more}"' in html and "Show the first 4" in html

    response = supervisor_client.get(more, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="dp-row ') == 4
    # The refresh every few seconds, the move buttons and the reset keep the longer list.
    assert f'hx-get="{more}"' in html
    op = first_op(queue["late"])
    assert f'action="{move_url(mill, op)}?rows=4"' in html
    assert f'action="{reverse("jobs:dispatch_reset", args=[mill.pk])}?rows=4"' in html
    # Every row is shown: nothing more to ask for.
    assert "Show the first" not in html


def test_a_move_from_the_longer_list_comes_back_to_it(supervisor_client, mill, queue, few_rows):
    op = first_op(queue["relaxed"])
    response = supervisor_client.post(f"{move_url(mill, op)}?rows=4", {"direction": "top"})
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(mill)}?rows=4"
    assert ready_numbers(mill.shop, mill)[0] == queue["relaxed"].display_number
    response = supervisor_client.post(
        f"{move_url(mill, op)}?rows=4", {"direction": "down"}, headers={"HX-Request": "true"}
    )
    assert response.content.decode().count('class="dp-row ') == 4


@pytest.mark.parametrize(
    "rows", ["0", "1", "7", "1000", "-2", "2.5", "1e3", "four", "<script>", "9" * 400, " "]
)
def test_rows_out_of_range_are_422_with_the_first_rows(
    supervisor_client, mill, queue, few_rows, rows
):
    response = supervisor_client.get(page_url(mill), {"rows": rows})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Rows must be a whole number from 2 to 6." in html
    assert html.count('class="dp-row ') == 2
    assert "<script>" not in html.split("<main", 1)[-1].split("</main>", 1)[0]


def test_a_bad_rows_value_does_not_undo_a_move(supervisor_client, mill, queue, few_rows):
    """The rows asked for only shape the answer: a move already made is reported as made."""
    op = first_op(queue["relaxed"])
    response = supervisor_client.post(
        f"{move_url(mill, op)}?rows=abc", {"direction": "top"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert ready_numbers(mill.shop, mill)[0] == queue["relaxed"].display_number
    assert Event.objects.filter(kind__startswith="dispatch.").count() == 1


def test_an_outsider_asking_for_more_rows_still_gets_404(outsider_client, mill, queue):
    assert outsider_client.get(page_url(mill), {"rows": "80"}).status_code == 404


def test_upcoming_rows_say_which_jobs_are_hot_as_their_order_does(
    supervisor, supervisor_client, customer, part, work_centers, mill
):
    """Upcoming work is ordered by priority first: the rows must say so, or a hot job with a
    relaxed ratio reads as out of place above a late one."""
    saw = work_centers[0]
    released_job(supervisor, customer, part, [saw, mill], due_days=-2)
    hot = released_job(supervisor, customer, part, [saw, mill], priority=Priority.HOT)
    listing = dispatch.dispatch_list(mill.shop, mill)
    assert [row.job.pk for row in listing.upcoming][0] == hot.pk
    html = supervisor_client.get(page_url(mill)).content.decode()
    upcoming = html.split("<h2>Upcoming</h2>", 1)[1]
    assert upcoming.count('<span class="badge bad">Hot</span>') == 1
    assert upcoming.index(hot.display_number) < upcoming.index('class="badge bad">Hot')
