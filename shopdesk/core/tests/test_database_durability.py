"""The embedded SQLite database keeps what it acknowledged through a power cut."""

from __future__ import annotations

import pytest
from django.db import connection

SYNCHRONOUS_FULL = 2


@pytest.mark.django_db
def test_sqlite_syncs_every_commit():
    """synchronous=FULL: every commit is on disk before the scan is answered."""
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == SYNCHRONOUS_FULL
