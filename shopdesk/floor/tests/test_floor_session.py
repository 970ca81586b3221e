"""A kiosk sign-in (badge and PIN) is a floor session: floor work only, whoever signs in.

A four-digit PIN typed on a shared tablet must not open what a password opens: people and
badges, planning, releasing past the gate, floor settings, API tokens. The refusal lives in
the permissions layer, so the pages and the API (with the session cookie) refuse alike.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from shopdesk.core.models import ApiToken, Membership
from shopdesk.core.tests.factories import PASSWORD
from shopdesk.floor.kiosk import KIOSK_COOKIE
from shopdesk.floor.tests.test_kiosk import PIN, _badge, _sign_in
from shopdesk.jobs.models import JobState, LaborEntry


@pytest.fixture
def tablet(supervisor, operator):
    """A tablet enrolled by the supervisor for Acme; Oscar has badge 101."""
    _badge(operator, "101")
    client = Client()
    client.force_login(supervisor)
    response = client.post(reverse("kiosk_setup"), {"action": "enroll"})
    assert KIOSK_COOKIE in response.cookies
    return client


@pytest.fixture
def supervisor_at_kiosk(tablet, supervisor):
    """The kiosk tablet, signed in by Sam the supervisor with his badge 900 and PIN."""
    _badge(supervisor, "900")
    assert _sign_in(tablet, badge="900").status_code == 302
    assert int(tablet.session["_auth_user_id"]) == supervisor.pk
    return tablet


def test_the_people_page_and_badges_need_the_password(supervisor_at_kiosk, operator):
    page = supervisor_at_kiosk.get(reverse("people"))
    assert page.status_code == 403
    body = page.content.decode()
    assert "101" not in body  # no badge numbers
    assert "badge and PIN" in body and "Sign in with your password" in body
    target = Membership.objects.get(user=operator)
    response = supervisor_at_kiosk.post(
        reverse("person_badge", args=[target.pk]), {"badge_number": "555", "pin": "1234"}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.badge_number == "101"


def test_floor_settings_need_the_password(supervisor_at_kiosk, shop):
    response = supervisor_at_kiosk.post(
        reverse("floor_settings"), {"shift_end_time": "01:00", "kiosk_idle_minutes": "120"}
    )
    assert response.status_code == 403
    shop.refresh_from_db()
    assert shop.kiosk_idle_minutes == 5 and shop.shift_end_time is None


def test_a_release_past_the_gate_needs_the_password(supervisor_at_kiosk, planned_job):
    response = supervisor_at_kiosk.post(
        reverse("jobs:release", args=[planned_job.display_number]),
        {"override": "1", "override_reason": "customer is waiting"},
    )
    assert response.status_code == 403
    planned_job.refresh_from_db()
    assert planned_job.state == JobState.PLANNED


def test_the_api_with_the_kiosk_session_refuses_office_work(supervisor_at_kiosk, planned_job):
    response = supervisor_at_kiosk.post(
        f"/api/v1/jobs/{planned_job.display_number}/release",
        data=json.dumps({"override_reason": "rush"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "badge and PIN" in response.json()["detail"]
    planned_job.refresh_from_db()
    assert planned_job.state == JobState.PLANNED
    # Reading is floor work: the job is there.
    assert supervisor_at_kiosk.get(f"/api/v1/jobs/{planned_job.display_number}").status_code == 200


def test_no_api_token_from_a_kiosk_session(supervisor_at_kiosk, supervisor):
    response = supervisor_at_kiosk.post(
        reverse("api_token_new"), {"name": "mine", "form_id": "a" * 20}
    )
    assert response.status_code == 403
    assert "badge and PIN" in response.content.decode()
    assert not ApiToken.objects.filter(user=supervisor).exists()
    page = supervisor_at_kiosk.get(reverse("account")).content.decode()
    assert "Create token" not in page and "Sign in with your password" in page


def test_no_new_kiosk_enrollment_from_a_kiosk_session(supervisor_at_kiosk):
    response = supervisor_at_kiosk.post(reverse("kiosk_setup"), {"action": "enroll"})
    assert response.status_code == 403
    assert "Sign in with your password" in response.content.decode()


def test_the_supervisor_at_the_kiosk_still_does_floor_work(
    supervisor_at_kiosk, supervisor, released_job, work_centers
):
    assert supervisor_at_kiosk.get(reverse("home"))["Location"] == reverse("kiosk_work_centers")
    saw = work_centers[0]
    queue_url = reverse("kiosk_queue", args=[saw.pk])
    assert supervisor_at_kiosk.get(queue_url).status_code == 200
    op = released_job.operations.order_by("sequence").first()
    response = supervisor_at_kiosk.post(
        reverse("jobs:floor_action", args=[released_job.display_number]),
        {"operation": op.pk, "action": "start", "client_id": "kiosk-sup-1", "next": queue_url},
    )
    assert response.status_code == 303
    assert LaborEntry.objects.get().user == supervisor
    # The office navigation is not offered to a floor session.
    page = supervisor_at_kiosk.get(reverse("jobs:list")).content.decode()
    assert reverse("people") not in page


def test_the_password_opens_the_office_again(supervisor_at_kiosk, supervisor):
    # The sign-in form is shown to a kiosk session instead of bouncing it back.
    form = supervisor_at_kiosk.get(reverse("login") + "?next=/people/")
    assert form.status_code == 200
    assert 'value="sam"' in form.content.decode()  # only the password to type
    response = supervisor_at_kiosk.post(
        reverse("login"), {"username": "sam", "password": PASSWORD, "next": "/people/"}
    )
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert supervisor_at_kiosk.get(reverse("people")).status_code == 200


def test_an_owner_at_the_kiosk_is_on_the_floor_too(tablet, owner):
    _badge(owner, "1", pin=PIN)
    assert _sign_in(tablet, badge="1").status_code == 302
    assert tablet.get(reverse("people")).status_code == 403
    assert tablet.get(reverse("jobs:create")).status_code == 403


def test_a_password_session_keeps_its_powers(supervisor_client):
    assert supervisor_client.get(reverse("people")).status_code == 200


@pytest.mark.parametrize("persona", ["operator", "quality"])
def test_people_who_set_no_badges_do_not_read_them(request, persona, operator):
    _badge(operator, "4242")
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("people"))
    assert response.status_code == 403
    assert "4242" not in response.content.decode()
