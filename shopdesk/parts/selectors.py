"""Reads of parts, their revisions and documents, scoped to one shop."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from shopdesk.core.errors import InvalidInput
from shopdesk.core.models import Shop
from shopdesk.parts.models import Document, Part, PartRevision, RevisionStatus

SHA256_LENGTH = 64


def _id(value: object) -> int:
    text = str(value)
    if not text.isdigit() or len(text) > 18:
        raise Http404("Not found.")
    return int(text)


def get_part_for(shop: Shop, part_id: int | str) -> Part:
    """The shop's part; 404 for another shop's id or anything that is not an id."""
    try:
        return Part.objects.select_related("customer").get(pk=_id(part_id), shop=shop)
    except (Part.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such part.") from exc


def part_field(shop: Shop, part_id: int | None, field: str = "part") -> Part | None:
    """The shop's part named inside a request body; a 422 naming the field if it is not."""
    if part_id is None:
        return None
    try:
        return Part.objects.get(pk=part_id, shop=shop)
    except (Part.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise InvalidInput("No such part in this shop.", field=field) from exc


def _jobs() -> QuerySet:
    # Jobs point at parts; parts sit below jobs, so they are reached through that relation
    # rather than by importing the jobs app.
    return Part.jobs.rel.related_model.objects.all()


def get_revision_for(
    shop: Shop, revision_id: int | str, *, part: Part | None = None
) -> PartRevision:
    """The shop's revision (of `part`, when given); 404 otherwise."""
    revisions = PartRevision.objects.filter(shop=shop).select_related("part")
    if part is not None:
        revisions = revisions.filter(part=part)
    revision = revisions.filter(pk=_id(revision_id)).first()
    if revision is None:
        raise Http404("No such revision.")
    return revision


def _documents(shop: Shop) -> QuerySet[Document]:
    return Document.objects.filter(shop=shop).select_related(
        "stored", "revision", "revision__part", "uploaded_by"
    )


def get_document_for(shop: Shop, document_id: int | str) -> Document:
    """The shop's document with its stored file, revision and part; 404 otherwise."""
    document = _documents(shop).filter(pk=_id(document_id)).first()
    if document is None:
        raise Http404("No such document.")
    return document


def get_document_by_sha256(shop: Shop, sha256: str) -> Document:
    """The newest current document of the shop with this content; 404 when the shop has none
    (another shop holding the same bytes answers 404 too)."""
    sha256 = str(sha256).strip().lower()
    if len(sha256) != SHA256_LENGTH or any(ch not in "0123456789abcdef" for ch in sha256):
        raise Http404("No such document.")
    documents = _documents(shop).filter(stored__sha256=sha256)
    document = (
        documents.filter(replaced_at__isnull=True).order_by("-uploaded_at", "-id").first()
        or documents.order_by("-uploaded_at", "-id").first()
    )
    if document is None:
        raise Http404("No such document.")
    return document


def part_matching(q: str) -> Q:
    """What a part search box matches, on the page and in the API alike: part of the number
    or of the description, in any case."""
    q = q.strip()
    return Q(number__icontains=q) | Q(description__icontains=q) if q else Q()


def part_list(shop: Shop, *, q: str = "", customer_id: int | None = None) -> QuerySet[Part]:
    """Parts by number with their customer and open job count, in one query."""
    parts = (
        Part.objects.filter(shop=shop)
        .select_related("customer")
        .annotate(open_job_count=Count("jobs", filter=Q(jobs__is_open=True)))
    )
    parts = parts.filter(part_matching(q))
    if customer_id is not None:
        parts = parts.filter(customer_id=customer_id)
    return parts.order_by("number", "pk")


def part_jobs(part: Part, *, limit: int = 50) -> list[Model]:
    return list(
        _jobs()
        .filter(shop_id=part.shop_id, part=part)
        .select_related("customer", "current_work_center", "part_revision")
        .order_by("-created_at", "-number")[:limit]
    )


def part_revisions(part: Part) -> QuerySet[PartRevision]:
    """The part's revisions, newest first, with their count of current documents."""
    return (
        PartRevision.objects.filter(shop_id=part.shop_id, part=part)
        .select_related("created_by", "released_by")
        .annotate(document_count=Count("documents", filter=Q(documents__replaced_at__isnull=True)))
        .order_by("-created_at", "-id")
    )


def revision_documents(revision: PartRevision) -> list[Document]:
    """The revision's current documents (not replaced), newest first."""
    return list(
        Document.objects.filter(
            shop_id=revision.shop_id, revision=revision, replaced_at__isnull=True
        )
        .select_related("stored", "uploaded_by")
        .order_by("-uploaded_at", "-id")
    )


def document_history(document: Document) -> list[Document]:
    """Every version of the document, newest first (the chain of `replaced_by` links)."""
    versions = {
        doc.pk: doc
        for doc in Document.objects.filter(
            shop_id=document.shop_id, revision_id=document.revision_id
        ).select_related("stored", "uploaded_by")
    }
    replaced = {doc.replaced_by_id: doc for doc in versions.values() if doc.replaced_by_id}
    current = versions.get(document.pk, document)
    while current.replaced_by_id and current.replaced_by_id in versions:
        current = versions[current.replaced_by_id]
    chain = [current]
    while chain[-1].pk in replaced:
        chain.append(replaced[chain[-1].pk])
    return chain


@dataclass
class RevisionFiles:
    """One revision on the part page: its current documents (each with older versions) and how
    many open jobs would get a notice of change if it were released."""

    revision: PartRevision
    documents: list[Document] = field(default_factory=list)
    notice_jobs: int = 0
    errors: list[str] = field(default_factory=list)


def part_revision_files(part: Part) -> list[RevisionFiles]:
    """Every revision of the part with its documents and version history, in three queries
    whatever the number of revisions and documents."""
    revisions = [RevisionFiles(revision) for revision in part_revisions(part)]
    by_id = {row.revision.pk: row for row in revisions}
    documents = list(
        Document.objects.filter(shop_id=part.shop_id, revision__part=part)
        .select_related("stored", "uploaded_by")
        .order_by("-uploaded_at", "-id")
    )
    replaced = {doc.replaced_by_id: doc for doc in documents if doc.replaced_by_id}
    for doc in documents:
        if doc.replaced_at is not None:
            continue
        older = []
        cursor = doc
        while cursor.pk in replaced and len(older) < len(documents):
            cursor = replaced[cursor.pk]
            older.append(cursor)
        doc.older_versions = older
        row = by_id.get(doc.revision_id)
        if row is not None:
            row.documents.append(doc)
    open_jobs = (
        _jobs()
        .filter(shop_id=part.shop_id, part=part, is_open=True)
        .exclude(part_revision__isnull=True)
        .values_list("part_revision_id")
        .annotate(count=Count("pk"))
    )
    counts = dict(open_jobs)
    total = sum(counts.values())
    for row in revisions:
        if row.revision.status == RevisionStatus.DRAFT:
            row.notice_jobs = total - counts.get(row.revision.pk, 0)
    return revisions


def open_jobs_needing_notice(revision: PartRevision) -> list[Model]:
    """Open jobs of the part that are on another revision: they get a notice if it is released."""
    return list(
        _jobs()
        .filter(shop_id=revision.shop_id, part_id=revision.part_id, is_open=True)
        .exclude(part_revision__isnull=True)
        .exclude(part_revision=revision)
        .select_related("part_revision", "customer")
        .order_by("number")
    )


# ---------------------------------------------------------------------------------------------
# Released files: what the floor makes parts to


def revisions_in_play(shop: Shop, part_id: int) -> list[PartRevision]:
    """The part's released and draft revisions (with who released them), in one query."""
    return list(
        PartRevision.objects.filter(
            shop=shop,
            part_id=part_id,
            status__in=[RevisionStatus.RELEASED, RevisionStatus.DRAFT],
        )
        .select_related("released_by")
        .order_by("code", "id")
    )


def released_files(
    shop: Shop, part_id: int, *, revisions: list[PartRevision] | None = None
) -> tuple[PartRevision | None, list[Document]]:
    """The part's released revision (with who released it) and its current documents, newest
    first: what the floor makes parts to. Two queries (one if `revisions` from
    revisions_in_play are given); (None, []) when nothing is released."""
    if revisions is None:
        revisions = revisions_in_play(shop, part_id)
    revision = next((r for r in revisions if r.status == RevisionStatus.RELEASED), None)
    if revision is None:
        return None, []
    documents = list(
        Document.objects.filter(revision=revision, replaced_at__isnull=True)
        .select_related("stored")
        .order_by("-uploaded_at", "-id")
    )
    return revision, documents


@dataclass(frozen=True)
class ReleasedFiles:
    """A part's released and draft revisions, its released revision and its current files."""

    revisions_in_play: list[PartRevision]
    revision: PartRevision | None
    documents: list[Document]


def job_released_files(shop: Shop, job: Any) -> ReleasedFiles:
    """The released files of the job's part, read once per job object (two queries): the live
    page's revision banner, release gate and files section share the read."""
    files = job.__dict__.get("_released_files")
    if files is None:
        revisions = revisions_in_play(shop, job.part_id)
        revision, documents = released_files(shop, job.part_id, revisions=revisions)
        files = ReleasedFiles(revisions_in_play=revisions, revision=revision, documents=documents)
        job._released_files = files
    return files


# The private file view of parts (it checks the caller's shop before it serves a byte).
DOCUMENT_URL_NAME = "parts:document_file"
SIZE_UNITS = ("KB", "MB", "GB", "TB")


def size_label(size: int) -> str:
    """'820 bytes', '14 KB', '2.4 MB': a file's size at a glance."""
    if size < 1000:
        return f"{size} byte{'s' if size != 1 else ''}"
    value = float(size)
    for unit in SIZE_UNITS:
        value /= 1000
        if value < 1000 or unit == SIZE_UNITS[-1]:
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size} bytes"


def document_url(document: Document) -> str:
    return reverse(DOCUMENT_URL_NAME, args=[document.pk])


def with_links(documents: Sequence[Document]) -> list[Document]:
    """The documents with `url` and `size_label` set for the templates."""
    for document in documents:
        document.url = document_url(document)
        document.size_label = size_label(document.stored.size)
    return list(documents)
