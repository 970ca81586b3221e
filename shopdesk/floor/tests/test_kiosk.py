"""The operator kiosk: enrollment, badge + PIN sign-in, rate limit, idle sign-out, the queue."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.core import ratelimit
from shopdesk.core.models import Membership, Role
from shopdesk.core.services import membership_set_badge
from shopdesk.core.tests.factories import member
from shopdesk.dispatch import services as dispatch_services
from shopdesk.dispatch.tests.test_dispatch import released_job
from shopdesk.floor import services as floor_services
from shopdesk.floor.kiosk import KIOSK_COOKIE, KIOSK_SEEN_KEY
from shopdesk.jobs import services
from shopdesk.jobs.models import LaborEntry

PIN = "4821"


def _badge(user, badge, pin=PIN):
    Membership.objects.filter(user=user).update(badge_number=badge, pin_hash=make_password(pin))


@pytest.fixture
def kiosk(supervisor, operator):
    """A tablet enrolled by the supervisor for Acme; Oscar has badge 101."""
    _badge(operator, "101")
    client = Client()
    client.force_login(supervisor)
    response = client.post(reverse("kiosk_setup"), {"action": "enroll"})
    assert response.status_code == 302 and response["Location"] == reverse("kiosk")
    assert KIOSK_COOKIE in response.cookies
    return client


def _sign_in(client, badge="101", pin=PIN, **extra):
    return client.post(reverse("kiosk_sign_in"), {"badge": badge, "pin": pin}, **extra)


def test_enrolling_signs_the_supervisor_out_and_shows_the_badge_screen(kiosk):
    response = kiosk.get(reverse("kiosk"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Machining" in body and "Badge number" in body and 'data-key="7"' in body
    # The supervisor's own session ended: the work centers send back to the badge screen.
    assert kiosk.get(reverse("kiosk_work_centers"))["Location"] == reverse("kiosk")


def test_an_unenrolled_tablet_cannot_sign_in(operator):
    _badge(operator, "101")
    client = Client()
    assert client.get(reverse("kiosk")).status_code == 403
    response = _sign_in(client)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_forged_enrollment_cookie_is_ignored(operator, shop):
    _badge(operator, "101")
    client = Client()
    client.cookies[KIOSK_COOKIE] = f"{shop.pk}:device"  # not signed
    assert _sign_in(client).status_code == 403


def test_operators_cannot_enroll_a_tablet(operator_client):
    response = operator_client.post(reverse("kiosk_setup"), {"action": "enroll"})
    assert response.status_code == 403
    assert KIOSK_COOKIE not in response.cookies


def test_unenroll(supervisor, kiosk):
    kiosk.force_login(supervisor)
    response = kiosk.post(reverse("kiosk_setup"), {"action": "unenroll"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.cookies[KIOSK_COOKIE].value == ""
    kiosk.logout()
    assert kiosk.get(reverse("kiosk")).status_code == 403


def test_badge_and_pin_sign_in_as_the_operator(kiosk, operator, work_centers):
    response = _sign_in(kiosk)
    assert response.status_code == 302
    assert response["Location"] == reverse("kiosk_work_centers")
    assert int(kiosk.session["_auth_user_id"]) == operator.pk
    page = kiosk.get(reverse("kiosk_work_centers")).content.decode()
    assert "Oscar Operator" in page and "CNC Mill" in page and "Sign out" in page


def test_wrong_pin_says_so_without_telling_whether_the_badge_exists(kiosk):
    wrong = _sign_in(kiosk, pin="0000")
    unknown = _sign_in(kiosk, badge="999")
    assert wrong.status_code == unknown.status_code == 422
    assert "That badge number and PIN do not match" in wrong.content.decode()
    # The same words for an unknown badge: nothing tells the two apart.
    assert wrong.context["error"] == unknown.context["error"]
    assert "_auth_user_id" not in kiosk.session


def test_missing_and_hostile_input(kiosk):
    assert _sign_in(kiosk, badge="", pin="").status_code == 422
    assert _sign_in(kiosk, badge="'; DROP TABLE--", pin="12ab").status_code == 422
    assert _sign_in(kiosk, badge="101", pin="9" * 5000).status_code == 422
    assert "_auth_user_id" not in kiosk.session


def test_another_shops_badge_is_refused_at_this_kiosk(kiosk, outsider):
    _badge(outsider, "101X")
    response = _sign_in(kiosk, badge="101X")
    assert response.status_code == 422
    assert "_auth_user_id" not in kiosk.session


def test_same_badge_number_in_another_shop_signs_in_this_shops_person(kiosk, outsider, operator):
    _badge(outsider, "101", pin="9999")
    assert _sign_in(kiosk, pin="9999").status_code == 422
    assert _sign_in(kiosk).status_code == 302
    assert int(kiosk.session["_auth_user_id"]) == operator.pk


def test_rate_limit_refuses_even_the_right_pin(kiosk, settings):
    for _ in range(5):
        assert _sign_in(kiosk, pin="0000").status_code == 422
    limited = _sign_in(kiosk)
    assert limited.status_code == 429
    assert "Too many wrong PINs for this badge" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    assert "_auth_user_id" not in kiosk.session


def test_wrong_pins_on_one_badge_do_not_block_another_on_the_same_tablet(kiosk, shop):
    petra = member(shop, Role.OPERATOR, username="petra", first_name="Petra", last_name="Press")
    _badge(petra, "102")
    for _ in range(5):
        assert _sign_in(kiosk, badge="101", pin="0000").status_code == 422
    assert _sign_in(kiosk, badge="101").status_code == 429
    # Petra signs in on the same tablet, as do badges nobody has tried.
    assert _sign_in(kiosk, badge="102").status_code == 302
    assert int(kiosk.session["_auth_user_id"]) == petra.pk


def test_a_sprayed_pin_is_limited_per_badge_not_per_tablet(kiosk, operator):
    for badge in ("201", "202", "203", "204", "205", "206"):
        assert _sign_in(kiosk, badge=badge, pin="0000").status_code == 422
    assert _sign_in(kiosk).status_code == 302
    assert int(kiosk.session["_auth_user_id"]) == operator.pk


def test_a_badge_limited_on_one_tablet_is_limited_on_every_tablet(kiosk, supervisor):
    for _ in range(5):
        _sign_in(kiosk, pin="0000")
    other_tablet = Client()
    other_tablet.force_login(supervisor)
    other_tablet.post(reverse("kiosk_setup"), {"action": "enroll"})
    # Guessing does not get five more tries by walking to the next tablet.
    assert _sign_in(other_tablet).status_code == 429


def test_rate_limit_window_passes(kiosk, monkeypatch):
    for _ in range(5):
        _sign_in(kiosk, pin="0000")
    assert _sign_in(kiosk).status_code == 429
    later = time.time() + 301
    monkeypatch.setattr(ratelimit, "now", lambda: later)
    assert _sign_in(kiosk).status_code == 302


def test_idle_sign_out_on_the_server(kiosk, shop, work_centers):
    _sign_in(kiosk)
    assert kiosk.get(reverse("kiosk_work_centers")).status_code == 200
    session = kiosk.session
    session[KIOSK_SEEN_KEY] = time.time() - shop.kiosk_idle_minutes * 60 - 1
    session.save()
    response = kiosk.get(reverse("kiosk_work_centers"))
    assert response.status_code == 302 and response["Location"] == reverse("kiosk")
    assert "_auth_user_id" not in kiosk.session
    page = kiosk.get(reverse("kiosk")).content.decode()
    assert "Signed out after 5 minutes without activity" in page


def test_the_queue_refresh_is_not_activity(kiosk, shop, work_centers):
    _sign_in(kiosk)
    session = kiosk.session
    stamp = time.time() - 100
    session[KIOSK_SEEN_KEY] = stamp
    session.save()
    url = reverse("kiosk_queue", args=[work_centers[0].pk])
    assert kiosk.get(url, headers={"HX-Request": "true", "X-Kiosk-Poll": "1"}).status_code == 200
    assert kiosk.session[KIOSK_SEEN_KEY] == stamp
    kiosk.get(url)
    assert kiosk.session[KIOSK_SEEN_KEY] > stamp


def test_an_office_session_is_not_signed_out_by_the_kiosk_timer(supervisor_client, supervisor):
    assert supervisor_client.get(reverse("jobs:list")).status_code == 200
    assert KIOSK_SEEN_KEY not in supervisor_client.session


def test_sign_out_keeps_labor_running(kiosk, released_job, operator):
    _sign_in(kiosk)
    first = released_job.operations.order_by("sequence").first()
    floor_services.floor_action(
        user=operator, operation=first, action="start", client_id="kiosk-0001"
    )
    response = kiosk.post(reverse("kiosk_sign_out"))
    assert response["Location"] == reverse("kiosk")
    assert "_auth_user_id" not in kiosk.session
    assert LaborEntry.objects.get().is_open


def test_tiles_show_queue_counts(kiosk, released_job, work_centers, django_assert_max_num_queries):
    _sign_in(kiosk)
    with django_assert_max_num_queries(8):
        response = kiosk.get(reverse("kiosk_work_centers"))
    tiles = {wc.name: wc for wc in response.context["tiles"]}
    assert tiles["Saw"].ready_count == 1
    assert tiles["CNC Mill"].ready_count == 0 and tiles["CNC Mill"].upcoming_count == 1


def test_a_tile_counts_what_its_queue_lists(kiosk, supervisor, released_job, work_centers):
    """A blocked job's operation is coming, not ready, on the tile as in the queue."""
    from shopdesk.dispatch import selectors as dispatch

    services.blocker_raise(user=supervisor, job=released_job, kind="material", note="No bar")
    _sign_in(kiosk)
    tiles = {wc.name: wc for wc in kiosk.get(reverse("kiosk_work_centers")).context["tiles"]}
    for center in work_centers:
        queue = dispatch.dispatch_list(released_job.shop, center)
        tile = tiles[center.name]
        assert (tile.ready_count, tile.upcoming_count) == (
            queue.ready_count,
            queue.upcoming_count,
        ), center.name
    assert tiles["Saw"].ready_count == 0 and tiles["Saw"].upcoming_count == 1


