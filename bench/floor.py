"""The floor's benchmarks beyond single requests: a work center with a long queue, and 50
scanners at once against the production server.

`long_queue(shop, size)` adds `size` released jobs whose first operation waits at a work center
of their own ("Bench queue"), inside a transaction the caller rolls back (the context manager
does): the dispatch list is measured at 2,000 ready operations while the shop's other figures
(about 2,000 open jobs, see generate.py) stay as generated.

`production_server(db_path)` starts gunicorn with two workers on the bench database with the
production settings (DEBUG off, SHOPDESK_PRODUCTION=1, behind a TLS proxy as far as Django
knows, static files collected as production stores them). `scanner_load(db_path, ...)` runs
simulated scanners, each with its own operation and its own client ids, against
POST /api/v1/scans; `floor_load(port)` runs as many clients against the one-query Django view
of bench/urls.py, the floor the scans are compared with. Django must already be set up
(bench/run.py does it).
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import json
import math
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
QUEUE_CENTER = "Bench queue"
LOAD_TOKEN_NAME = "bench load"
# The one-query Django view of bench/urls.py, served only by the bench's server.
FLOOR_PATH = "/bench/floor/"


class _Rollback(Exception):
    """Raised to undo a scenario's rows once measured."""


@contextlib.contextmanager
def long_queue(shop: Any, size: int = 2000) -> Iterator[Any]:
    """Yield a work center with `size` ready operations (one per released job, each job's
    first operation, a second one at inspection after it); everything is rolled back after."""
    from django.db import transaction
    from django.utils import timezone

    from shopdesk.jobs.derive import derive_stage, derive_work_left
    from shopdesk.jobs.models import Job, JobStage, JobState, Operation, WorkCenter
    from shopdesk.parts.models import Part

    rng = random.Random(11)  # noqa: S311 (benchmark data)
    today = timezone.localdate()
    now = timezone.now()
    try:
        with transaction.atomic():
            center = WorkCenter.objects.create(
                shop=shop, name=QUEUE_CENTER, kind="mill", hours_per_day=Decimal("16")
            )
            after = WorkCenter.objects.filter(shop=shop, name="Inspection").first() or center
            parts = list(Part.objects.filter(shop=shop).order_by("id")[:200])
            first_number = shop.next_job_number + 500_000
            job_id = (Job.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            op_id = (
                Operation.objects.order_by("-id").values_list("id", flat=True).first() or 0
            ) + 1
            jobs, operations = [], []
            for n in range(size):
                part = parts[n % len(parts)]
                job = Job(
                    id=job_id + n,
                    shop=shop,
                    number=first_number + n,
                    customer_id=part.customer_id,
                    part=part,
                    revision=part.revision,
                    quantity=rng.choice([5, 10, 25, 50, 100]),
                    due_date=today + datetime.timedelta(days=rng.randint(-5, 40)),
                    priority=rng.choice([1, 2, 2, 2, 3, 4]),
                    state=JobState.RELEASED,
                    released_at=now,
                    material_status="from_stock",
                )
                routing = [
                    Operation(
                        id=op_id + 2 * n + index,
                        job=job,
                        sequence=index + 1,
                        work_center=wc,
                        name=wc.name,
                        setup_minutes=Decimal(rng.randint(0, 90)),
                        run_minutes=Decimal(rng.randint(1, 40)) / 4,
                    )
                    for index, wc in enumerate((center, after))
                ]
                stage, current = derive_stage(job.state, routing)
                job.stage = stage
                job.is_open = stage in JobStage.open_stages()
                job.current_operation_id = current.id
                job.current_work_center_id = current.work_center_id
                job.operations_total = len(routing)
                job.work_days_left, job.current_minutes_left = derive_work_left(
                    job, routing, current
                )
                jobs.append(job)
                operations.extend(routing)
            Job.objects.bulk_create(jobs, batch_size=1000)
            Operation.objects.bulk_create(operations, batch_size=1000)
            yield center
            raise _Rollback
    except _Rollback:
        pass


# ------------------------------------------------------------------------------ load test


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _scanner_targets(shop: Any, count: int) -> list[tuple[str, int, str]]:
    """`count` operations a scanner may start and pause: each the current operation of a
    released, unblocked job, with its status now. Answers (job, operation id, status)."""
    from django.db.models import F

    from shopdesk.jobs.models import JobState, Operation, OperationStatus

    rows = (
        Operation.objects.filter(
            job__shop=shop,
            job__state=JobState.RELEASED,
            job__open_blocker_count=0,
            job__current_operation_id=F("id"),
            status__in=[OperationStatus.PENDING, OperationStatus.PAUSED, OperationStatus.RUNNING],
        )
        .order_by("-job__number")
        .values_list("job__number", "id", "status")[:count]
    )
    return [(f"J-{number}", op_id, status) for number, op_id, status in rows]


def _scanner_tokens(shop: Any, count: int) -> list[str]:
    """One operator and one fresh API token per scanner; the previous run's tokens go."""
    from django.contrib.auth import get_user_model

    from shopdesk.core.models import ApiToken, Membership, Role
    from shopdesk.core.services import api_token_create

    user_model = get_user_model()
    ApiToken.objects.filter(user__membership__shop=shop, name=LOAD_TOKEN_NAME).delete()
    tokens = []
    for n in range(count):
        user, made = user_model.objects.get_or_create(
            username=f"scanner{n:02d}",
            defaults={"first_name": "Scanner", "last_name": f"{n:02d}"},
        )
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            Membership.objects.create(user=user, shop=shop, role=Role.OPERATOR)
        _, raw = api_token_create(user=user, name=LOAD_TOKEN_NAME)
        tokens.append(raw)
    return tokens


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if _get(port, "/api/v1/openapi.json") == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError("gunicorn did not answer within a minute")


def _production_env(db_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SHOPDESK_BENCH_DB": str(db_path),
        "SHOPDESK_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "PYTHONPATH": str(REPO),
        **(extra or {}),
    }


def _static_is_current() -> bool:
    """Whether the bench's collected static files are newer than every source file."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    collected_at = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if Path(storage.path(path)).stat().st_mtime > collected_at:
                return False
    return True


def collect_production_static(env: dict[str, str]) -> None:
    """Collect the static files as the production settings store them (hashed names,
    compressed copies and the manifest the pages look names up in), into the bench's own
    folder. Without the manifest every HTML page of the production server answers 500.
    Compressing takes most of a minute of CPU, so it is done again only when a source file
    changed since."""
    if _static_is_current():
        return
    subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v", "0"],
        cwd=REPO,
        env=env,
        check=True,
    )


@contextlib.contextmanager
def production_server(
    db_path: Path,
    workers: int = 2,
    *,
    env: dict[str, str] | None = None,
    gunicorn_args: tuple[str, ...] = (),
) -> Iterator[int]:
    """gunicorn as scripts/serve.sh runs it, on a free port, on the bench database; yields the
    port and stops the server (its own process group) after. `env` adds to the production
    environment (SHOPDESK_BENCH_SYNCHRONOUS, say); `gunicorn_args` to its command line.
    Raises RuntimeError when the server does not start or its HTML pages fail."""
    port = _free_port()
    server_env = _production_env(db_path, env)
    collect_production_static(server_env)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
        [
            str(gunicorn),
            "shopdesk.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
            "--timeout",
            "60",
            *gunicorn_args,
        ],
        cwd=REPO,
        env=server_env,
        start_new_session=True,
    )
    try:
        _wait_until_up(port, server)
        # An HTML page (templates, static file names) and the floor view, not only the API.
        for path in ("/login/", FLOOR_PATH):
            status = _get(port, path)
            if status != 200:
                raise RuntimeError(f"the production server answers {status} to GET {path}")
        yield port
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _send(port: int, method: str, path: str, body: str | None, headers: dict) -> int:
    # A new connection per request, as a phone on the floor makes; gunicorn's sync workers
    # close each one anyway.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _client_loop(
    send: Any, until: float, think: tuple[float, float], rng: random.Random, out: dict
) -> None:
    """Call `send()` (answers an HTTP status or raises OSError) until `until`, recording
    latencies and errors in `out`; with `think`, a random pause between requests."""
    latencies, errors = out["latencies"], out["errors"]
    if think[1] > 0:
        # Operators on a floor do not scan in step: each scanner's first scan comes at its own
        # moment within one think time, as the later ones do, not all 50 in the same instant.
        time.sleep(rng.uniform(0, think[1]))
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            code = send()
        except OSError as exc:
            errors.append(type(exc).__name__)
        else:
            latencies.append((time.perf_counter() - started) * 1000)
            if code >= 400 and code != 409:
                errors.append(str(code))
        if think[1] > 0:
            time.sleep(rng.uniform(*think))


def _scanner(
    port: int, token: str, target: tuple[str, int, str], seed: int
) -> tuple[random.Random, Any, list[int]]:
    """Start, pause, start... one operation, each scan with a new client id. Answers the
    scanner's random source, its send() and the list its 409s are counted in."""
    job, op_id, status = target
    turn = {"action": "pause" if status == "running" else "start"}
    refused: list[int] = []
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Forwarded-Proto": "https",
    }

    def send() -> int:
        action = turn["action"]
        body = json.dumps(
            {"job": job, "operation": op_id, "action": action, "client_id": uuid.uuid4().hex}
        )
        code = _send(port, "POST", "/api/v1/scans", body, headers)
        if code in (200, 201, 409):
            # A 409: the operation was not in the state this scanner thought; take the other
            # turn.
            turn["action"] = "pause" if action == "start" else "start"
        if code == 409:
            refused.append(code)
        return code

    return random.Random(seed), send, refused  # noqa: S311 (simulated think time)


