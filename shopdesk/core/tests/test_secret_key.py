"""Every installation signs with its own random key; the key once in the source opens nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse

from shopdesk.floor.kiosk import KIOSK_COOKIE, KIOSK_COOKIE_SALT
from shopdesk.floor.tests.test_kiosk import _badge, _sign_in
from shopdesk.lib import secret_key

REPO = Path(__file__).resolve().parents[3]
# The development key that used to be in settings.py, readable by anyone with the source.
PUBLISHED_KEY = "insecure-development-key-set-SECRET_KEY-in-production-0123456789abcdef"


def _secret_key_in(data_dir: Path, **extra_env: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "SHOPDESK_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "shopdesk.settings",
        **extra_env,
    }
    env.pop("DATABASE_URL", None)
    if "SECRET_KEY" not in extra_env:
        env.pop("SECRET_KEY", None)
    probe = (
        "import django; django.setup(); "
        "from django.conf import settings; print(settings.SECRET_KEY)"
    )
    return subprocess.run(  # noqa: S603 (a fixed command line)
        [sys.executable, "-c", probe],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_fresh_data_folder_gets_a_random_key_kept_across_restarts(tmp_path):
    first = _secret_key_in(tmp_path / "a")
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert key != PUBLISHED_KEY and len(key) >= 50
    key_file = tmp_path / "a" / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # A restart signs with the same key (sessions and enrolled tablets survive it).
    assert _secret_key_in(tmp_path / "a").stdout.strip() == key
    # Another installation has a key of its own.
    other = _secret_key_in(tmp_path / "b").stdout.strip()
    assert other and other != key


def test_a_key_file_others_can_read_is_made_private_again(tmp_path):
    assert _secret_key_in(tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    key_file.chmod(0o644)
    assert _secret_key_in(tmp_path).returncode == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_an_environment_key_wins_and_no_file_is_made(tmp_path):
    key = "k" * 20 + "ABCDEFGHIJ" * 4
    result = _secret_key_in(tmp_path, SECRET_KEY=key)
    assert result.stdout.strip() == key
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("key", [PUBLISHED_KEY, "django-insecure-" + "x1y2z3" * 10, "short"])
def test_production_refuses_a_published_or_weak_key(tmp_path, key):
    result = _secret_key_in(tmp_path, SECRET_KEY=key, SHOPDESK_PRODUCTION="1")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_the_running_install_does_not_sign_with_the_published_key():
    assert settings.SECRET_KEY != PUBLISHED_KEY


def test_a_kiosk_cookie_forged_with_the_published_key_enrolls_nothing(shop, operator):
    _badge(operator, "101")
    forger = signing.TimestampSigner(key=PUBLISHED_KEY, salt=KIOSK_COOKIE + KIOSK_COOKIE_SALT)
    client = Client()
    client.cookies[KIOSK_COOKIE] = forger.sign(f"{shop.pk}:forged-device")
    assert client.get(reverse("kiosk")).status_code == 403
    assert _sign_in(client).status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_cookie_signed_with_the_installation_key_is_what_enrolls(shop, operator):
    # The same cookie made with this installation's key is accepted: the test above fails
    # for the key, not for the cookie's shape.
    _badge(operator, "101")
    signer = signing.get_cookie_signer(salt=KIOSK_COOKIE + KIOSK_COOKIE_SALT)
    client = Client()
    client.cookies[KIOSK_COOKIE] = signer.sign(f"{shop.pk}:real-device")
    assert client.get(reverse("kiosk")).status_code == 200
    assert _sign_in(client).status_code == 302


def test_processes_starting_together_agree_on_one_key(tmp_path):
    # The web workers and the task worker start at once on a fresh install.
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: secret_key.installation_key(tmp_path), range(24)))
    assert len(keys) == 1
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]


def test_an_emptied_key_file_is_refused_not_used(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ValueError, match="does not hold a usable secret key"):
        secret_key.installation_key(tmp_path)
