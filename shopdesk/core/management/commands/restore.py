"""`manage.py restore ARCHIVE [--force]`: check a backup's every hash, then restore it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopdesk.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: every file's hash is checked before "
        "anything changes; a database that already holds data is replaced only with --force. "
        "Stop ShopDesk first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The backup archive (.tar.gz).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds shops or accounts.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(archive_path=options["archive"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = sum(1 for name in manifest["sha256"] if name.startswith("files/"))
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']}: the database and "
            f"{files} file(s), every hash checked."
        )
