"""The background worker: runs queued tasks (django-tasks-db) and, every minute, the labor
shift-end sweep, in one process.

`make run` starts it beside the web server (scripts/serve.py). The sweep lives here rather
than in a resident process of its own: each Python process holding Django costs about
100 MB, and the sweep is a few queries a minute.
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from shopdesk.floor.services.labor import labor_shift_end

logger = logging.getLogger("shopdesk.task_worker")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


class Command(BaseCommand):
    help = "Run queued background tasks and the shift-end sweep (every minute) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait between looks at the task queue when it is empty.",
        )
        parser.add_argument(
            "--shift-end-every",
            type=float,
            default=60.0,
            help="Seconds between shift-end sweeps (0: never sweep).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Sweep once, run every task that is ready, and exit (for cron).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = max(options["interval"], 0.1)
        sweep_every = options["shift_end_every"]
        # The task library logs each task; its worker's "starting"/"no more tasks" lines
        # would repeat every second in the loop below.
        logging.getLogger("django_tasks").setLevel(logging.INFO)
        if options["verbosity"] < 2:
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        # The library's worker in batch mode runs every ready task and returns; this loop
        # adds the sweep between batches. Its signal handlers end the process on SIGTERM or
        # Ctrl+C (after the task that is running, if any).
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        handlers = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
        worker.configure_signals()
        if not options["once"]:
            self.stdout.write("Task worker started.")
        next_sweep = time.monotonic()
        while worker.running:
            if sweep_every and time.monotonic() >= next_sweep:
                self.sweep_shift_end()
                next_sweep = time.monotonic() + sweep_every
            worker.run()
            if options["once"]:
                for sig, handler in handlers.items():
                    signal.signal(sig, handler)
                return
            if worker.running:
                time.sleep(interval)

    def sweep_shift_end(self) -> None:
        try:
            closed = labor_shift_end()
        except DatabaseError as exc:
            # A busy database (SQLite locked) is tried again at the next sweep.
            logger.warning("Shift end check failed, retrying at the next sweep: %s", exc)
            return
        finally:
            close_old_connections()
        if closed:
            self.stdout.write(
                f"Shift end: {closed} labor entr{'y' if closed == 1 else 'ies'} closed."
            )
