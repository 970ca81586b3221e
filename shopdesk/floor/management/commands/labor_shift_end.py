"""Pause the labor of every shop whose shift end has passed today.

The task worker (`manage.py task_worker`, started by `make run`) sweeps every minute by
itself; this command is for a one-off run or a deployment without that worker (`--every
SECONDS` keeps it running in a loop). Running it twice closes nothing more.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from shopdesk.floor.services.labor import labor_shift_end


class Command(BaseCommand):
    help = "Close the open labor entries of shops whose shift end time has passed today."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Keep running, checking every this many seconds (0: check once and exit).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        while True:
            try:
                closed = labor_shift_end()
            except DatabaseError as exc:
                if not every:
                    raise
                # A busy database (SQLite locked) is retried on the next tick, not fatal.
                self.stderr.write(f"Shift end check failed, retrying: {exc}")
                closed = 0
            if closed or not every:
                self.stdout.write(
                    f"Shift end: {closed} labor entr{'y' if closed == 1 else 'ies'} closed."
                )
            if not every:
                return
            close_old_connections()
            time.sleep(max(every, 1))
