"""Profile the production server under the scan load: where a scan's time goes.

Starts gunicorn with two workers on the bench database as bench/run.py's load test does, the
first worker sampled by pyinstrument while it handles the loaded path (bench/gunicorn_profile.py:
request handling only, connection close included), runs 50 clients flat out (scanners against
POST /api/v1/scans, or the Django floor), stops the server and prints the shares of the
profiled worker's request time: the areas a scan passes through (token, service, SQL, JSON...),
the call tree, and the functions that spend the most time themselves. Profiling stretches
every call; read shares, not milliseconds.

    .venv/bin/python bench/profile_scans.py [--db bench/bench.sqlite3] [--seconds 20]
                                            [--path /api/v1/scans | /bench/floor/]
                                            [--save bench/scans.pyisession] [--tree]

The bench database must exist (`make bench` makes it); DATABASE_URL and
SHOPDESK_BENCH_SYNCHRONOUS apply as in bench/run.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import DEFAULT_DB, database_exists, setup_django  # noqa: E402

HERE = Path(__file__).resolve().parent

# Areas of a request, each a frame (function, file ending) on the sampled stack: its share is
# the time of every sample taken inside it, wherever it was called from.
AREAS = [
    ("request, in gunicorn's worker", "handle_request", "gunicorn/workers/sync.py"),
    ("  Django's handler (middleware and view)", "__call__", "django/core/handlers/wsgi.py"),
    ("    the view (ninja: auth, parsing, handler, JSON)", "_get_response", "handlers/base.py"),
    ("      API token auth", "authenticate", "shopdesk/api/auth.py"),
    ("      request body to schema", "_get_values", "ninja/operation.py"),
    ("      scan handler", "scan_create", "shopdesk/jobs/api.py"),
    ("        scan service (floor_action)", "floor_action", "shopdesk/jobs/services/floor.py"),
    ("          transaction begin (BEGIN IMMEDIATE)", "__enter__", "django/db/transaction.py"),
    ("          transaction commit", "__exit__", "django/db/transaction.py"),
    ("          labor entries", "labor_open", "shopdesk/jobs/services/labor.py"),
    ("          labor entries (pause)", "labor_pause", "shopdesk/jobs/services/labor.py"),
    ("          derived fields", "job_refresh_derived", "shopdesk/jobs/derive.py"),
    ("          event", "event_append", "shopdesk/core/services.py"),
    ("      answer to JSON", "_result_to_response", "ninja/operation.py"),
    ("  the response closed (request_finished: connections)", "close", "django/http/response.py"),
    ("database: connect", "connect", "django/db/backends/base/base.py"),
    ("database: close", "close", "django/db/backends/base/base.py"),
    ("Django SQL compilation", "as_sql", "django/db/models/sql/compiler.py"),
    ("Django query setup (filter, select_related)", "_filter_or_exclude", "models/query.py"),
    ("Django model instances from rows", "from_db", "django/db/models/base.py"),
    ("database driver (SQLite execute)", "execute", "django/db/backends/sqlite3/base.py"),
    ("database driver (psycopg execute)", "execute", "psycopg/cursor.py"),
]


def _frame(frame_info: str) -> tuple[str, str]:
    identifier = frame_info.split("\x01", 1)[0]
    function, filename, _ = (identifier.split("\x00") + ["", ""])[:3]
    return function, filename


def area_shares(session: object) -> list[tuple[str, float]]:
    """Each area's share of all sampled time (a sample counts once per area it is inside)."""
    records = session.frame_records  # type: ignore[attr-defined]
    total = sum(time for _, time in records) or 1.0
    spent = [0.0] * len(AREAS)
    for stack, time in records:
        frames = {_frame(info) for info in stack}
        for index, (_, function, suffix) in enumerate(AREAS):
            if any(name == function and path.endswith(suffix) for name, path in frames):
                spent[index] += time
    return [(label, spent[index] / total) for index, (label, _, _) in enumerate(AREAS)]


def report(session: object, requests: int, tree: bool) -> None:
    from pyinstrument.renderers import ConsoleRenderer

    duration = sum(time for _, time in session.frame_records)  # type: ignore[attr-defined]
    print(
        f"\nProfiled worker: {requests:,} requests sampled, {duration:.1f} s of request "
        f"handling ({duration / max(requests, 1) * 1000:.1f} ms a request under the profiler)"
    )
    print("\nAreas (share of the profiled worker's request time):")
    for label, share in area_shares(session):
        if share > 0:
            print(f"{share:6.1%}  {label}")
    print("\nFunctions by their own time (top of the flat profile):")
    flat = ConsoleRenderer(flat=True, time="percent_of_total", show_all=True).render(session)
    print("\n".join(flat.splitlines()[:40]))
    if tree:
        print("\nCall tree:")
        print(ConsoleRenderer(time="percent_of_total").render(session))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="the bench SQLite file")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the load (20)")
    parser.add_argument("--tree", action="store_true", help="print the call tree too")
    parser.add_argument(
        "--path", default="/api/v1/scans", help="what to load: the scans or the floor"
    )
    parser.add_argument("--save", type=Path, default=None, help="keep the raw profile here")
    args = parser.parse_args(argv)
    db_path = args.db.resolve()
    setup_django(db_path)
    if not database_exists(db_path):
        parser.error("no bench database yet: run `make bench` (or bench/generate.py) first")

    from bench.floor import FLOOR_PATH, floor_load, production_server, scanner_load

    with tempfile.TemporaryDirectory() as folder:
        out = Path(args.save.resolve() if args.save else Path(folder) / "worker.pyisession")
        with production_server(
            db_path,
            env={"SHOPDESK_PROFILE_OUT": str(out), "SHOPDESK_PROFILE_PATH": args.path},
            gunicorn_args=("--config", str(HERE / "gunicorn_profile.py")),
        ) as port:
            if args.path == FLOOR_PATH:
                load = floor_load(port, seconds=args.seconds)
            else:
                load = scanner_load(db_path, seconds=args.seconds, port=port)
        print(
            f"{args.path}: {load.get('throughput_rps')} requests/s with the first worker "
            f"profiled, {load.get('errors')} errors, median {load.get('median_ms')} ms"
        )
        from pyinstrument.session import Session

        session = Session.load(out)
        requests = int(Path(f"{out}.requests").read_text())
    report(session, requests, args.tree)


if __name__ == "__main__":
    main()