def test_queue_in_dispatch_order_and_follows_a_reorder(
    kiosk, supervisor, customer, part, work_centers, django_assert_max_num_queries
):
    saw = work_centers[0]
    jobs = []
    for _ in range(3):
        jobs.append(released_job(supervisor, customer, part, [saw], due_days=30, setup=0, run=0))
    _sign_in(kiosk)
    url = reverse("kiosk_queue", args=[saw.pk])
    with django_assert_max_num_queries(14):
        page = kiosk.get(url)
    before = [row.job.number for row in page.context["queue"].ready]
    # A USB scanner types into the scan field; a tablet without one opens the camera scanner.
    html = page.content.decode()
    assert f'action="{reverse("jobs:scan")}"' in html
    assert f'href="{reverse("jobs:scan")}" data-scan-link>Camera</a>' in html
    last_op = jobs[-1].operations.get()
    dispatch_services.dispatch_move(
        user=supervisor, work_center=saw, operation=last_op, direction="top"
    )
    response = kiosk.get(url, headers={"HX-Request": "true", "X-Kiosk-Poll": "1"})
    after = re.findall(r'data-job="J-(\d+)"', response.content.decode())
    assert [int(n) for n in after] == [jobs[-1].number, *before[:2]]
    # The refresh answers only the queue fragment.
    assert b"<html" not in response.content and b'id="ki-queue"' in response.content