def _drive(clients: list[tuple[random.Random, Any]], seconds: float, think: tuple) -> dict:
    """Run every client's send() in a thread of its own for `seconds`; answers the figures."""
    out: dict[str, Any] = {"latencies": [], "errors": []}
    began, began_cpu = time.monotonic(), time.process_time()
    until = began + seconds
    threads = [
        threading.Thread(target=_client_loop, args=(send, until, think, rng, out), daemon=True)
        for rng, send in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    # The clients share the server's two cores: what they cost is not the server's.
    client_cpu = time.process_time() - began_cpu
    latencies = out["latencies"]
    failed = len([e for e in out["errors"] if e.isdigit()])
    return {
        "clients": len(clients),
        "seconds": round(elapsed, 1),
        "think_s": list(think),
        "requests": len(latencies) + len(out["errors"]) - failed,
        "throughput_rps": round((len(latencies) - failed) / elapsed, 1),
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(_p95(latencies), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "errors": len(out["errors"]),
        "error_kinds": sorted(set(out["errors"])),
        "client_cpu_s": round(client_cpu, 1),
    }


def floor_load(port: int, *, clients: int = 50, seconds: float = 20.0) -> dict[str, Any]:
    """`clients` threads sending GET /bench/floor/ flat out to the running server at `port`:
    the Django floor the scans are compared with."""
    headers = {"Accept": "application/json", "X-Forwarded-Proto": "https"}

    def sender() -> Any:
        return lambda: _send(port, "GET", FLOOR_PATH, None, headers)

    return _drive(
        [(random.Random(n), sender()) for n in range(clients)],  # noqa: S311
        seconds,
        (0.0, 0.0),
    )


def scanner_load(
    db_path: Path,
    *,
    scanners: int = 50,
    seconds: float = 20.0,
    think: tuple[float, float] = (0.0, 0.0),
    port: int | None = None,
) -> dict[str, Any]:
    """Run `scanners` threads against the scan endpoint for `seconds`; with `think`, each
    waits a random time in that range (seconds) between scans. Starts and stops its own
    production server unless given the `port` of a running one."""
    from shopdesk.core.models import Shop

    shop = Shop.objects.get(slug="bench")
    targets = _scanner_targets(shop, scanners)
    if len(targets) < scanners:
        return {"status": f"error: only {len(targets)} operations to scan"}
    tokens = _scanner_tokens(shop, scanners)
    from django.db import connection as db

    db.close()  # the server's workers write; this process holds nothing open meanwhile

    def run(at_port: int) -> dict[str, Any]:
        made = [_scanner(at_port, tokens[n], targets[n], n) for n in range(scanners)]
        figures = _drive([(rng, send) for rng, send, _ in made], seconds, think)
        refused = sum(len(counted) for _, _, counted in made)
        figures["scanners"] = figures.pop("clients")
        figures["refused_409"] = refused
        return figures

    if port is not None:
        return run(port)
    with production_server(db_path) as started_port:
        return run(started_port)
