#!/usr/bin/env bash
# Serve ShopDesk: the web server and the task worker under one supervisor (scripts/serve.py).
# Called by `make run` after setup; PORT overrides 8000, HOST overrides 127.0.0.1.
set -eu
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/serve.py