def test_other_shops_work_center_is_404(kiosk, other_job):
    _sign_in(kiosk)
    other_wc = other_job.operations.get().work_center
    assert kiosk.get(reverse("kiosk_queue", args=[other_wc.pk])).status_code == 404


def test_start_from_the_kiosk_queue_records_labor_for_the_operator(
    kiosk, released_job, operator, work_centers
):
    _sign_in(kiosk)
    saw = work_centers[0]
    queue_url = reverse("kiosk_queue", args=[saw.pk])
    page = kiosk.get(queue_url).content.decode()
    assert ">Start</button>" in page
    op = released_job.operations.order_by("sequence").first()
    response = kiosk.post(
        reverse("jobs:floor_action", args=[released_job.display_number]),
        {"operation": op.pk, "action": "start", "client_id": "kiosk-start-1", "next": queue_url},
    )
    assert response.status_code == 303 and response["Location"] == queue_url
    entry = LaborEntry.objects.get()
    assert entry.user == operator and entry.operation == op
    page = kiosk.get(queue_url).content.decode()
    assert "on it: Oscar Operator" in page and "You're on it" in page


def test_a_second_operator_joins_from_the_kiosk(kiosk, released_job, operator, shop, work_centers):
    petra = member(shop, Role.OPERATOR, username="petra", first_name="Petra", last_name="Press")
    _badge(petra, "102")
    op = released_job.operations.order_by("sequence").first()
    floor_services.floor_action(user=operator, operation=op, action="start", client_id="kiosk-0002")
    _sign_in(kiosk, badge="102")
    page = kiosk.get(reverse("kiosk_queue", args=[work_centers[0].pk])).content.decode()
    assert ">Join</button>" in page


