"""The People page and membership_set_badge: badge numbers and PINs set by a supervisor."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse

from shopdesk.core.errors import InvalidInput, PermissionRefused
from shopdesk.core.models import Event, Membership
from shopdesk.core.services import membership_set_badge


def _m(user) -> Membership:
    return Membership.objects.get(user=user)


def test_supervisor_sets_badge_and_pin_hashed(supervisor, operator):
    membership_set_badge(user=supervisor, membership=_m(operator), badge_number="101", pin="4821")
    membership = _m(operator)
    assert membership.badge_number == "101"
    assert membership.pin_hash and "4821" not in membership.pin_hash
    assert check_password("4821", membership.pin_hash)
    event = Event.objects.get(kind="membership.badge_set")
    assert event.actor == supervisor
    assert "4821" not in str(event.before) + str(event.after) + event.summary
    assert event.after == {"badge_number": "101", "pin_set": True, "pin_changed": True}


def test_blank_pin_keeps_the_pin_and_blank_badge_clears_both(supervisor, operator):
    membership_set_badge(user=supervisor, membership=_m(operator), badge_number="101", pin="4821")
    old_hash = _m(operator).pin_hash
    membership_set_badge(user=supervisor, membership=_m(operator), badge_number="102", pin="")
    assert _m(operator).badge_number == "102" and _m(operator).pin_hash == old_hash
    membership_set_badge(user=supervisor, membership=_m(operator), badge_number="", pin="")
    assert _m(operator).badge_number == "" and _m(operator).pin_hash == ""


@pytest.mark.parametrize(
    ("badge", "pin", "field"),
    [
        ("101", "123", "pin"),
        ("101", "123456789", "pin"),
        ("101", "12a4", "pin"),
        ("101", "", "pin"),  # no PIN set yet
        ("10 1", "1234", "badge_number"),
        ("x" * 21, "1234", "badge_number"),
        ("<script>", "1234", "badge_number"),
        ("", "1234", "badge_number"),
    ],
)
def test_bad_badge_or_pin_is_refused_and_changes_nothing(supervisor, operator, badge, pin, field):
    with pytest.raises(InvalidInput) as caught:
        membership_set_badge(user=supervisor, membership=_m(operator), badge_number=badge, pin=pin)
    assert caught.value.field == field
    assert _m(operator).badge_number == "" and _m(operator).pin_hash == ""
    assert not Event.objects.filter(kind="membership.badge_set").exists()


def test_badge_unique_in_the_shop_not_across_shops(supervisor, operator, quality, outsider):
    membership_set_badge(user=supervisor, membership=_m(operator), badge_number="101", pin="1111")
    with pytest.raises(InvalidInput, match="already Oscar Operator's"):
        membership_set_badge(
            user=supervisor, membership=_m(quality), badge_number="101", pin="2222"
        )
    # Another shop may use the same number.
    membership_set_badge(user=outsider, membership=_m(outsider), badge_number="101", pin="3333")
    assert _m(outsider).badge_number == "101"


def test_only_owners_and_supervisors_set_badges(operator, quality, owner):
    with pytest.raises(PermissionRefused):
        membership_set_badge(user=operator, membership=_m(quality), badge_number="7", pin="1234")
    membership_set_badge(user=owner, membership=_m(quality), badge_number="7", pin="1234")


def test_another_shops_member_is_refused(supervisor, outsider):
    with pytest.raises(PermissionRefused):
        membership_set_badge(user=supervisor, membership=_m(outsider), badge_number="9", pin="1234")
    assert _m(outsider).badge_number == ""


def test_people_page_lists_people_and_sets_a_badge(
    supervisor_client, operator, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = supervisor_client.get(reverse("people"))
    body = response.content.decode()
    assert response.status_code == 200 and "Oscar Operator" in body and "Not set" in body
    membership = _m(operator)
    response = supervisor_client.post(
        reverse("person_badge", args=[membership.pk]), {"badge_number": "101", "pin": "4821"}
    )
    assert response.status_code == 302
    page = supervisor_client.get(reverse("people")).content.decode()
    assert "Oscar Operator signs in at the kiosk with badge 101." in page
    assert "4821" not in page


def test_people_page_shows_the_error_on_the_row(supervisor_client, operator):
    membership = _m(operator)
    response = supervisor_client.post(
        reverse("person_badge", args=[membership.pk]), {"badge_number": "101", "pin": "12"}
    )
    assert response.status_code == 422
    assert "A PIN is 4 to 8 digits." in response.content.decode()
    assert _m(operator).pin_hash == ""


def test_people_page_other_shop_is_404_and_operator_is_403(
    supervisor_client, operator_client, outsider, quality
):
    response = supervisor_client.post(
        reverse("person_badge", args=[_m(outsider).pk]), {"badge_number": "5", "pin": "1234"}
    )
    assert response.status_code == 404
    assert _m(outsider).badge_number == ""
    response = operator_client.post(
        reverse("person_badge", args=[_m(quality).pk]), {"badge_number": "5", "pin": "1234"}
    )
    assert response.status_code == 403
    # Operators do not see the page: badge numbers are half of a kiosk sign-in.
    response = operator_client.get(reverse("people"))
    assert response.status_code == 403
    assert "New PIN" not in response.content.decode()


def test_people_page_needs_sign_in():
    response = Client().get(reverse("people"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_floor_settings_set_shift_end_and_idle_minutes(supervisor_client, shop):
    response = supervisor_client.post(
        reverse("floor_settings"), {"shift_end_time": "16:30", "kiosk_idle_minutes": "3"}
    )
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.shift_end_time.strftime("%H:%M") == "16:30" and shop.kiosk_idle_minutes == 3
    event = Event.objects.get(kind="shop.floor_settings")
    assert event.after == {"shift_end_time": "16:30:00", "kiosk_idle_minutes": 3}
    page = supervisor_client.get(reverse("people")).content.decode()
    assert "Open labor pauses at 16:30 each day" in page
    # Blank clears the shift end.
    supervisor_client.post(
        reverse("floor_settings"), {"shift_end_time": "", "kiosk_idle_minutes": "5"}
    )
    shop.refresh_from_db()
    assert shop.shift_end_time is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"shift_end_time": "25:00", "kiosk_idle_minutes": "5"}, "like 16:30"),
        ({"shift_end_time": "4pm", "kiosk_idle_minutes": "5"}, "like 16:30"),
        ({"shift_end_time": "16:30", "kiosk_idle_minutes": "0"}, "1 to 120"),
        ({"shift_end_time": "16:30", "kiosk_idle_minutes": "121"}, "1 to 120"),
        ({"shift_end_time": "16:30", "kiosk_idle_minutes": "-1"}, "1 to 120"),
        ({"shift_end_time": "16:30"}, "1 to 120"),
    ],
)
def test_floor_settings_bad_input_changes_nothing(supervisor_client, shop, values, message):
    response = supervisor_client.post(reverse("floor_settings"), values)
    assert response.status_code == 422
    assert message in response.content.decode()
    shop.refresh_from_db()
    assert shop.shift_end_time is None and shop.kiosk_idle_minutes == 5
    assert not Event.objects.filter(kind="shop.floor_settings").exists()


def test_floor_settings_operator_refused(operator_client, shop):
    response = operator_client.post(
        reverse("floor_settings"), {"shift_end_time": "16:30", "kiosk_idle_minutes": "5"}
    )
    assert response.status_code == 403
    shop.refresh_from_db()
    assert shop.shift_end_time is None


def test_floor_settings_only_touch_the_callers_shop(outsider_client, shop, other_shop):
    outsider_client.post(
        reverse("floor_settings"), {"shift_end_time": "12:00", "kiosk_idle_minutes": "9"}
    )
    shop.refresh_from_db()
    other_shop.refresh_from_db()
    assert shop.shift_end_time is None and other_shop.kiosk_idle_minutes == 9
