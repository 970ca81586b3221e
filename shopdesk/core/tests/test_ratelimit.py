"""Guessing is slowed; the owner is not locked out by whoever guesses.

Sam is the owner of the account under attack; the attacker knows his username and email.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from shopdesk.core import ratelimit
from shopdesk.core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.7"
OFFICE = "203.0.113.20"  # the shop's own address (its router)
PROXY = "127.0.0.1"  # a reverse proxy on the same machine
NEW_PASSWORD = "lathe turret 42 spindle"


def _login(client: Client, username: str, password: str, **extra) -> object:
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _attack(username: str = "sam", times: int = 10, **extra) -> Client:
    attacker = Client()
    for _ in range(times):
        assert _login(attacker, username, "guess", **extra).status_code in (422, 429)
    return attacker


def _known_browser(address: str) -> Client:
    """Sam's own browser: he signed in with it before, then signed out (the cookie stays)."""
    browser = Client()
    assert _login(browser, "sam", PASSWORD, REMOTE_ADDR=address).status_code == 302
    assert ratelimit.KNOWN_DEVICE_COOKIE in browser.cookies
    browser.post(reverse("logout"))
    assert "_auth_user_id" not in browser.session
    return browser


# ------------------------------------------------------------------- the password form


def test_the_attacker_is_refused_even_with_the_right_password(supervisor, settings):
    settings.LOGIN_RATE_LIMIT = 10
    attacker = _attack(REMOTE_ADDR=ATTACKER)
    refused = _login(attacker, "sam", PASSWORD, REMOTE_ADDR=ATTACKER)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "_auth_user_id" not in attacker.session


