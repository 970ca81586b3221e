"""Test setup for released files: a part's next revision released with its drawing, the way
parts.services does it (the older one superseded, open jobs given a notice of change)."""

from __future__ import annotations

from django.utils import timezone

from shopdesk.core.tests.factories import DocumentFactory
from shopdesk.jobs.services import notices_raise_for_release
from shopdesk.parts.models import Document, Part, PartRevision, RevisionStatus


def draft_revision(part: Part, code: str, *, drawing: bool = True) -> PartRevision:
    revision = PartRevision.objects.create(
        shop=part.shop, part=part, code=code, status=RevisionStatus.DRAFT
    )
    if drawing:
        DocumentFactory(revision=revision, name=f"{part.number}-rev-{code}.pdf")
    return revision


def release_revision(user, part: Part, code: str, *, drawing: bool = True) -> PartRevision:
    """Add revision `code` to the part with a drawing and release it, superseding the one
    released before; open jobs on the older revision get their notice."""
    revision = draft_revision(part, code, drawing=drawing)
    now = timezone.now()
    PartRevision.objects.filter(part=part, status=RevisionStatus.RELEASED).update(
        status=RevisionStatus.SUPERSEDED, superseded_at=now
    )
    revision.status = RevisionStatus.RELEASED
    revision.released_by = user
    revision.released_at = now
    revision.save()
    Part.objects.filter(pk=part.pk).update(revision=code)
    notices_raise_for_release(user=user, revision=revision)
    return revision


def drawing_of(revision: PartRevision) -> Document:
    return revision.documents.get(kind="drawing", replaced_at__isnull=True)
