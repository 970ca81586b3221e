"""The shop's largest document upload: set by an owner or supervisor from the parts list."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shopdesk.core.models import Event, Role, Shop
from shopdesk.core.tests.factories import member

URL = reverse("parts:upload_limit")


def test_a_supervisor_sees_the_limit_on_the_parts_list_and_changes_it(supervisor_client, shop):
    page = supervisor_client.get(reverse("parts:list")).content.decode()
    assert 'name="upload_limit_mb"' in page and 'value="100"' in page

    response = supervisor_client.post(URL, {"upload_limit_mb": "25"})

    assert response.status_code == 303
    shop.refresh_from_db()
    assert shop.upload_limit_mb == 25
    event = Event.objects.get(kind="shop.upload_limit")
    assert event.before == {"upload_limit_mb": 100} and event.after == {"upload_limit_mb": 25}
    follow = supervisor_client.get(response["Location"]).content.decode()
    assert "Documents up to 25 MB are accepted now." in follow


def test_the_new_limit_is_what_the_upload_area_offers(supervisor_client, shop, part):
    supervisor_client.post(URL, {"upload_limit_mb": "7"})
    page = supervisor_client.get(reverse("parts:detail", args=[part.pk])).content.decode()
    assert "Uploads up to 7 MB each." in page


@pytest.mark.parametrize(
    "value", ["", "0", "-5", "2049", "99999999", "1.5", "ten", "5; DROP TABLE", "\x00", "1e3"]
)
def test_bad_limits_are_refused_with_422_and_change_nothing(supervisor_client, shop, value):
    response = supervisor_client.post(URL, {"upload_limit_mb": value})
    assert response.status_code == 422
    assert "megabytes" in response.content.decode()
    assert Shop.objects.get(pk=shop.pk).upload_limit_mb == 100
    assert not Event.objects.filter(kind="shop.upload_limit").exists()


@pytest.mark.parametrize("role", [Role.OFFICE, Role.OPERATOR, Role.QUALITY])
def test_other_roles_cannot_change_it_and_do_not_see_the_form(shop, role):
    client = Client()
    client.force_login(member(shop, role))
    assert 'name="upload_limit_mb"' not in client.get(reverse("parts:list")).content.decode()
    response = client.post(URL, {"upload_limit_mb": "5"})
    assert response.status_code == 403
    assert Shop.objects.get(pk=shop.pk).upload_limit_mb == 100


def test_an_outsider_changes_only_their_own_shop(outsider_client, shop, other_shop):
    outsider_client.post(URL, {"upload_limit_mb": "3"})
    assert Shop.objects.get(pk=shop.pk).upload_limit_mb == 100
    assert Shop.objects.get(pk=other_shop.pk).upload_limit_mb == 3


def test_get_is_not_allowed_and_signed_out_is_sent_to_sign_in(supervisor_client, client):
    assert supervisor_client.get(URL).status_code == 405
    response = client.post(URL, {"upload_limit_mb": "5"})
    assert response.status_code == 302 and "/login/" in response["Location"]