def test_a_long_queue_shows_its_top_with_the_whole_count(
    kiosk, supervisor, customer, part, work_centers, django_assert_max_num_queries
):
    """A tablet polls every 10 s: it lists the first rows in run order, and says how many more."""
    from shopdesk.floor.kiosk import KIOSK_ROWS_SHOWN

    saw = work_centers[0]
    total = KIOSK_ROWS_SHOWN + 3
    for index in range(total):
        released_job(supervisor, customer, part, [saw], due_days=10 + index, setup=0, run=0)
    _sign_in(kiosk)
    with django_assert_max_num_queries(14):
        page = kiosk.get(reverse("kiosk_queue", args=[saw.pk]))
    html = page.content.decode()
    shown = [int(n) for n in re.findall(r'data-job="J-(\d+)"', html)]
    # Soonest due first: the first jobs made, in order.
    assert shown == list(range(1001, 1001 + KIOSK_ROWS_SHOWN))
    assert f"{total} ready" in html
    assert f"The first {KIOSK_ROWS_SHOWN} of {total}; the rest follow in the same order." in html


def test_the_queue_says_late_for_a_job_past_due_and_at_risk_for_one_that_will_be(
    kiosk, supervisor, customer, part, work_centers, django_assert_max_num_queries
):
    saw = work_centers[0]
    for days, run in ((-2, 1), (3, 600)):
        released_job(supervisor, customer, part, [saw], due_days=days, setup=0, run=run)
    _sign_in(kiosk)
    with django_assert_max_num_queries(14):
        html = kiosk.get(reverse("kiosk_queue", args=[saw.pk])).content.decode()
    rows = dict(
        re.findall(r'data-job="(J-\d+)".*?<span class="ki-jobmeta">(.*?)</span>', html, re.S)
    )
    assert "<b>late</b>" in rows["J-1001"] and "at risk" not in rows["J-1001"]
    # 100 h of work in at most three working days.
    assert "<b>at risk</b>" in rows["J-1002"] and "late" not in rows["J-1002"]


def test_on_their_own_phone_an_operator_gets_the_tiles_with_the_usual_sign_out(
    operator_client, kiosk, work_centers
):
    # Signed in as usual (not at a kiosk): the work center tiles are their start page, the
    # header leads to the jobs, signing out is the usual one and no idle timer runs.
    page = operator_client.get(reverse("kiosk_work_centers")).content.decode()
    assert f'action="{reverse("logout")}"' in page
    assert f'action="{reverse("kiosk_sign_out")}"' not in page
    assert f'href="{reverse("jobs:list")}">Jobs</a>' in page
    assert "ShopDesk kiosk" not in page
    assert 'data-kiosk-idle="0"' in page
    # At the tablet the badge screen, and the same page once signed in there, stay a kiosk,
    # with its sign-out back to the badge screen.
    badge_screen = kiosk.get(reverse("kiosk")).content.decode()
    assert "ShopDesk kiosk" in badge_screen and f'href="{reverse("home")}"' not in badge_screen
    _sign_in(kiosk)
    page = kiosk.get(reverse("kiosk_work_centers")).content.decode()
    assert f'action="{reverse("kiosk_sign_out")}"' in page
    assert "ShopDesk kiosk" in page
    assert f'href="{reverse("jobs:list")}">Jobs</a>' not in page


