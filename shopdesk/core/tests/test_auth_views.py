"""Signing in and out, the login rate limit, password reset, the landing page and health."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from shopdesk.core import ratelimit
from shopdesk.core.models import Role
from shopdesk.core.tests.factories import PASSWORD, UserFactory, member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lathe turret 42 spindle"


def _login(client: Client, username: str, password: str, **extra) -> object:
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_login_page_renders_the_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in to ShopDesk" in page
    assert 'name="username"' in page and 'name="password"' in page
    assert reverse("password_reset") in page


def test_login_with_the_right_password_signs_in_and_shows_the_shop(client, supervisor):
    response = _login(client, "sam", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:dashboard")
    assert client.session["_auth_user_id"] == str(supervisor.pk)
    # The greeting names the shop; the account page (any page) shows it in the top bar.
    page = client.get(reverse("account")).content.decode()
    assert "Signed in to Acme Machining as Sam Supervisor." in page
    assert '<span class="shopname">Acme Machining</span>' in page


def test_login_follows_a_safe_next_but_not_another_site(client, supervisor):
    response = client.post(
        reverse("login") + "?next=/customers/", {"username": "sam", "password": PASSWORD}
    )
    assert response["Location"] == "/customers/"
    client.logout()
    response = client.post(
        reverse("login"),
        {"username": "sam", "password": PASSWORD, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("jobs:dashboard")


def test_wrong_password_shows_a_form_error_and_signs_nobody_in(client, supervisor):
    response = _login(client, "sam", "not the password")
    assert response.status_code == 422
    assert "That username and password do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "", "password": ""},
        {"username": "sam"},
        {"username": "x" * 5000, "password": "p"},
        {"username": "<script>alert(1)</script>", "password": "' OR 1=1 --"},
    ],
)
def test_bad_login_input_answers_422_and_escapes_what_was_typed(client, supervisor, data):
    response = client.post(reverse("login"), data)
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_account_without_a_shop_cannot_sign_in(client):
    UserFactory(username="drifter")
    response = _login(client, "drifter", PASSWORD)
    assert response.status_code == 422
    assert "does not belong to a shop" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signed_in_person_visiting_login_goes_to_their_start_page(supervisor_client):
    response = supervisor_client.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:dashboard")


def test_the_eleventh_failed_attempt_is_refused_even_with_the_right_password(
    client, supervisor, settings, monkeypatch
):
    settings.LOGIN_RATE_LIMIT = 10
    settings.LOGIN_RATE_WINDOW = 300
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "now", lambda: clock[0])
    for _ in range(10):
        assert _login(client, "sam", "wrong").status_code == 422

    refused = _login(client, "sam", "wrong")
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert int(refused["Retry-After"]) == 300

    # The right password does not help while the window lasts: nothing is even checked.
    refused = _login(client, "sam", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session

    clock[0] += 301
    assert _login(client, "sam", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(supervisor.pk)


def test_the_limit_counts_per_username_from_one_address(client, supervisor, settings):
    settings.LOGIN_RATE_LIMIT = 3
    for _ in range(3):
        _login(client, "sam", "wrong", REMOTE_ADDR="10.0.0.1")
    assert _login(client, "sam", PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 429


def test_the_limit_counts_per_address_across_usernames(client, supervisor, settings):
    settings.LOGIN_RATE_LIMIT_PER_ADDRESS = 3
    for name in ("alice", "bob", "carol"):
        _login(client, name, "wrong", REMOTE_ADDR="10.9.9.9")
    assert _login(client, "sam", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429
    # Another address is not affected.
    assert _login(client, "sam", PASSWORD, REMOTE_ADDR="10.9.9.10").status_code == 302


def test_a_successful_login_clears_the_count_from_its_address(client, supervisor, settings):
    settings.LOGIN_RATE_LIMIT = 3
    for _ in range(2):
        _login(client, "sam", "wrong", REMOTE_ADDR="10.1.0.1")
    assert _login(client, "sam", PASSWORD, REMOTE_ADDR="10.1.0.1").status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, "sam", "wrong", REMOTE_ADDR="10.1.0.1")
    # Two failures since the success: still under the limit of three.
    assert _login(client, "sam", PASSWORD, REMOTE_ADDR="10.1.0.1").status_code == 302


def test_usernames_are_counted_case_insensitively(client, supervisor, settings):
    settings.LOGIN_RATE_LIMIT = 2
    _login(client, "SAM", "wrong", REMOTE_ADDR="10.2.0.1")
    _login(client, "Sam", "wrong", REMOTE_ADDR="10.2.0.1")
    assert _login(client, "sam", PASSWORD, REMOTE_ADDR="10.2.0.1").status_code == 429


def test_logout_needs_post(supervisor_client):
    response = supervisor_client.get(reverse("logout"))
    assert response.status_code == 405
    assert "_auth_user_id" in supervisor_client.session

    response = supervisor_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in supervisor_client.session
    assert supervisor_client.get(reverse("account")).status_code == 302


def test_logout_when_not_signed_in_just_goes_to_login(client):
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_home_sends_each_role_to_its_start_page_or_to_sign_in(client, shop):
    assert client.get("/")["Location"] == reverse("login")
    starts = {
        Role.OPERATOR: reverse("kiosk_work_centers"),
        Role.SUPERVISOR: reverse("jobs:dashboard"),
        Role.OWNER: reverse("jobs:dashboard"),
        Role.OFFICE: reverse("jobs:list"),
        Role.QUALITY: reverse("jobs:list"),
        Role.SHIPPING: reverse("jobs:list"),
    }
    for role, start in starts.items():
        person = member(shop, role, username=f"home-{role}")
        browser = Client()
        browser.force_login(person)
        assert browser.get("/")["Location"] == start, role
        # Signing in with no page asked for lands there too, without the hop through "/".
        browser.logout()
        response = _login(browser, f"home-{role}", PASSWORD)
        assert response["Location"] == start, role
        assert browser.get(start).status_code == 200, role


def test_the_login_form_carries_only_a_page_that_was_asked_for(client):
    assert 'name="next" value=""' in client.get(reverse("login")).content.decode()
    page = client.get(reverse("login") + "?next=/parts/").content.decode()
    assert 'name="next" value="/parts/"' in page
    page = client.get(reverse("login") + "?next=https://evil.example.com/").content.decode()
    assert 'name="next" value=""' in page


def test_password_reset_sends_a_link_that_sets_a_new_password(client, supervisor):
    response = client.post(reverse("password_reset"), {"email": supervisor.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [supervisor.email]
    assert email.subject == "Reset your ShopDesk password"
    assert "Acme Machining" in email.body
    html = email.alternatives[0][0]
    assert "Choose a new password" in html
    link = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", email.body).group(1)
    assert link in html

    # Django moves the token out of the URL into the session, then shows the form.
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    page = client.get(form_url)
    assert "Choose a new password" in page.content.decode()

    mismatch = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatch.status_code == 422
    supervisor.refresh_from_db()
    assert supervisor.check_password(PASSWORD)

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    supervisor.refresh_from_db()
    assert supervisor.check_password(NEW_PASSWORD)
    assert "new password is set" in client.get(reverse("password_reset_complete")).content.decode()

    # The link works once.
    used = client.get(link, follow=True)
    assert "This link no longer works" in used.content.decode()
    assert (
        Client().post(reverse("login"), {"username": "sam", "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_password_reset_answers_sent_for_an_unknown_email_and_sends_nothing(client, supervisor):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    assert "Check your email" in client.get(reverse("password_reset_done")).content.decode()


@pytest.mark.parametrize("email", ["", "not-an-email", "a" * 300 + "@example.com"])
def test_password_reset_bad_email_answers_422_and_sends_nothing(client, supervisor, email):
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 422
    assert mail.outbox == []


def test_password_reset_requests_are_rate_limited_per_address(client, supervisor, settings):
    settings.PASSWORD_RESET_LIMIT = 2
    for _ in range(2):
        client.post(reverse("password_reset"), {"email": supervisor.email}, REMOTE_ADDR="10.5.0.1")
    response = client.post(
        reverse("password_reset"), {"email": supervisor.email}, REMOTE_ADDR="10.5.0.1"
    )
    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_a_forged_reset_link_is_refused(client, supervisor):
    response = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-123"})
    )
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()
    supervisor.refresh_from_db()
    assert supervisor.check_password(PASSWORD)


def test_healthz_answers_ok_without_signing_in(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert client.post(reverse("healthz")).status_code == 405


def test_unknown_page_shows_the_product_404(client, supervisor_client):
    response = supervisor_client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Nothing here" in page
    assert "Acme Machining" in page  # the product's own top bar, not Django's plain page
