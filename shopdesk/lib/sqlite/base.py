"""Django's SQLite backend, with writers queued by the operating system instead of by polling.

Every transaction on the embedded database begins IMMEDIATE: it takes SQLite's write lock at
BEGIN. A process that finds the lock taken waits in SQLite's busy handler, which sleeps 1, 2,
5, 10, 15, 20... ms between tries. Two web workers writing scans then spend much of their time
asleep while the lock is free. Here each transaction first takes an exclusive `flock` on a file
beside the database, released at commit or rollback: a waiting process is woken the moment the
other one finishes, and SQLite's own lock is then free. Processes that do not use this backend
still wait in the busy handler as before; an in-memory database (tests) takes no file lock.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_lock_fd: int | None = None
        self._writer_lock_held = False

    def _writer_lock_acquire(self) -> None:
        if self.is_in_memory_db() or self._writer_lock_held:
            return
        if self._writer_lock_fd is None:
            self._writer_lock_fd = os.open(
                f"{self.settings_dict['NAME']}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600
            )
        fcntl.flock(self._writer_lock_fd, fcntl.LOCK_EX)
        self._writer_lock_held = True

    def _writer_lock_release(self) -> None:
        if self._writer_lock_held and self._writer_lock_fd is not None:
            fcntl.flock(self._writer_lock_fd, fcntl.LOCK_UN)
        self._writer_lock_held = False

    def _start_transaction_under_autocommit(self) -> None:
        self._writer_lock_acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writer_lock_release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._writer_lock_release()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._writer_lock_release()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._writer_lock_release()
            if self._writer_lock_fd is not None:
                os.close(self._writer_lock_fd)
                self._writer_lock_fd = None
