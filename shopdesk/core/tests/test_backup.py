"""`manage.py backup` and `manage.py restore`: a shop with documents comes back row for row
and byte for byte; a damaged archive or a database holding data is refused untouched."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from shopdesk.core.backup import documents_root, sqlite_copy
from shopdesk.core.models import Role, Shop
from shopdesk.core.tests.factories import DocumentFactory, PartFactory, ShopFactory, member
from shopdesk.lib import secret_key
from shopdesk.parts.models import Part

# Restore replaces the whole database: every test here owns its database, not a transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def _every_row() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def _every_file() -> dict[str, str]:
    root = documents_root()
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def shop_with_documents(released_job, other_job, owner, operator):
    """Acme with a released job, three documents (one an image), and Beta beside it."""
    DocumentFactory(revision=released_job.part_revision, name="setup.png", content=b"\x89PNG-1")
    DocumentFactory(revision=released_job.part_revision, name="program.nc", content=b"G0 X0\n")
    return released_job.shop


@pytest.fixture
def archive(tmp_path, shop_with_documents):
    path = tmp_path / "backups" / "acme.tar.gz"
    call_command("backup", "--output", str(path))
    return path


def test_round_trip_restores_every_row_and_every_file(tmp_path, shop_with_documents, capsys):
    rows, files = _every_row(), _every_file()
    assert len(files) >= 4 and rows["parts_document"]
    path = tmp_path / "acme.tar.gz"
    call_command("backup", "--output", str(path))
    assert f"Backup written: {path}" in capsys.readouterr().out

    # After the backup: a new shop, a renamed one, a lost file, a changed file, a stray one.
    ShopFactory(name="Made after the backup")
    Shop.objects.filter(pk=shop_with_documents.pk).update(name="Renamed")
    root = documents_root()
    lost, changed = sorted(path for path in root.rglob("*") if path.is_file())[-2:]
    lost.unlink()
    changed.write_bytes(b"overwritten")
    (root / "stray.bin").write_bytes(b"stray")
    assert _every_row() != rows

    call_command("restore", str(path), "--force")

    assert "every hash checked" in capsys.readouterr().out
    assert _every_row() == rows
    assert _every_file() == files


def test_restore_refuses_to_overwrite_a_database_with_data_without_force(archive):
    ShopFactory(name="Made after the backup")
    before = _every_row()
    with pytest.raises(CommandError, match=r"already holds 3 shop\(s\).*--force"):
        call_command("restore", str(archive))
    assert _every_row() == before


def _rewrite(archive: Path, change) -> None:
    """Rewrite the archive's members through `change(name, data) -> data | None`."""
    with tarfile.open(archive, "r:gz") as source:
        members = [(m, source.extractfile(m).read()) for m in source.getmembers()]
    with tarfile.open(archive, "w:gz") as target:
        for member, data in members:
            data = change(member.name, data)
            if data is not None:
                member.size = len(data)
                target.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda name, data: data[:-1] + b"!" if name.startswith("files/") else data,
            "contents changed",
        ),
        (lambda name, data: None if name.startswith("database/") else data, "missing"),
        (lambda name, data: None if name == "manifest.json" else data, "no manifest.json"),
    ],
    ids=["a file changed", "database missing", "no manifest"],
)
def test_a_corrupt_archive_is_refused_and_nothing_changes(archive, change, message):
    _rewrite(archive, change)
    Shop.objects.update(name="Changed since")
    rows, files = _every_row(), _every_file()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), "--force")
    assert _every_row() == rows
    assert _every_file() == files


def test_a_truncated_archive_is_refused(archive):
    archive.write_bytes(archive.read_bytes()[:-200])
    rows = _every_row()
    with pytest.raises(CommandError, match="damaged or not a ShopDesk backup"):
        call_command("restore", str(archive), "--force")
    assert _every_row() == rows


