"""What parts shows on the live job page (core.live_sections): the released files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shopdesk.core.live_sections import Place, live_section
from shopdesk.core.models import Shop
from shopdesk.parts.selectors import job_released_files, with_links


@live_section("files", Place.SIDE_TOP, order=10, template="parts/live_files.html", queries=2)
def released_files_section(shop: Shop, job: Any) -> Mapping[str, Any]:
    """The part's released revision and its current files, with their links; two queries,
    none when the job's released files were already read (the gate reads them too)."""
    files = job_released_files(shop, job)
    return {
        "part": job.part,
        "revision": files.revision,
        "documents": with_links(files.documents),
    }