def test_the_tiles_page_lists_what_the_operator_is_on_and_nobody_elses(
    kiosk, released_job, operator, shop, work_centers, other_job, outsider
):
    _sign_in(kiosk)
    page = kiosk.get(reverse("kiosk_work_centers")).content.decode()
    assert "You're on" not in page

    saw = released_job.operations.order_by("sequence").first()
    floor_services.floor_action(user=operator, operation=saw, action="start", client_id="mine-0001")
    # Someone else's work, here and in another shop, is not this operator's.
    petra = member(shop, Role.OPERATOR, username="petra", first_name="Petra")
    floor_services.floor_action(user=petra, operation=saw, action="start", client_id="mine-0002")
    floor_services.floor_action(
        user=outsider,
        operation=other_job.operations.order_by("sequence").first(),
        action="start",
        client_id="mine-0003",
    )
    page = kiosk.get(reverse("kiosk_work_centers")).content.decode()
    mine = page.split('id="ki-mine-h"')[1].split("</section>")[0]
    floor_url = reverse("jobs:floor", args=[released_job.display_number])
    assert mine.count('class="ki-mineitem"') == 1
    assert f'href="{floor_url}"' in mine
    assert f"Op 1 {saw.name}" in mine and saw.work_center.name in mine
    started = timezone.localtime(LaborEntry.objects.get(user=operator).started_at)
    assert f"since {started:%H:%M} · 0 min" in mine
    # Left running since yesterday: the day is named too.
    yesterday = timezone.now() - datetime.timedelta(hours=26)
    LaborEntry.objects.filter(user=operator).update(started_at=yesterday)
    page = kiosk.get(reverse("kiosk_work_centers")).content.decode()
    assert f"since {timezone.localtime(yesterday):%a %H:%M} · 26 h" in page
    # Three people are on something, in two shops: only this operator's one is listed.
    assert LaborEntry.objects.filter(ended_at__isnull=True).count() == 3

    # Paused, it is no longer listed.
    floor_services.floor_action(user=operator, operation=saw, action="pause", client_id="mine-0004")
    assert "You're on" not in kiosk.get(reverse("kiosk_work_centers")).content.decode()


def test_the_badge_screen_tells_the_pad_the_shops_badge_and_pin_lengths(
    supervisor, operator, quality, kiosk
):
    # Set through the service, each PIN's length is kept (never the PIN).
    for person, badge in ((operator, "101"), (quality, "102")):
        membership_set_badge(
            user=supervisor,
            membership=Membership.objects.get(user=person),
            badge_number=badge,
            pin="48213",
        )
    assert Membership.objects.get(user=operator).pin_length == 5
    page = kiosk.get(reverse("kiosk")).content.decode()
    assert 'data-badge-length="3"' in page and 'data-pin-length="5"' in page

    # PINs of different lengths: the pad waits for "Sign in"; so it does for badges of
    # different lengths before the PIN.
    membership_set_badge(
        user=supervisor,
        membership=Membership.objects.get(user=quality),
        badge_number="1020",
        pin="4821",
    )
    page = kiosk.get(reverse("kiosk")).content.decode()
    assert 'data-badge-length="0"' in page and 'data-pin-length="0"' in page
    # Taken off the kiosk, a person's PIN length goes with the PIN.
    membership_set_badge(
        user=supervisor, membership=Membership.objects.get(user=quality), badge_number="", pin=""
    )
    assert Membership.objects.get(user=quality).pin_length is None
    page = kiosk.get(reverse("kiosk")).content.decode()
    assert 'data-badge-length="3"' in page and 'data-pin-length="5"' in page
