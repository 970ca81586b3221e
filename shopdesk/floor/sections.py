"""What the floor shows on the live job page (core.live_sections): the notes operators wrote."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shopdesk.core.live_sections import Place, live_section
from shopdesk.core.models import Shop
from shopdesk.jobs.models import FloorAction, Job

FLOOR_NOTES_SHOWN = 30


@live_section("notes", Place.SIDE_END, order=50, template="floor/live_notes.html", queries=1)
def floor_notes_section(shop: Shop, job: Job) -> Mapping[str, Any]:
    """The newest notes written with a floor action on the job's operations; one query."""
    return {
        "notes": list(
            FloorAction.objects.filter(shop=shop, operation__job=job)
            .exclude(note="")
            .select_related("user", "operation")
            .order_by("-created_at", "-id")[:FLOOR_NOTES_SHOWN]
        )
    }
