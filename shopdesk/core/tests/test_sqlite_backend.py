"""The embedded database's backend queues writers on a file lock beside the database."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings

from shopdesk.lib.sqlite.base import DatabaseWrapper


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    # These tests open their own SQLite files, not the test database.
    with django_db_blocker.unblock():
        yield


def _wrapper(path: str) -> DatabaseWrapper:
    connection = DatabaseWrapper(
        {
            **settings.DATABASES["default"],
            "ENGINE": "shopdesk.lib.sqlite",
            "NAME": path,
            "OPTIONS": {"transaction_mode": "IMMEDIATE"},
            "TEST": {},
        }
    )
    connection.ensure_connection()
    return connection


def test_a_second_writer_waits_for_the_first_to_commit_then_sees_its_row(tmp_path):
    path = str(tmp_path / "shop.sqlite3")
    first = _wrapper(path)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE scans (n integer)")

    first._start_transaction_under_autocommit()
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO scans VALUES (1)")
    seen: list[int] = []

    def write_second() -> None:
        # Another gunicorn worker, as far as the lock is concerned: a connection of its own.
        second = _wrapper(path)
        second._start_transaction_under_autocommit()
        with second.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM scans")
            seen.append(cursor.fetchone()[0])
            cursor.execute("INSERT INTO scans VALUES (2)")
        second._commit()
        second.close()

    thread = threading.Thread(target=write_second)
    thread.start()
    time.sleep(0.3)
    assert seen == [] and thread.is_alive()  # queued behind the first writer
    first._commit()
    thread.join(timeout=10)
    assert seen == [1]
    with first.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM scans")
        assert cursor.fetchone()[0] == 2
    assert (tmp_path / "shop.sqlite3.writer-lock").exists()
    first.close()


def test_a_rolled_back_writer_lets_the_next_one_in(tmp_path):
    path = str(tmp_path / "shop.sqlite3")
    first, second = _wrapper(path), _wrapper(path)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE scans (n integer)")
    first._start_transaction_under_autocommit()
    first._rollback()
    second._start_transaction_under_autocommit()  # would wait for ever if the lock were kept
    second._commit()
    first.close()
    second.close()
