"""Parts over the API: list, create, read and change; their revisions (list, add, release) and
documents (list, upload, read, download, find by content hash)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from shopdesk.core.api_errors import error_responses
from shopdesk.core.errors import InvalidInput
from shopdesk.customers.selectors import customer_field
from shopdesk.lib.schemas import (
    CustomerRefOut,
    DbId,
    DocumentFieldsOut,
    InSchema,
    PageQuery,
    PersonOut,
    SearchText,
    paginate,
    text,
)
from shopdesk.parts import files, selectors, services
from shopdesk.parts.files import kind_for_name
from shopdesk.parts.models import Document, DocumentKind, Part, PartRevision
from shopdesk.parts.selectors import get_part_for

router = Router(tags=["parts"])

Number = text(60)
Description = text(200)
Revision = text(10)
Material = text(120)


class PartOut(Schema):
    id: int
    number: str
    description: str
    revision: str
    material: str
    customer: CustomerRefOut | None
    created_at: datetime.datetime


class PartPage(Schema):
    count: int
    items: list[PartOut]


class PartIn(InSchema):
    number: Number
    revision: Revision = "A"
    description: Description = ""
    material: Material = ""
    customer: DbId | None = Field(None, description="Id of the customer the part belongs to.")


class PartPatch(InSchema):
    """The revision is not here: it follows the released revision (add and release one)."""

    number: Number = None
    description: Description = None
    material: Material = None
    customer: DbId | None = Field(None, description="Id of a customer, or null for none.")


class PartQuery(PageQuery):
    q: SearchText = Field("", description="Part of the part number or description.")
    customer: DbId | None = Field(None, description="Only this customer's parts.")


@router.get("/parts", response={200: PartPage, **error_responses()})
def part_list(request: HttpRequest, filters: Query[PartQuery]) -> dict:
    parts = Part.objects.filter(shop=request.shop).select_related("customer").order_by("number")
    parts = parts.filter(selectors.part_matching(filters.q))
    if filters.customer is not None:
        parts = parts.filter(customer_id=filters.customer)
    return paginate(parts, filters)


@router.post("/parts", response={201: PartOut, **error_responses(403)})
def part_create(request: HttpRequest, payload: PartIn) -> Status[Part]:
    values = payload.dict()
    values["customer"] = customer_field(request.shop, values["customer"])
    return Status(201, services.part_create(user=request.user, **values))


@router.get("/parts/{part_id}", response={200: PartOut, **error_responses(404)})
def part_get(request: HttpRequest, part_id: DbId) -> Part:
    return get_part_for(request.shop, part_id)


@router.patch("/parts/{part_id}", response={200: PartOut, **error_responses(403, 404)})
def part_update(request: HttpRequest, part_id: DbId, payload: PartPatch) -> Part:
    part = get_part_for(request.shop, part_id)
    changes = payload.dict(exclude_unset=True)
    if not changes:
        return part
    if "customer" in changes:
        changes["customer"] = customer_field(request.shop, changes["customer"])
    return services.part_update(user=request.user, part=part, **changes)


# ------------------------------------------------------------------------------ revisions


class RevisionOut(Schema):
    id: int
    code: str
    status: str = Field(description="draft, released or superseded.")
    note: str
    document_count: int = Field(description="Current (not replaced) documents.")
    created_at: datetime.datetime
    created_by: PersonOut | None
    released_at: datetime.datetime | None
    released_by: PersonOut | None
    superseded_at: datetime.datetime | None

    @staticmethod
    def resolve_document_count(obj: PartRevision) -> int:
        count = getattr(obj, "document_count", None)
        if count is None:
            count = obj.documents.filter(replaced_at__isnull=True).count()
        return count


class RevisionIn(InSchema):
    code: Revision = Field(description="Unique per part: letters and digits, then . - _.")
    note: text(500) = Field("", description="What changed.")


def _revision_out(revision: PartRevision) -> PartRevision:
    return selectors.part_revisions(revision.part).get(pk=revision.pk)


@router.get(
    "/parts/{part_id}/revisions",
    response={200: list[RevisionOut], **error_responses(404)},
)
def revision_list(request: HttpRequest, part_id: DbId) -> list[PartRevision]:
    """The part's revisions, newest first."""
    part = get_part_for(request.shop, part_id)
    return list(selectors.part_revisions(part))


@router.post(
    "/parts/{part_id}/revisions",
    response={201: RevisionOut, **error_responses(403, 404)},
)
def revision_create(
    request: HttpRequest, part_id: DbId, payload: RevisionIn
) -> Status[PartRevision]:
    """Add a draft revision. Upload its documents, then release it."""
    part = get_part_for(request.shop, part_id)
    revision = services.revision_create(
        user=request.user, part=part, code=payload.code, note=payload.note
    )
    return Status(201, _revision_out(revision))


