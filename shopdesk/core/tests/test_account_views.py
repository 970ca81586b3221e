"""The account page: profile, password change, API tokens (create once-shown, list, revoke)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopdesk.core import services as core_services
from shopdesk.core.models import ApiToken, Event, hash_token
from shopdesk.core.services import MAX_ACTIVE_TOKENS
from shopdesk.core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "deburr wheel 77 coolant"


def _form_id(client: Client) -> str:
    page = client.get(reverse("account")).content.decode()
    return re.search(r'name="form_id" value="([^"]+)"', page).group(1)


def _create_token(client: Client, name: str = "ERP sync") -> str:
    """Create a token through the page; answers the raw token shown once."""
    response = client.post(reverse("api_token_new"), {"name": name, "form_id": _form_id(client)})
    assert response.status_code == 302
    page = client.get(reverse("account")).content.decode()
    return re.search(r'id="raw-token">([^<]+)<', page).group(1)


@pytest.mark.parametrize(
    ("method", "url_name", "kwargs"),
    [
        ("get", "account", {}),
        ("get", "password_change", {}),
        ("post", "password_change", {}),
        ("post", "api_token_new", {}),
        ("post", "api_token_revoke", {"token_id": 1}),
    ],
)
def test_account_pages_need_sign_in(client, method, url_name, kwargs):
    url = reverse(url_name, kwargs=kwargs)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert ApiToken.objects.count() == 0


def test_account_page_shows_name_shop_and_role(supervisor_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = supervisor_client.get(reverse("account"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sam Supervisor" in page
    assert "Acme Machining" in page
    assert "Supervisor" in page and "plans and releases jobs" in page
    assert reverse("password_change") in page
    assert "No tokens yet" in page


def test_operator_role_is_shown_without_planning(operator_client):
    page = operator_client.get(reverse("account")).content.decode()
    assert "Operator" in page
    assert "plans and releases jobs" not in page


def test_create_token_shows_the_raw_token_once_and_stores_only_its_hash(
    supervisor_client, supervisor
):
    raw = _create_token(supervisor_client, "ERP sync")
    token = ApiToken.objects.get(user=supervisor)
    assert token.name == "ERP sync"
    assert raw.startswith("sd_")
    # What the person copied is what the API will check against.
    assert hash_token(raw) == token.key_hash
    assert raw not in (token.prefix, token.key_hash)
    assert raw.startswith(token.prefix)
    assert Event.objects.filter(kind="api_token.created", subject_id=token.pk).exists()

    again = supervisor_client.get(reverse("account")).content.decode()
    assert raw not in again
    assert f"{token.prefix}…" in again
    assert "ERP sync" in again


def test_page_with_the_new_token_is_not_cached(supervisor_client):
    supervisor_client.post(
        reverse("api_token_new"), {"name": "", "form_id": _form_id(supervisor_client)}
    )
    response = supervisor_client.get(reverse("account"))
    assert "no-store" in response["Cache-Control"]


def test_double_submit_creates_one_token(supervisor_client, supervisor):
    form_id = _form_id(supervisor_client)
    for _ in range(2):
        response = supervisor_client.post(
            reverse("api_token_new"), {"name": "Tablet", "form_id": form_id}
        )
        assert response.status_code == 302
    assert ApiToken.objects.filter(user=supervisor).count() == 1


@pytest.mark.parametrize(
    ("name", "form_id"),
    [
        ("x" * 81, "from-the-page"),
        ("ok", None),
        ("ok", "short"),
        ("ok", "../../etc/passwd-aaaaaaaaaaaa"),
    ],
)
def test_bad_token_input_answers_422_and_creates_nothing(supervisor_client, name, form_id):
    data = {"name": name}
    if form_id == "from-the-page":
        data["form_id"] = _form_id(supervisor_client)
    elif form_id is not None:
        data["form_id"] = form_id
    response = supervisor_client.post(reverse("api_token_new"), data)
    assert response.status_code == 422
    assert ApiToken.objects.count() == 0


def test_hostile_token_name_is_escaped(supervisor_client):
    _create_token(supervisor_client, "<img src=x onerror=alert(1)>")
    page = supervisor_client.get(reverse("account")).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_too_many_active_tokens_are_refused(supervisor_client, supervisor):
    for n in range(MAX_ACTIVE_TOKENS):
        core_services.api_token_create(user=supervisor, name=f"t{n}")
    response = supervisor_client.post(
        reverse("api_token_new"), {"name": "one more", "form_id": _form_id(supervisor_client)}
    )
    assert response.status_code == 409
    assert "Revoke one you no longer use" in response.content.decode()
    assert ApiToken.objects.filter(user=supervisor).count() == MAX_ACTIVE_TOKENS


def test_token_list_shows_prefix_last_use_and_revocation(
    supervisor_client, supervisor, django_assert_max_num_queries
):
    tokens = [core_services.api_token_create(user=supervisor, name=f"n{i}")[0] for i in range(15)]
    used = tokens[0]
    used.last_used_at = timezone.now()
    used.save()
    core_services.api_token_revoke(user=supervisor, token=tokens[1])
    with django_assert_max_num_queries(6):
        page = supervisor_client.get(reverse("account")).content.decode()
    for token in tokens:
        assert f"{token.prefix}…" in page
    assert page.count("never") == 14
    assert page.count("Revoked ") == 1
    assert page.count(">Revoke</button>") == 14
    # Active tokens first, the revoked one after them.
    assert page.index("Revoked ") > page.rindex(">Revoke</button>")


def test_revoke_own_token(supervisor_client, supervisor):
    raw = _create_token(supervisor_client)
    token = ApiToken.objects.get(user=supervisor)
    response = supervisor_client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "revoked. It no longer works." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.key_hash == hash_token(raw)
    assert Event.objects.filter(kind="api_token.revoked", subject_id=token.pk).count() == 1

    # A second submit changes nothing more.
    revoked_at = token.revoked_at
    again = supervisor_client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert "was already revoked" in again.content.decode()
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert Event.objects.filter(kind="api_token.revoked", subject_id=token.pk).count() == 1


def test_revoke_needs_post(supervisor_client, supervisor):
    token, _ = core_services.api_token_create(user=supervisor)
    assert supervisor_client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("whose", ["outsider", "owner"])
def test_revoking_someone_elses_token_is_404(supervisor_client, request, whose):
    other_user = request.getfixturevalue(whose)
    token, _ = core_services.api_token_create(user=other_user, name="theirs")
    response = supervisor_client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "theirs" not in supervisor_client.get(reverse("account")).content.decode()


def test_revoking_an_unknown_token_is_404(supervisor_client):
    assert supervisor_client.post(reverse("api_token_revoke", args=[999999])).status_code == 404


def test_password_change(supervisor_client, supervisor):
    page = supervisor_client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Change your password" in page.content.decode()
    response = supervisor_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    supervisor.refresh_from_db()
    assert supervisor.check_password(NEW_PASSWORD)
    # This session stays signed in.
    follow = supervisor_client.get(reverse("account"))
    assert follow.status_code == 200
    assert "Your password is changed." in follow.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            "Your old password was entered incorrectly",
        ),
        (
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "other"},
            "didn’t match",
        ),
        (
            {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
            "too common",
        ),
        ({}, "This field is required"),
    ],
)
def test_password_change_bad_input_answers_422_and_changes_nothing(
    supervisor_client, supervisor, data, message
):
    response = supervisor_client.post(reverse("password_change"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    supervisor.refresh_from_db()
    assert supervisor.check_password(PASSWORD)
