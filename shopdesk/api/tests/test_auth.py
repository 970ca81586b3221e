"""Who may call the API: bearer tokens and the browser session."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from shopdesk.core.models import ApiToken
from shopdesk.core.services import api_token_create, api_token_revoke
from shopdesk.core.tests.api_clients import ApiClient
from shopdesk.core.tests.factories import UserFactory
from shopdesk.jobs.models import Job


def test_no_token_is_401_with_the_error_shape(anonymous_api, planned_job):
    response = anonymous_api.get("/api/v1/jobs")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert "Authorization: Bearer" in body["detail"]
    assert body["errors"] == []


def test_no_token_on_a_write_is_401_and_creates_nothing(anonymous_api, customer, part):
    response = anonymous_api.post("/api/v1/jobs", {"customer": customer.pk, "part": part.pk})
    assert response.status_code == 401
    assert Job.objects.count() == 0


def test_a_wrong_token_is_401(planned_job):
    for header in (
        "Bearer sd_not-a-real-token",
        "Bearer ",
        "Basic c2FtOnB3",
        "Bearer " + "x" * 5000,
    ):
        response = Client().get("/api/v1/jobs", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_a_revoked_token_is_401(supervisor, planned_job):
    token, raw = api_token_create(user=supervisor)
    assert ApiClient(raw).get("/api/v1/jobs").status_code == 200
    api_token_revoke(user=supervisor, token=token)
    assert ApiClient(raw).get("/api/v1/jobs").status_code == 401


def test_a_token_of_someone_without_a_shop_is_401(db):
    _, raw = api_token_create(user=UserFactory())
    assert ApiClient(raw).get("/api/v1/jobs").status_code == 401


def test_a_token_of_a_deactivated_person_is_401(supervisor):
    _, raw = api_token_create(user=supervisor)
    supervisor.is_active = False
    supervisor.save()
    assert ApiClient(raw).get("/api/v1/jobs").status_code == 401


def test_the_token_records_its_last_use_at_most_once_a_minute(supervisor, planned_job):
    token, raw = api_token_create(user=supervisor)
    api = ApiClient(raw)
    assert api.get("/api/v1/jobs").status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    api.get("/api/v1/jobs")
    token.refresh_from_db()
    assert token.last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    api.get("/api/v1/jobs")
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_the_browser_session_reads(supervisor_client, planned_job):
    response = supervisor_client.get("/api/v1/jobs/J-1001")
    assert response.status_code == 200
    assert response.json()["number"] == "J-1001"


def test_a_session_write_needs_the_csrf_token(supervisor, planned_job):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    url = "/api/v1/jobs/J-1001"
    response = client.patch(url, '{"customer_po": "PO-9"}', content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    planned_job.refresh_from_db()
    assert planned_job.customer_po == "PO-4471"

    client.get("/api/v1/docs")  # sets the CSRF cookie, as the docs page does in a browser
    csrf = client.cookies["csrftoken"].value
    response = client.patch(
        url,
        '{"customer_po": "PO-9"}',
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    planned_job.refresh_from_db()
    assert planned_job.customer_po == "PO-9"


def test_a_bad_token_is_401_even_with_a_session(supervisor_client, planned_job):
    response = supervisor_client.get("/api/v1/jobs", headers={"Authorization": "Bearer sd_wrong"})
    assert response.status_code == 401


def test_the_outsiders_session_sees_nothing_of_acme(outsider_client, planned_job):
    assert outsider_client.get("/api/v1/jobs").json() == {"count": 0, "items": []}
    assert outsider_client.get("/api/v1/jobs/J-1001").status_code == 404


def test_an_unknown_api_path_is_a_json_404(supervisor_api):
    for path in ("/api/v1/nothing", "/api/v1/jobs/", "/api/v1/jobs/J-1001/nothing"):
        response = supervisor_api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found.", "errors": []}


def test_the_token_lookup_loads_what_the_orm_would(supervisor, shop):
    from shopdesk.api.auth import find_api_token
    from shopdesk.core.models import hash_token

    _, raw = api_token_create(user=supervisor, name="lookup")
    expected = ApiToken.objects.select_related("user__membership__shop").get(
        key_hash=hash_token(raw)
    )
    found = find_api_token(raw)
    pairs = (
        (expected, found),
        (expected.user, found.user),
        (expected.user.membership, found.user.membership),
        (expected.user.membership.shop, found.user.membership.shop),
    )
    for want, got in pairs:
        assert type(got) is type(want)
        for field in type(want)._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name
        assert not got._state.adding
    assert found.user.membership.shop == shop
    assert find_api_token(raw + "x") is None


def test_the_token_lookup_is_one_query(supervisor, django_assert_num_queries):
    from shopdesk.api.auth import find_api_token

    _, raw = api_token_create(user=supervisor, name="lookup")
    with django_assert_num_queries(1):
        found = find_api_token(raw)
        # The user, membership and shop come with it.
        assert found.user.membership.shop.name
        assert found.user.membership.role == supervisor.membership.role
