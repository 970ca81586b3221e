"""Client-made ids: what a phone or an integration sends so that a retried request is answered
with the first one's result instead of acting twice."""

from __future__ import annotations

import re

# Long enough not to collide by chance, short enough for an index; no spaces or slashes.
CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
