"""Settings for the benchmarks: the app's own settings on a database of the bench's own.

SQLite (the default): the file bench/bench.sqlite3 unless SHOPDESK_BENCH_DB names another path,
with the same options as the app's embedded default (WAL, IMMEDIATE transactions, its PRAGMAs,
its connection reuse). SHOPDESK_BENCH_SYNCHRONOUS (NORMAL or FULL) overrides the app's
`PRAGMA synchronous`, to measure what durability costs.

PostgreSQL: DATABASE_URL names the bench's database, which generating the bench data drops and
builds again, so its name must contain "bench" (bench/generate.py refuses any other).

The production server the load tests start also serves a one-query JSON view at
/bench/floor/ (bench/urls.py): what any Django request costs on that server, measured beside
the scans in the same run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from shopdesk.settings import *  # noqa: F403
from shopdesk.settings import BASE_DIR
from shopdesk.settings import DATABASES as APP_DATABASES

BENCH_DB = Path(os.environ.get("SHOPDESK_BENCH_DB", BASE_DIR / "bench" / "bench.sqlite3"))
SYNCHRONOUS = os.environ.get("SHOPDESK_BENCH_SYNCHRONOUS", "").upper()
if SYNCHRONOUS and SYNCHRONOUS not in {"NORMAL", "FULL"}:
    raise ImproperlyConfigured("SHOPDESK_BENCH_SYNCHRONOUS must be NORMAL or FULL.")

_app_db = APP_DATABASES["default"]
if "sqlite" in _app_db["ENGINE"]:
    _options = dict(_app_db.get("OPTIONS", {}))
    if SYNCHRONOUS:
        init = re.sub(r"PRAGMA synchronous\s*=\s*\w+;\s*", "", _options.get("init_command", ""))
        _options["init_command"] = f"{init.strip()} PRAGMA synchronous={SYNCHRONOUS};".strip()
    DATABASES = {"default": {**_app_db, "NAME": BENCH_DB, "OPTIONS": _options}}
else:
    DATABASES = APP_DATABASES

ROOT_URLCONF = "bench.urls"
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

# The production server's static files (hashed names and their manifest, which its pages
# need) are collected here with the production settings by bench/floor.py, apart from the
# app's own.
STATIC_ROOT = BASE_DIR / "bench" / "staticfiles"

# Uploaded documents and combined traveler PDFs made by the benchmarks go beside the bench
# database (ignored by git like it), never into the app's own files.
STORAGES = {
    **STORAGES,  # noqa: F405
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(f"{BENCH_DB}.files")), "base_url": None},
    },
}
# Benchmarks run by `make bench` (bench/run.py), never by pytest.
collect_ignore_glob = ["*"]