def test_the_owner_signs_in_from_another_address_while_the_attacker_is_refused(supervisor):
    _attack(REMOTE_ADDR=ATTACKER)
    owner = Client()
    response = _login(owner, "sam", PASSWORD, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(supervisor.pk)


def test_the_owners_known_browser_signs_in_from_the_attackers_address(supervisor):
    # The attacker shares the shop's address (the same router, or the same proxy).
    browser = _known_browser(OFFICE)
    _attack(REMOTE_ADDR=OFFICE)
    assert _login(Client(), "sam", PASSWORD, REMOTE_ADDR=OFFICE).status_code == 429
    assert _login(browser, "sam", PASSWORD, REMOTE_ADDR=OFFICE).status_code == 302


def test_many_addresses_together_are_slowed_but_the_known_browser_still_signs_in(
    supervisor, settings
):
    settings.LOGIN_RATE_LIMIT = 10
    settings.LOGIN_RATE_LIMIT_PER_USER = 30
    browser = _known_browser(OFFICE)
    for n in range(3):
        _attack(REMOTE_ADDR=f"198.51.100.{n + 1}")
    # A fourth address gets no tries at the account: the account's count is full.
    assert _login(Client(), "sam", "guess", REMOTE_ADDR="198.51.100.99").status_code == 429
    assert _login(browser, "sam", PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 302


def test_a_known_browser_has_its_own_limit(supervisor, settings):
    settings.LOGIN_RATE_LIMIT = 3
    browser = _known_browser(OFFICE)
    for _ in range(3):
        assert _login(browser, "sam", "typo", REMOTE_ADDR=OFFICE).status_code == 422
    assert _login(browser, "sam", PASSWORD, REMOTE_ADDR=OFFICE).status_code == 429


def test_a_browser_known_to_one_account_is_a_stranger_to_another(supervisor, operator, settings):
    settings.LOGIN_RATE_LIMIT = 3
    # The attacker is Oscar, who signs in to his own account and then guesses Sam's.
    attacker = Client()
    assert _login(attacker, "oscar", PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302
    attacker.post(reverse("logout"))
    for _ in range(3):
        _login(attacker, "sam", "guess", REMOTE_ADDR=ATTACKER)
    assert _login(attacker, "sam", PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429


def test_a_forged_device_cookie_is_a_stranger(supervisor, settings):
    settings.LOGIN_RATE_LIMIT = 3
    attacker = Client()
    tag = ratelimit._account_tag("sam")
    attacker.cookies[ratelimit.KNOWN_DEVICE_COOKIE] = f"{tag}:made-up"  # not signed
    for _ in range(3):
        _login(attacker, "sam", "guess", REMOTE_ADDR=ATTACKER)
    assert _login(attacker, "sam", PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429


# ------------------------------------------------------------------- the client address


def test_a_forwarded_for_header_is_not_believed_without_a_configured_proxy(supervisor, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    attacker = Client()
    for n in range(10):
        _login(attacker, "sam", "guess", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    fresh_claim = _login(
        attacker, "sam", PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="10.0.0.200"
    )
    assert fresh_claim.status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_apart(supervisor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Every request arrives from the proxy; the proxy appends the address it saw.
    for n in range(10):
        _login(
            Client(),
            "sam",
            "guess",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, {ATTACKER}",  # left part written by the attacker
        )
    assert (
        _login(Client(), "sam", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    ).status_code == 429
    owner = _login(Client(), "sam", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE)
    assert owner.status_code == 302


@pytest.mark.parametrize(
    ("count", "remote", "header", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.1", "192.0.2.1"),  # not configured: never believed
        (1, "127.0.0.1", "10.0.0.1", "10.0.0.1"),
        (1, "127.0.0.1", "6.6.6.6, 10.0.0.1", "10.0.0.1"),  # the client's own part ignored
        (2, "127.0.0.1", "6.6.6.6, 10.0.0.1, 172.16.0.2", "10.0.0.1"),  # two proxies
        (2, "127.0.0.1", "10.0.0.1", "127.0.0.1"),  # shorter than the proxies: not trusted
        (1, "127.0.0.1", "not-an-address", "127.0.0.1"),
        (1, "127.0.0.1", "", "127.0.0.1"),
        (1, "127.0.0.1", " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip(settings, count, remote, header, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=header)
    assert ratelimit.client_ip(request) == expected


def test_another_trusted_header_name(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert ratelimit.client_ip(request) == "10.1.2.3"


def test_an_ipv6_client_is_counted_by_its_64_network():
    assert ratelimit.address_key("2001:db8:1:2::1") == ratelimit.address_key("2001:db8:1:2:ffff::9")
    assert ratelimit.address_key("2001:db8:1:2::1") != ratelimit.address_key("2001:db8:1:3::1")
    assert ratelimit.address_key("::ffff:10.0.0.1") == "10.0.0.1"
    assert ratelimit.address_key("10.0.0.1") == "10.0.0.1"


# ------------------------------------------------------------------------- password reset


def test_a_flood_of_reset_requests_does_not_keep_the_owner_from_resetting(client, supervisor):
    attacker = Client()
    statuses = [
        attacker.post(
            reverse("password_reset"), {"email": supervisor.email}, REMOTE_ADDR=ATTACKER
        ).status_code
        for _ in range(15)
    ]
    # The attacker is slowed: after the address's allowance, 429.
    assert statuses[-1] == 429
    # The inbox is not flooded either: a few emails per hour, however many requests.
    assert 1 <= len(mail.outbox) <= 5
    # Sam, at his own address, is answered as always...
    response = client.post(
        reverse("password_reset"), {"email": supervisor.email}, REMOTE_ADDR=OFFICE
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    # ...and the newest email in his inbox holds a link that works.
    link = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", mail.outbox[-1].body)
    form_url = client.get(link.group(1))["Location"]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.check_password(NEW_PASSWORD)


def test_a_reset_request_from_another_address_sends_the_email(client, supervisor, settings):
    settings.PASSWORD_RESET_LIMIT = 2
    attacker = Client()
    for _ in range(3):
        attacker.post(
            reverse("password_reset"), {"email": "someone@example.com"}, REMOTE_ADDR=ATTACKER
        )
    response = client.post(
        reverse("password_reset"), {"email": supervisor.email}, REMOTE_ADDR=OFFICE
    )
    assert response.status_code == 302
    assert [email.to for email in mail.outbox] == [[supervisor.email]]


def test_a_completed_reset_lets_the_owner_past_the_accounts_count(client, supervisor, settings):
    settings.LOGIN_RATE_LIMIT_PER_USER = 10
    for n in range(2):
        _attack(REMOTE_ADDR=f"198.51.100.{n + 1}", times=5)
    assert _login(Client(), "sam", PASSWORD, REMOTE_ADDR=OFFICE).status_code == 429
    client.post(reverse("password_reset"), {"email": supervisor.email}, REMOTE_ADDR=OFFICE)
    link = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", mail.outbox[-1].body)
    form_url = client.get(link.group(1))["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _login(Client(), "sam", NEW_PASSWORD, REMOTE_ADDR=OFFICE).status_code == 302
