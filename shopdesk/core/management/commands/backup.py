"""`manage.py backup [--output PATH]`: one archive of the database and the private files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopdesk.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one archive (tar.gz) with a consistent copy of the database, the private "
        "files and a manifest of SHA-256 hashes. Safe while ShopDesk runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="The archive to write, or a folder for a dated one (default: var/backups/).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_create(output=options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backup written: {summary.path} ({summary.engine} database, "
            f"{summary.files} file(s), {summary.size / 1_000_000:.1f} MB)"
        )
