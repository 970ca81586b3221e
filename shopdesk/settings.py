"""ShopDesk settings: one file, configured by the environment.

Embedded default: SQLite in WAL mode, files on local disk, tasks in the database.
Set DATABASE_URL for PostgreSQL. Set SHOPDESK_PRODUCTION=1 for the hardened profile
(`manage.py check --deploy` is clean there); SECRET_KEY then must come from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shopdesk.lib import secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("SHOPDESK_PRODUCTION")
DEBUG = env_bool("DEBUG", default=False)

# Where the SQLite database, files and the installation's secret key live.
DATA_DIR = Path(os.environ.get("SHOPDESK_DATA_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION and (not SECRET_KEY or secret_key.is_weak(SECRET_KEY)):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment in production: a random value of at least "
        f"{secret_key.MIN_LENGTH} characters, e.g. from "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(64))'`."
    )
if not SECRET_KEY:
    # Anywhere else: this installation's own random key, made on first start and kept in
    # DATA_DIR/secret_key (mode 0600), so sessions survive restarts and no one else has it.
    try:
        SECRET_KEY = secret_key.installation_key(DATA_DIR)
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"Cannot read or make the secret key: {exc}") from exc

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The absolute base of links printed on paper (traveler QR codes). Empty: taken from the request.
# `make run` sets it to the machine's network address when serving on HOST=0.0.0.0.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
if SITE_URL and urlsplit(SITE_URL).hostname:
    # The address printed on travelers is one this server answers to.
    _site_host = urlsplit(SITE_URL).hostname
    if _site_host not in ALLOWED_HOSTS and f"[{_site_host}]" not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(f"[{_site_host}]" if ":" in _site_host else _site_host)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    # Only for the bundled Swagger UI template and static files served at /api/v1/docs.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "shopdesk.core",
    "shopdesk.customers",
    "shopdesk.parts",
    "shopdesk.jobs",
    "shopdesk.floor",
    "shopdesk.dispatch",
    "shopdesk.imports",
    "shopdesk.travelers",
    "shopdesk.api",
    "shopdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shopdesk.floor.middleware.KioskIdleMiddleware",
    "shopdesk.core.middleware.ShopMiddleware",
    # NUL characters in paths, query strings, forms and API bodies; lock conflicts as a 503.
    "shopdesk.core.guards.NulCharacterMiddleware",
    "shopdesk.core.guards.LockConflictMiddleware",
    "shopdesk.core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "shopdesk.urls"
WSGI_APPLICATION = "shopdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shopdesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shopdesk.core.context_processors.shop",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            # Django's SQLite backend, writers queued by a file lock (shopdesk/lib/sqlite).
            "ENGINE": "shopdesk.lib.sqlite",
            "NAME": DATA_DIR / "shopdesk.sqlite3",
            "OPTIONS": {
                # WAL lets the web process and the task worker read while one writes.
                # synchronous=FULL syncs the WAL on every commit: an acknowledged scan
                # survives a power cut (NORMAL may lose the last commits before a checkpoint).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # Each gunicorn sync worker (one thread) keeps its connection between requests, as
            # on PostgreSQL: opening one runs the PRAGMAs above, and the last one to close
            # checkpoints the WAL, which together cost a third of a scan.
            "CONN_MAX_AGE": env_int("SQLITE_CONN_MAX_AGE", 600),
            # Tests run on an in-memory database, one per test process, as Django's own SQLite
            # backend gets by default (pytest-django only knows that backend by its name).
            "TEST": {"NAME": ":memory:"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Chicago")
# ShopDesk speaks English and has no translations: without the translation machinery every
# number and date a page prints skips a lookup of the active language (a tenth of a
# 50-row dispatch list's time).
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The project-wide static files (shopdesk.css, floor.js) live outside any app.
STATICFILES_DIRS = [BASE_DIR / "shopdesk" / "static"]
# Private files (part documents, combined traveler PDFs) live in the "documents" storage:
# local disk under SHOPDESK_DATA_DIR by default, S3-compatible object storage when
# SHOPDESK_S3_BUCKET is set. They have no public URL; views that check the caller serve them.
FILES_ROOT = Path(os.environ.get("SHOPDESK_FILES_ROOT", DATA_DIR / "files"))
if os.environ.get("SHOPDESK_S3_BUCKET"):
    _documents_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["SHOPDESK_S3_BUCKET"],
            "endpoint_url": os.environ.get("SHOPDESK_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("SHOPDESK_S3_REGION") or None,
            "access_key": os.environ.get("SHOPDESK_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("SHOPDESK_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _documents_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(FILES_ROOT), "base_url": None},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": _documents_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# Media is never served as static files: private files go through views that check the caller.
MEDIA_URL = "/files/"

CACHES = {
    "default": {
        # Login rate limiting is counted in the database cache so that every app process
        # (and the test client) shares one count.
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shopdesk_cache",
        # Rendered traveler PDFs live here too (about 20 kB each).
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ShopDesk <shopdesk@localhost>")

# Failed sign-ins allowed in LOGIN_RATE_WINDOW seconds (shopdesk.core.ratelimit): per
# username from one address or one known device, per address across usernames, and per
# username from every address together. A browser that signed in before is judged by its
# own failures only, so no one elsewhere can lock its owner out.
LOGIN_RATE_LIMIT = env_int("LOGIN_RATE_LIMIT", 10)
LOGIN_RATE_LIMIT_PER_ADDRESS = env_int("LOGIN_RATE_LIMIT_PER_ADDRESS", 50)
LOGIN_RATE_LIMIT_PER_USER = env_int("LOGIN_RATE_LIMIT_PER_USER", 50)
LOGIN_RATE_WINDOW = env_int("LOGIN_RATE_WINDOW", 300)
# Password reset: requests per client address, and emails sent to one address, per window.
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 10)
PASSWORD_RESET_EMAILS = env_int("PASSWORD_RESET_EMAILS", 5)
PASSWORD_RESET_WINDOW = env_int("PASSWORD_RESET_WINDOW", 3600)
# Wrong kiosk PINs allowed per badge (on every tablet of the shop) in KIOSK_PIN_WINDOW seconds.
KIOSK_PIN_ATTEMPTS = env_int("KIOSK_PIN_ATTEMPTS", 5)
KIOSK_PIN_WINDOW = env_int("KIOSK_PIN_WINDOW", 300)
# How many reverse proxies stand in front of the app and append the address they saw to
# TRUSTED_PROXY_HEADER. 0 (the default): the header is the client's own words and is never
# believed; the client's address is the connection's.
TRUSTED_PROXY_COUNT = env_int("SHOPDESK_TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXY_HEADER = os.environ.get("SHOPDESK_TRUSTED_PROXY_HEADER", "X-Forwarded-For")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Upload limits: the request body Django will hold in memory and the API's JSON bodies.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
