"""Row locks and lock conflicts, the same way in every service.

Every service locks the rows whose state it changes. On PostgreSQL two rules keep concurrent
writes from deadlocking:

- lock only the rows of the queried model (`of=("self",)`): a `select_related` join must not
  also lock the joined rows (a part's lock taking its shop row crossed with job creation,
  which locks the shop first and then the part);
- lock `FOR NO KEY UPDATE` (`no_key=True`): services never change a primary key, and the
  weaker lock does not block the key-share locks PostgreSQL takes on a row whenever another
  transaction inserts a row referencing it (every new job references its shop and its part).

SQLite has one writer at a time and ignores row locks, so there the helpers change nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection
from django.db.models import Model, QuerySet

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)
P = ParamSpec("P")
R = TypeVar("R")

# PostgreSQL's SQLSTATEs for a transaction it aborted to settle a conflict between
# transactions: deadlock_detected and serialization_failure. Running again may succeed.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})


def for_update(queryset: QuerySet[M]) -> QuerySet[M]:
    """The queryset's own rows locked for update until the transaction ends; joined rows are
    read, not locked."""
    return queryset.select_for_update(of=("self",), no_key=True)


def is_lock_conflict(exc: BaseException) -> bool:
    """Whether the database aborted the transaction over a deadlock or a serialization
    failure (not a broken connection or a bad statement)."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in CONFLICT_SQLSTATES


def retry_on_lock_conflict(func: Callable[P, R]) -> Callable[P, R]:
    """Run the (atomic) service once more if the database aborted it over a lock conflict.

    Only when it is the outermost transaction: inside a caller's transaction everything done
    so far is rolled back with it, so the caller's caller must decide. Put it outside
    `@transaction.atomic`.
    """

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        try:
            return func(*args, **kwargs)
        except OperationalError as exc:
            if not is_lock_conflict(exc):
                raise
            logger.warning(
                "%s was aborted by a database lock conflict (deadlock or serialization "
                "failure); running it once more: %s",
                func.__qualname__,
                str(exc).splitlines()[0],
            )
            return func(*args, **kwargs)

    return run
