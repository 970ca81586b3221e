"""SITE_URL names the address printed on travelers; the server answers at it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PRINT_ALLOWED_HOSTS = (
    "import json; from django.conf import settings; print(json.dumps(settings.ALLOWED_HOSTS))"
)


def _allowed_hosts(**env: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PRINT_ALLOWED_HOSTS],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shopdesk.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_site_url_host_is_an_allowed_host():
    assert "192.168.1.20" in _allowed_hosts(SITE_URL="http://192.168.1.20:8000/")
    hosts = _allowed_hosts(SITE_URL="https://shop.example.com", ALLOWED_HOSTS="shop.example.com")
    assert hosts == ["shop.example.com"]
