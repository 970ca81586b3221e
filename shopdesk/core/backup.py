"""Backups: one archive with a consistent copy of the database and the private files, and a
manifest of SHA-256 hashes; restore checks every hash before it changes anything.

The archive (tar.gz) holds:
- `database/shopdesk.sqlite3` (SQLite's online backup API: one consistent snapshot, rows
  still in the write-ahead log included, while the server keeps running) or
  `database/shopdesk.sql` (`pg_dump` of PostgreSQL, restored with `psql` in one transaction);
- `files/…`: every file of the "documents" storage when it is on local disk;
- `secret_key`: the installation's own secret key when it signs with the one kept in the data
  folder, so sessions and enrolled kiosk tablets keep working on the restored machine (the
  archive is readable by its owner only);
- `manifest.json`: the format, when, the database engine and each member's SHA-256.

The database is copied before the files: files are written before the rows that name them
and never changed in place, so every file the copied rows name is in the archive.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage, storages
from django.db import DatabaseError, connection

from shopdesk.core.models import Shop
from shopdesk.lib import secret_key

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/shopdesk.sqlite3"
POSTGRES_MEMBER = "database/shopdesk.sql"
FILES_PREFIX = "files/"
SECRET_KEY_MEMBER = "secret_key"  # noqa: S105 - the name of an archive member
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in words."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    engine: str
    files: int
    size: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def documents_root() -> Path | None:
    """The folder holding the private files, or None when they are not on local disk."""
    storage = storages["documents"]
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


def sqlite_copy(source: sqlite3.Connection, destination: Path) -> None:
    """Copy a live SQLite database through its online backup API: one consistent snapshot,
    including rows still in the write-ahead log (a copy of the main file misses those)."""
    target = sqlite3.connect(destination)
    try:
        source.backup(target)
    finally:
        target.close()


def _postgres_command(program: str) -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    command = [program, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return command, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} is not installed; install postgresql-client "
            "(sudo apt-get install -y postgresql-client)."
        ) from exc
    if done.returncode:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def _dump_database(folder: Path) -> tuple[str, Path]:
    if connection.vendor == "sqlite":
        path = folder / "shopdesk.sqlite3"
        connection.ensure_connection()
        sqlite_copy(connection.connection, path)
        return SQLITE_MEMBER, path
    if connection.vendor == "postgresql":
        path = folder / "shopdesk.sql"
        command, env = _postgres_command("pg_dump")
        command += ["--no-owner", "--no-privileges", "--file", str(path)]
        _run([*command, "--dbname", str(connection.settings_dict["NAME"])], env, "pg_dump")
        return POSTGRES_MEMBER, path
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


def _archive_name(at: datetime.datetime) -> str:
    return f"shopdesk-{at:%Y%m%d-%H%M%S}.tar.gz"


def backup_create(*, output: Path | None = None) -> BackupSummary:
    """Write one archive of the database and the private files; answer what it holds.

    `output` is the archive's path, or a folder to put a dated one in (default: the data
    folder's backups/). The archive appears complete or not at all.
    """
    now = datetime.datetime.now(tz=datetime.UTC)
    output = Path(output) if output else Path(settings.DATA_DIR) / "backups"
    if output.is_dir() or not output.suffix:
        output.mkdir(parents=True, exist_ok=True)
        output = output / _archive_name(now)
    output.parent.mkdir(parents=True, exist_ok=True)
    hashes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        db_member, db_path = _dump_database(Path(work))
        members = [(db_member, db_path)]
        key_file = _installation_key_file()
        if key_file is not None:
            members.append((SECRET_KEY_MEMBER, key_file))
        root = documents_root()
        if root is not None and root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    members.append((FILES_PREFIX + path.relative_to(root).as_posix(), path))
        partial = output.with_name(output.name + ".partial")
        # The whole shop and its signing key: readable by the owner only.
        partial.touch(mode=0o600)
        partial.chmod(0o600)
        with tarfile.open(partial, "w:gz") as archive:
            for name, path in members:
                hashes[name] = _add_hashed(archive, name, path)
            manifest = {
                "format": ARCHIVE_FORMAT,
                "created_at": now.isoformat(),
                "engine": connection.vendor,
                "database": db_member,
                "files_on_disk": root is not None,
                "sha256": hashes,
            }
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(now.timestamp())
            archive.addfile(info, _BytesReader(body))
        partial.replace(output)
    return BackupSummary(
        path=output,
        engine=connection.vendor,
        files=sum(1 for name, _ in members if name.startswith(FILES_PREFIX)),
        size=output.stat().st_size,
    )


def _installation_key_file() -> Path | None:
    """The data folder's secret key file when this installation signs with it (not with a
    SECRET_KEY from the environment)."""
    path = Path(settings.DATA_DIR) / secret_key.KEY_FILE_NAME
    if not path.is_file():
        return None
    return path if path.read_text().strip() == settings.SECRET_KEY else None


def _restore_key_file(unpacked: Path) -> None:
    """Put the backup's secret key in the data folder (owner-only), whole or not at all."""
    path = Path(settings.DATA_DIR) / secret_key.KEY_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.restore")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write((unpacked / SECRET_KEY_MEMBER).read_bytes())
    temporary.replace(path)


