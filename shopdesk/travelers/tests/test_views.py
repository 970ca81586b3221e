"""Printing, viewing, revoking and scanning travelers through the views."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.core.models import Event
from shopdesk.core.tests.factories import PASSWORD
from shopdesk.travelers import services
from shopdesk.travelers.models import Traveler


@pytest.fixture
def traveler(released_job, supervisor):
    return services.traveler_print(user=supervisor, job=released_job)


def _print_url(number="J-1001"):
    return reverse("jobs:traveler_print", args=[number])


def _pdf_url(traveler, number=None):
    return reverse("jobs:traveler_pdf", args=[number or traveler.job.display_number, traveler.pk])


def _revoke_url(traveler, number=None):
    return reverse(
        "jobs:traveler_revoke", args=[number or traveler.job.display_number, traveler.pk]
    )


def _scan_url(token):
    return reverse("travelers:scan", args=[token])


# Printing ---------------------------------------------------------------------------------


def test_print_creates_a_traveler_and_opens_its_pdf(supervisor_client, released_job):
    response = supervisor_client.post(_print_url())
    traveler = Traveler.objects.get(job=released_job)
    assert response.status_code == 303
    assert response["Location"] == _pdf_url(traveler)
    assert Event.objects.filter(job=released_job, kind="traveler.printed").count() == 1


def test_print_twice_makes_two_tokens(supervisor_client, released_job):
    supervisor_client.post(_print_url())
    supervisor_client.post(_print_url())
    tokens = set(Traveler.objects.filter(job=released_job).values_list("token", flat=True))
    assert len(tokens) == 2


def test_double_submitted_print_form_prints_once(supervisor_client, released_job):
    first = supervisor_client.post(
        _print_url(), {"client_id": "5d0f7a8e-2b1c-4e3a-9f6d-0a1b2c3d4e5f"}
    )
    second = supervisor_client.post(
        _print_url(), {"client_id": "5d0f7a8e-2b1c-4e3a-9f6d-0a1b2c3d4e5f"}
    )
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert Traveler.objects.filter(job=released_job).count() == 1


def test_print_needs_post(supervisor_client, released_job):
    assert supervisor_client.get(_print_url()).status_code == 405
    assert not Traveler.objects.exists()


def test_operator_cannot_print(operator_client, released_job):
    response = operator_client.post(_print_url())
    assert response.status_code == 403
    assert "Only an owner, office or supervisor" in response.content.decode()
    assert not Traveler.objects.exists()


def test_print_of_closed_job_is_refused_with_the_reason(
    supervisor_client, supervisor, released_job
):
    from shopdesk.jobs import services as job_services

    job_services.job_close(user=supervisor, job=released_job, reason="Cancelled")
    response = supervisor_client.post(_print_url())
    assert response.status_code == 409
    assert "work still to do" in response.content.decode()
    assert not Traveler.objects.exists()


@pytest.mark.parametrize("number", ["J-999999", "abc", "J-1001x", "-1", "J-" + "9" * 40])
def test_print_of_unknown_job_is_404(supervisor_client, released_job, number):
    assert supervisor_client.post(_print_url(number)).status_code == 404
    assert not Traveler.objects.exists()


# The PDF ----------------------------------------------------------------------------------


def test_pdf_is_inline_with_a_named_file(supervisor_client, traveler):
    response = supervisor_client.get(_pdf_url(traveler))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="J-1001-traveler.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")


def test_any_shop_member_can_open_the_pdf(operator_client, traveler):
    assert operator_client.get(_pdf_url(traveler)).status_code == 200


def test_pdf_of_a_traveler_on_another_job_is_404(
    supervisor_client, supervisor, traveler, customer, part, work_centers
):
    from shopdesk.jobs import services as job_services

    other = job_services.job_create(
        user=supervisor,
        customer=customer,
        part=part,
        quantity=5,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
        operations=[{"work_center": work_centers[0], "name": "Saw"}],
    )
    assert supervisor_client.get(_pdf_url(traveler, other.display_number)).status_code == 404


@pytest.mark.parametrize("traveler_id", ["1000", "0", "9" * 19, "9" * 30])
def test_pdf_of_unknown_traveler_id_is_404(supervisor_client, traveler, traveler_id):
    response = supervisor_client.get(f"/jobs/J-1001/travelers/{traveler_id}.pdf")
    assert response.status_code == 404


def test_revoke_of_unknown_traveler_id_is_404(supervisor_client, traveler):
    assert supervisor_client.post(f"/jobs/J-1001/travelers/{'9' * 30}/revoke/").status_code == 404
    traveler.refresh_from_db()
    assert not traveler.is_revoked


def test_pdf_needs_sign_in(client, traveler):
    response = client.get(_pdf_url(traveler))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Revoking ---------------------------------------------------------------------------------


def test_revoke_stops_the_token_and_says_so(supervisor_client, traveler):
    response = supervisor_client.post(_revoke_url(traveler), follow=True)
    traveler.refresh_from_db()
    assert traveler.is_revoked
    assert response.redirect_chain[0] == (reverse("jobs:detail", args=["J-1001"]), 303)
    assert Event.objects.filter(job=traveler.job, kind="traveler.revoked").count() == 1


def test_revoke_twice_is_409_and_changes_nothing(supervisor_client, traveler):
    supervisor_client.post(_revoke_url(traveler))
    traveler.refresh_from_db()
    revoked_at = traveler.revoked_at
    response = supervisor_client.post(_revoke_url(traveler))
    assert response.status_code == 409
    assert "already revoked" in response.content.decode()
    traveler.refresh_from_db()
    assert traveler.revoked_at == revoked_at
    assert Event.objects.filter(kind="traveler.revoked").count() == 1


def test_operator_cannot_revoke(operator_client, traveler):
    assert operator_client.post(_revoke_url(traveler)).status_code == 403
    traveler.refresh_from_db()
    assert not traveler.is_revoked


def test_revoke_needs_post(supervisor_client, traveler):
    assert supervisor_client.get(_revoke_url(traveler)).status_code == 405
    traveler.refresh_from_db()
    assert not traveler.is_revoked


# Scanning ---------------------------------------------------------------------------------


def test_scan_shows_the_floor_page_of_the_job(operator_client, traveler):
    response = operator_client.get(_scan_url(traveler.token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "J-1001" in body and 'class="floor"' in body
    assert "A newer traveler was printed" not in body


def test_scan_needs_sign_in_and_comes_back(client, traveler, operator):
    url = _scan_url(traveler.token)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"

    response = client.post(
        reverse("login"), {"username": operator.username, "password": PASSWORD, "next": url}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.get(url).status_code == 200


def test_reprint_makes_a_new_token_and_the_old_one_says_a_newer_exists(
    operator_client, traveler, supervisor
):
    newer = services.traveler_print(user=supervisor, job=traveler.job)
    assert newer.token != traveler.token

    old = operator_client.get(_scan_url(traveler.token)).content.decode()
    assert "A newer traveler was printed" in old
    assert "this one still works" in old

    new = operator_client.get(_scan_url(newer.token)).content.decode()
    assert "A newer traveler was printed" not in new


def test_revoked_token_answers_410_with_a_clear_page(operator_client, traveler, supervisor):
    services.traveler_revoke(user=supervisor, traveler=traveler)
    response = operator_client.get(_scan_url(traveler.token))
    assert response.status_code == 410
    body = response.content.decode()
    assert "This traveler was revoked" in body
    assert "ask the office for a new print" in body
    # The floor actions are not offered on a revoked traveler.
    assert "floor/action" not in body


def test_other_shops_token_is_404_and_reveals_nothing(outsider_client, traveler):
    response = outsider_client.get(_scan_url(traveler.token))
    assert response.status_code == 404
    body = response.content.decode()
    assert "J-1001" not in body and "Northwind" not in body and "NP-220" not in body


@pytest.mark.parametrize(
    "token", ["unknown-token-000000000", "x", "a" * 41, "<script>", "%00", "../../etc/passwd"]
)
def test_unknown_token_is_404(operator_client, traveler, token):
    from urllib.parse import quote

    response = operator_client.get("/t/" + quote(token, safe="") + "/")
    assert response.status_code == 404


def test_scan_page_query_count(operator_client, traveler, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        assert operator_client.get(_scan_url(traveler.token)).status_code == 200


# Another shop -----------------------------------------------------------------------------


def _acme_routes(traveler, op):
    job = traveler.job.display_number
    gets = [_pdf_url(traveler), reverse("jobs:floor", args=[job])]
    posts = [
        (_print_url(job), {}),
        (_revoke_url(traveler), {}),
        (
            reverse("jobs:floor_action", args=[job]),
            {"operation": op.pk, "action": "start", "client_id": "outsider-0001"},
        ),
        (
            reverse("jobs:floor_blocker", args=[job]),
            {"kind": "material", "note": "x", "client_id": "outsider-0002"},
        ),
    ]
    return gets, posts


def _assert_acme_unchanged(traveler, op):
    traveler.refresh_from_db()
    op.refresh_from_db()
    assert not traveler.is_revoked
    assert Traveler.objects.filter(job=traveler.job).count() == 1
    assert op.status == "pending"
    assert not traveler.job.blockers.exists()


def test_outsider_gets_404_on_every_traveler_and_floor_route(outsider_client, traveler):
    op = traveler.job.operations.first()
    gets, posts = _acme_routes(traveler, op)
    for url in gets:
        response = outsider_client.get(url)
        assert response.status_code == 404, url
        assert b"Northwind" not in response.content
    for url, data in posts:
        assert outsider_client.post(url, data).status_code == 404, url
    _assert_acme_unchanged(traveler, op)


def test_outsider_with_the_same_job_number_cannot_reach_acmes_records(
    outsider_client, traveler, other_job
):
    # Both shops have a J-1001: the outsider's number must not open Acme's ids.
    assert other_job.display_number == traveler.job.display_number
    op = traveler.job.operations.first()
    assert outsider_client.get(_pdf_url(traveler)).status_code == 404
    assert outsider_client.post(_revoke_url(traveler)).status_code == 404
    response = outsider_client.post(
        reverse("jobs:floor_action", args=[other_job.display_number]),
        {"operation": op.pk, "action": "start", "client_id": "outsider-0003"},
    )
    assert response.status_code == 404
    response = outsider_client.post(
        reverse("jobs:floor_blocker", args=[other_job.display_number]),
        {"kind": "material", "operation": op.pk, "client_id": "outsider-0004"},
    )
    assert response.status_code == 404
    page = outsider_client.get(reverse("jobs:floor", args=[other_job.display_number]))
    assert b"Beta Customer" in page.content and b"Northwind" not in page.content
    _assert_acme_unchanged(traveler, op)
    assert not other_job.blockers.exists()


def test_signed_in_user_without_a_shop_sees_nothing_of_the_job(db, traveler, django_user_model):
    # Someone signed in who belongs to no shop is sent to the "no shop" page, whatever the
    # token: the answer does not tell a live traveler from a made-up one.
    user = django_user_model.objects.create_user("drifter", password=PASSWORD)
    client = Client()
    client.force_login(user)
    for token in (traveler.token, "made-up-token-0000000"):
        response = client.get(_scan_url(token))
        assert response.status_code == 303
        assert response["Location"] == reverse("no_shop")
