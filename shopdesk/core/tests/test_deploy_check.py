"""The production profile passes Django's deployment checklist with no warning."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_check_deploy_is_clean_in_production(tmp_path):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    secret_key = "".join(secrets.choice(alphabet) for _ in range(50))
    env = {
        **os.environ,
        "SHOPDESK_PRODUCTION": "1",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "shop.example.com",
        "SHOPDESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "shopdesk.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DEBUG", None)
    # The browser tests set this for Playwright in the same process; a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(  # noqa: S603 (a fixed command line)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        **os.environ,
        "SHOPDESK_PRODUCTION": "1",
        "ALLOWED_HOSTS": "shop.example.com",
        "SHOPDESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "shopdesk.settings",
    }
    env.pop("SECRET_KEY", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_production_worker_loads_every_view_while_it_boots(tmp_path):
    # The first scan after a restart should not wait for the views and the API to import.
    env = {
        **os.environ,
        "SHOPDESK_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "shopdesk.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    probe = (
        "import sys; import shopdesk.wsgi; "
        "print(all(name in sys.modules for name in "
        "('shopdesk.urls', 'shopdesk.jobs.api', 'shopdesk.travelers.views')))"
    )
    result = subprocess.run(  # noqa: S603 (a fixed command line)
        [sys.executable, "-c", probe],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