@router.post(
    "/parts/{part_id}/revisions/{revision_id}/release",
    response={200: RevisionOut, **error_responses(403, 404, 409)},
)
def revision_release(request: HttpRequest, part_id: DbId, revision_id: DbId) -> PartRevision:
    """Release a draft revision: the one released before is superseded and every open job on
    an older revision gets a notice of change."""
    part = get_part_for(request.shop, part_id)
    revision = selectors.get_revision_for(request.shop, revision_id, part=part)
    return _revision_out(services.revision_release(user=request.user, revision=revision))


# ------------------------------------------------------------------------------ documents


class RevisionRefOut(Schema):
    id: int
    code: str
    status: str


class DocumentOut(DocumentFieldsOut):
    part_id: int
    revision: RevisionRefOut
    uploaded_by: PersonOut | None
    replaced_at: datetime.datetime | None
    replaced_by_id: int | None
    download_url: str

    @staticmethod
    def resolve_part_id(obj: Document) -> int:
        return obj.revision.part_id

    @staticmethod
    def resolve_download_url(obj: Document) -> str:
        return f"/api/v1/documents/{obj.pk}/file"


class DocumentQuery(Schema):
    history: bool = Field(False, description="Also list replaced versions.")


FILE_RESPONSE = {
    "description": "The stored file, with the content type read from its content (one of the "
    "listed ones). PDFs and images are served inline, everything else as an attachment.",
    # Every type the content can be recognised as (files.sniff), without parameters.
    "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in dict.fromkeys(
            content_type.split(";")[0] for content_type in files.EXTENSION_FOR_TYPE
        )
    },
}


@router.get(
    "/parts/{part_id}/revisions/{revision_id}/documents",
    response={200: list[DocumentOut], **error_responses(404)},
)
def document_list(
    request: HttpRequest, part_id: DbId, revision_id: DbId, filters: Query[DocumentQuery]
) -> list[Document]:
    """The revision's current documents, newest first (with `history=true`, every version)."""
    part = get_part_for(request.shop, part_id)
    revision = selectors.get_revision_for(request.shop, revision_id, part=part)
    documents = Document.objects.filter(shop=request.shop, revision=revision).select_related(
        "stored", "revision", "uploaded_by"
    )
    if not filters.history:
        documents = documents.filter(replaced_at__isnull=True)
    return list(documents.order_by("-uploaded_at", "-id"))


@router.post(
    "/parts/{part_id}/revisions/{revision_id}/documents",
    response={201: DocumentOut, **error_responses(403, 404, 409)},
)
def document_upload(
    request: HttpRequest,
    part_id: DbId,
    revision_id: DbId,
    file: File[UploadedFile],
    kind: Form[str] = "auto",
    replaces: Form[int | None] = None,
) -> Status[Document]:
    """Upload one file (multipart) to a revision. `kind` is one of drawing, model, program,
    specification, customer_po, other, or `auto` (by extension). With `replaces`, the
    upload becomes the next version of that document of the same revision. Identical content
    is stored once per shop: look it up first with `GET /documents/by-sha256/{sha256}`."""
    part = get_part_for(request.shop, part_id)
    revision = selectors.get_revision_for(request.shop, revision_id, part=part)
    old = None
    if replaces is not None:
        old = Document.objects.filter(shop=request.shop, pk=replaces).first()
        if old is None:
            raise InvalidInput("No such document in this shop.", field="replaces")
    kind = kind_for_name(file.name or "") if kind in ("", "auto") else kind
    if kind not in DocumentKind.values:
        raise InvalidInput(
            "Use one of: auto, " + ", ".join(DocumentKind.values) + ".", field="kind"
        )
    document = services.document_upload(
        user=request.user,
        revision=revision,
        upload=file,
        kind=kind,
        replaces=old,
    )
    return Status(201, selectors.get_document_for(request.shop, document.pk))


@router.get(
    "/documents/by-sha256/{sha256}",
    response={200: DocumentOut, **error_responses(404)},
)
def document_by_sha256(request: HttpRequest, sha256: str) -> Document:
    """The newest document of your shop with this content (hex SHA-256), so a client can skip
    uploading bytes the shop already has. Another shop's content answers 404."""
    return selectors.get_document_by_sha256(request.shop, sha256)


@router.get("/documents/{document_id}", response={200: DocumentOut, **error_responses(404)})
def document_get(request: HttpRequest, document_id: DbId) -> Document:
    return selectors.get_document_for(request.shop, document_id)


@router.get(
    "/documents/{document_id}/file",
    response=error_responses(404, 410),
    openapi_extra={"responses": {"200": FILE_RESPONSE}},
)
def document_file(request: HttpRequest, document_id: DbId) -> HttpResponse:
    """The document's file, streamed. 410 when the stored file is missing on the server (a
    database restored without its files)."""
    return files.file_response(selectors.get_document_for(request.shop, document_id))
