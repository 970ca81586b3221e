#!/usr/bin/env bash
# Serve ShopDesk with the production server (gunicorn) and one background task worker.
# Called by `make run` after setup; PORT overrides 8000, HOST overrides 127.0.0.1.
set -eu
cd "$(dirname "$0")/.."
port="${PORT:-8000}"
host="${HOST:-127.0.0.1}"
workers="${WEB_WORKERS:-2}"

.venv/bin/python manage.py db_worker --interval 1 &
worker=$!
# Labor: pause open entries once a shop's shift end has passed (checked every minute).
.venv/bin/python manage.py labor_shift_end --every 60 &
shift_end=$!
trap 'kill "$worker" "$shift_end" 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  ShopDesk is running at http://$host:$port/

  Demo logins (demo data only; password for all: demo)
    supervisor   plans, releases and watches the floor   (Demo Machine Works)
    owner        everything                               (Demo Machine Works)
    operator     the floor: scan, start, finish, block    (Demo Machine Works)
    office       customers, parts and jobs                (Demo Machine Works)
    quality      inspection and holds                     (Demo Machine Works)
    anodizer     a second shop, to see tenancy            (Demo Anodizing Co)

  Stop with Ctrl+C.

MSG
exec .venv/bin/gunicorn shopdesk.wsgi:application \
  --bind "$host:$port" --workers "$workers" --access-logfile - --log-level warning \
  --graceful-timeout 5 --timeout 60
