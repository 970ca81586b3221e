"""Settings for the benchmarks: the app's own settings on a separate SQLite file.

The file is bench/bench.sqlite3 unless SHOPDESK_BENCH_DB names another path. It uses the same
SQLite options as the embedded default (WAL, IMMEDIATE transactions), whatever DATABASE_URL says.
"""

from __future__ import annotations

import os
from pathlib import Path

from shopdesk.settings import *  # noqa: F403
from shopdesk.settings import BASE_DIR

BENCH_DB = Path(os.environ.get("SHOPDESK_BENCH_DB", BASE_DIR / "bench" / "bench.sqlite3"))

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BENCH_DB,
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }
}
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# The bench users are made in bulk; how their password is hashed is not what is measured.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A scenario whose view does not exist yet answers 404 (or 500 while it is being built); the
# table says so, the log need not.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"level": "CRITICAL"}},
}

# Uploaded documents and combined traveler PDFs made by the benchmarks go beside the bench
# database (ignored by git like it), never into the app's own files.
STORAGES = {
    **STORAGES,  # noqa: F405
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(f"{BENCH_DB}.files")), "base_url": None},
    },
}
