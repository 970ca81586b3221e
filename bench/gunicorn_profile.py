"""gunicorn settings for profiling the production server (bench/profile_scans.py).

The first worker samples its handling of the requests to SHOPDESK_PROFILE_PATH with
pyinstrument, from gunicorn's pre_request hook to post_request (which comes after the response
is closed and Django has closed or kept its database connection), and saves the combined
session to SHOPDESK_PROFILE_OUT when it exits (and how many requests it holds beside it, in
SHOPDESK_PROFILE_OUT.requests). The other workers run unprofiled.
"""

from __future__ import annotations

import os
from typing import Any

from pyinstrument import Profiler

_profiler: Profiler | None = None
_requests = 0
_path = os.environ.get("SHOPDESK_PROFILE_PATH", "")


def post_fork(server: Any, worker: Any) -> None:
    global _profiler  # noqa: PLW0603 (one profiler per worker process)
    if worker.age == 1:
        _profiler = Profiler(interval=0.0005, async_mode="disabled")


def pre_request(worker: Any, request: Any) -> None:
    if _profiler is not None and request.path == _path:
        _profiler.start()


def post_request(worker: Any, request: Any, environ: Any, response: Any) -> None:
    global _requests  # noqa: PLW0603
    if _profiler is not None and _profiler.is_running:
        # Each stop adds this request's samples to the profiler's combined session.
        _profiler.stop()
        _requests += 1


def worker_exit(server: Any, worker: Any) -> None:
    if _profiler is not None and _profiler.last_session is not None:
        out = os.environ["SHOPDESK_PROFILE_OUT"]
        _profiler.last_session.save(out)
        with open(f"{out}.requests", "w") as count:  # noqa: PTH123
            count.write(str(_requests))
