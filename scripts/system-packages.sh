#!/usr/bin/env bash
# Install the Debian/Ubuntu packages ShopDesk needs when they are missing.
#   scripts/system-packages.sh run    WeasyPrint's libraries and a font (for PDFs)
#   scripts/system-packages.sh test   the same, plus Chromium for the browser tests
# With DATABASE_URL=postgres… both add postgresql-client (backup and restore use it).
# Uses apt-get as root, or through sudo when it can; otherwise says what to install.
set -u
want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
[ "${1:-run}" = "test" ] && want+=(chromium poppler-utils)
# pg_dump and psql, for `manage.py backup` and `restore` of a PostgreSQL database.
case "${DATABASE_URL:-}" in
  postgres*) command -v pg_dump >/dev/null 2>&1 || want+=(postgresql-client) ;;
esac

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then apt=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then apt=(sudo apt-get)
else
  echo "ShopDesk needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq >/dev/null 2>&1 || true
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || "${apt[@]}" install -y -qq "${missing[@]}" >/dev/null 2>&1 \
  || echo "Could not install: ${missing[*]} (PDFs or browser tests may not work)" >&2
exit 0