class _BytesReader:
    def __init__(self, body: bytes) -> None:
        self.body, self.offset = body, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.body) if size < 0 else self.offset + size
        chunk, self.offset = self.body[self.offset : end], min(end, len(self.body))
        return chunk


class _HashingReader:
    """Hashes what tarfile reads, so a file is read once and its hash is of what was stored."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.digest = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk


def _add_hashed(archive: tarfile.TarFile, name: str, path: Path) -> str:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as stream:
        reader = _HashingReader(stream)
        archive.addfile(info, reader)
    return reader.digest.hexdigest()


# Restore ---------------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (
            name in (MANIFEST, SQLITE_MEMBER, POSTGRES_MEMBER, SECRET_KEY_MEMBER)
            or name.startswith(FILES_PREFIX)
        )
    )


def backup_unpack(archive_path: Path, folder: Path) -> dict[str, Any]:
    """Unpack the archive into `folder` and check every member against the manifest.

    Answers the manifest; raises BackupError naming the first problem (a damaged or
    unreadable archive, a member missing, changed or unexpected) and then nothing outside
    `folder` has been touched.
    """
    if not archive_path.is_file():
        raise BackupError(f"No backup at {archive_path}.")
    hashes: dict[str, str] = {}
    manifest_body = None
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive:
                if not member.isfile() or not _safe_member(member.name):
                    raise BackupError(f"unexpected entry {member.name!r}")
                stream = archive.extractfile(member)
                assert stream is not None  # a regular file
                if member.name == MANIFEST:
                    manifest_body = stream.read()
                    continue
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := stream.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                hashes[member.name] = digest.hexdigest()
    except (tarfile.TarError, EOFError, OSError, BackupError) as exc:
        raise BackupError(f"{archive_path} is damaged or not a ShopDesk backup: {exc}") from exc
    if manifest_body is None:
        raise BackupError(f"{archive_path} is not a ShopDesk backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(manifest_body)
        expected = dict(manifest["sha256"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{archive_path} has an unreadable {MANIFEST}.") from exc
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"{archive_path} is a backup format this version cannot read.")
    problems = [
        f"{name}: {'missing' if name not in hashes else 'contents changed'}"
        for name, digest in sorted(expected.items())
        if hashes.get(name) != digest
    ] + [f"{name}: not in the manifest" for name in sorted(set(hashes) - set(expected))]
    if problems or manifest.get("database") not in expected:
        listed = "; ".join(problems[:5]) or "no database in it"
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise BackupError(f"{archive_path} is corrupt, nothing was restored: {listed}{more}.")
    return manifest


def database_holdings() -> tuple[int, int]:
    """Shops and accounts in the current database ((0, 0) when it has no tables yet)."""
    try:
        return Shop.objects.count(), get_user_model().objects.count()
    except DatabaseError:
        return 0, 0


def _restore_sqlite(path: Path) -> None:
    source = sqlite3.connect(path)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_postgres(path: Path) -> None:
    connection.close()
    command, env = _postgres_command("psql")
    command += [
        "--quiet",
        "--set",
        "ON_ERROR_STOP=1",
        # Everything in one transaction: a failure leaves the database as it was.
        "--single-transaction",
        "--command",
        "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;",
        "--file",
        str(path),
        "--dbname",
        str(connection.settings_dict["NAME"]),
    ]
    _run(command, env, "psql")


def _replace_files(unpacked: Path, root: Path) -> None:
    """Put the archive's files in place of the files folder (renames, no copy)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    new = unpacked if unpacked.is_dir() else None
    old = root.with_name(f".{root.name}.before-restore")
    if old.exists():
        shutil.rmtree(old)
    if root.exists():
        root.rename(old)
    if new is not None:
        shutil.move(str(new), str(root))
    else:
        root.mkdir()
    if old.exists():
        shutil.rmtree(old)


def backup_restore(*, archive_path: Path, force: bool = False) -> dict[str, Any]:
    """Check the archive, then replace the database and the files folder with its contents.

    Refuses (BackupError, nothing changed) a damaged archive, one from another database
    engine, and a database that already holds shops or accounts unless `force`.
    """
    root = documents_root()
    staging_parent = root.parent if root is not None else Path(settings.DATA_DIR)
    staging_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging_parent, prefix=".restore-") as work:
        unpacked = Path(work)
        manifest = backup_unpack(Path(archive_path), unpacked)
        if manifest.get("engine") != connection.vendor:
            raise BackupError(
                f"This backup is of a {manifest.get('engine')} database; this ShopDesk uses "
                f"{connection.vendor}. Nothing was restored."
            )
        shops, accounts = database_holdings()
        if (shops or accounts) and not force:
            raise BackupError(
                f"The database already holds {shops} shop(s) and {accounts} account(s). "
                "Run again with --force to replace them with the backup. Nothing was restored."
            )
        database = unpacked / manifest["database"]
        if connection.vendor == "sqlite":
            _restore_sqlite(database)
        else:
            _restore_postgres(database)
        if root is not None and manifest.get("files_on_disk"):
            _replace_files(unpacked / FILES_PREFIX.rstrip("/"), root)
        if SECRET_KEY_MEMBER in manifest["sha256"] and not os.environ.get("SECRET_KEY"):
            _restore_key_file(unpacked)
    return manifest
