"""The installation's own secret key, made on first start and kept in the data folder.

Sessions, CSRF tokens, password reset links and the kiosk enrollment cookie are all signed
with SECRET_KEY. A key shipped in the source would let anyone who has read it forge them,
so an installation without SECRET_KEY in its environment makes a random one the first time
it starts and reads the same file from then on (sessions survive restarts).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE_NAME = "secret_key"
# Keys that have been published (in the source, in examples): never accepted as a real key.
PUBLISHED_KEYS = frozenset(
    {"insecure-development-key-set-SECRET_KEY-in-production-0123456789abcdef"}
)
MIN_LENGTH = 50


def is_weak(key: str) -> bool:
    """True for a key an outsider may know or guess: published, Django's placeholder, short."""
    return (
        key in PUBLISHED_KEYS
        or key.startswith("django-insecure")
        or len(key) < MIN_LENGTH
        or len(set(key)) < 5
    )


def installation_key(data_dir: Path) -> str:
    """The key kept in `data_dir/secret_key`, made (random, mode 0600) when it is missing.

    Safe when several processes start at once: the file appears whole or not at all (written
    under a temporary name, then linked into place), and the first to link it wins.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        temporary = data_dir / f".{KEY_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(64) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temporary.unlink()
    # Owner-only, whatever the file was given by a copy or a restore.
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    key = path.read_text().strip()
    if is_weak(key):
        raise ValueError(
            f"{path} does not hold a usable secret key: delete it to have a new one made "
            "(everyone is signed out), or set SECRET_KEY."
        )
    return key
