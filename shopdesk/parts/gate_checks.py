"""What parts adds to the release gate (core.gates.release_checks): the job is made to a
released revision of its part, and that revision has a current drawing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shopdesk.parts.models import Document, DocumentKind, PartRevision, RevisionStatus


def _released_revision_of(part_id: int) -> PartRevision | None:
    return (
        PartRevision.objects.filter(part_id=part_id, status=RevisionStatus.RELEASED)
        .select_related("released_by")
        .first()
    )


def released_drawing_check(job: Any, loaded: Mapping[str, Any]) -> list[str]:
    """The job's revision is chosen, released (not a draft, not superseded) and has a current
    drawing. Reads `loaded["released_revision"]` and `loaded["released_documents"]` (the
    part's released revision and its current documents) when the caller has them."""
    revision = job.part_revision
    part_number = job.part.number
    if revision is None:
        return [f"Choose the revision of {part_number} this job is made to."]
    if revision.status == RevisionStatus.DRAFT:
        return [
            f"Revision {revision.code} of {part_number} is a draft; release it, or move the "
            "job to the released revision."
        ]
    if revision.status == RevisionStatus.SUPERSEDED:
        if "released_revision" in loaded:
            released = loaded["released_revision"]
        else:
            released = _released_revision_of(job.part_id)
        newer = f" by revision {released.code}" if released else ""
        return [
            f"Revision {revision.code} of {part_number} is superseded{newer}; move the job "
            "to the released revision."
        ]
    released = loaded.get("released_revision")
    documents = loaded.get("released_documents")
    if documents is not None and released is not None:
        has_drawing = released.pk == revision.pk and any(
            doc.kind == DocumentKind.DRAWING and doc.replaced_at is None for doc in documents
        )
    else:
        has_drawing = Document.objects.filter(
            revision=revision, kind=DocumentKind.DRAWING, replaced_at__isnull=True
        ).exists()
    if not has_drawing:
        return [f"Revision {revision.code} of {part_number} has no drawing; upload one to it."]
    return []