def test_the_manifest_lists_every_member_with_its_hash(archive):
    with tarfile.open(archive, "r:gz") as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())
        stored = {
            m.name: hashlib.sha256(opened.extractfile(m).read()).hexdigest()
            for m in opened.getmembers()
            if m.name != "manifest.json"
        }
    assert manifest["sha256"] == stored
    assert manifest["engine"] == connection.vendor
    assert sum(name.startswith("files/") for name in stored) == len(_every_file())


def test_restore_into_an_empty_database_needs_no_force(archive):
    rows = _every_row()
    call_command("flush", "--no-input")
    shutil.rmtree(documents_root())
    call_command("restore", str(archive))
    assert _every_row() == rows


def test_the_sqlite_copy_holds_rows_still_in_the_write_ahead_log(tmp_path):
    """A plain copy of the database file misses committed rows not yet checkpointed from
    the WAL; the online backup API copies them."""
    live = sqlite3.connect(tmp_path / "live.sqlite3", isolation_level=None)
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("PRAGMA wal_autocheckpoint=0")  # as between two checkpoints of a busy day
    live.execute("CREATE TABLE scan (id INTEGER PRIMARY KEY, job TEXT)")
    live.executemany("INSERT INTO scan (job) VALUES (?)", [(f"J-{n}",) for n in range(50)])

    shutil.copy(tmp_path / "live.sqlite3", tmp_path / "plain-copy.sqlite3")
    sqlite_copy(live, tmp_path / "backup.sqlite3")
    live.close()

    plain = sqlite3.connect(tmp_path / "plain-copy.sqlite3")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        plain.execute("SELECT count(*) FROM scan").fetchone()
    backup = sqlite3.connect(tmp_path / "backup.sqlite3")
    assert backup.execute("SELECT count(*) FROM scan").fetchone() == (50,)


def test_operators_and_parts_made_after_the_backup_are_gone_after_restore(archive, shop):
    member(shop, Role.OPERATOR, username="late-hire")
    PartFactory(shop=shop, number="LATE-1")
    call_command("restore", str(archive), "--force")
    assert not Part.objects.filter(number="LATE-1").exists()
    assert not User.objects.filter(username="late-hire").exists()


def test_a_backup_of_another_database_engine_is_refused(archive):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def relabel(name, data):
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), "engine": other}).encode()

    _rewrite(archive, relabel)
    rows = _every_row()
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(archive), "--force")
    assert _every_row() == rows


def test_a_missing_archive_is_named(tmp_path, db):
    with pytest.raises(CommandError, match="No backup at"):
        call_command("restore", str(tmp_path / "nowhere.tar.gz"))


def test_the_installation_key_travels_with_the_backup_and_the_archive_is_private(
    tmp_path, shop_with_documents, settings, monkeypatch
):
    """Restored on a new machine, sessions and enrolled kiosk tablets keep working: the key
    that signed them comes back. The archive holds it, so only its owner may read it."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings.DATA_DIR = tmp_path / "data"
    key = secret_key.installation_key(settings.DATA_DIR)
    settings.SECRET_KEY = key
    path = tmp_path / "acme.tar.gz"
    call_command("backup", "--output", str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    with tarfile.open(path, "r:gz") as opened:
        assert opened.extractfile("secret_key").read().decode().strip() == key

    (settings.DATA_DIR / "secret_key").unlink()
    call_command("restore", str(path), "--force")
    restored = settings.DATA_DIR / "secret_key"
    assert restored.read_text().strip() == key
    assert restored.stat().st_mode & 0o777 == 0o600


def test_a_key_from_the_environment_is_not_written_into_the_backup(
    tmp_path, shop_with_documents, settings
):
    settings.DATA_DIR = tmp_path / "data"
    secret_key.installation_key(settings.DATA_DIR)
    settings.SECRET_KEY = "k" * 40 + "from-the-environment-0123456789"
    path = tmp_path / "acme.tar.gz"
    call_command("backup", "--output", str(path))
    with tarfile.open(path, "r:gz") as opened:
        assert "secret_key" not in opened.getnames()
