"""Documents on a part revision: upload (hashed, sniffed, stored once per shop) and replace.

The content is read and judged before any row is written or locked: a 100 MB upload is hashed
outside the transaction, and the blob is written to its content-addressed path first (writing
the same bytes to the same path twice is harmless, so a rolled-back upload leaves nothing that
a later one would not reuse).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.models import Shop
from shopdesk.core.permissions import membership_of, require_planner
from shopdesk.core.services import event_append
from shopdesk.lib.db import for_update
from shopdesk.parts import files
from shopdesk.parts.models import (
    Document,
    DocumentKind,
    PartRevision,
    RevisionStatus,
    StoredFile,
    private_storage,
    stored_file_path,
)

MEGABYTE = 1024 * 1024


def upload_limit_bytes(shop: Shop) -> int:
    return max(1, shop.upload_limit_mb or 100) * MEGABYTE


def _judge(upload: UploadedFile, shop: Shop) -> tuple[files.Digest, str, str]:
    """Hash, size, sniffed type and safe name of the upload; refuses what cannot be stored."""
    limit = upload_limit_bytes(shop)
    too_large = InvalidInput(
        f"The file is larger than this shop's limit of {shop.upload_limit_mb} MB.", field="file"
    )
    if upload is None or not hasattr(upload, "chunks"):
        raise InvalidInput("Choose a file to upload.", field="file")
    if upload.size is not None and upload.size > limit:
        raise too_large
    try:
        digest = files.digest(upload.chunks(files.CHUNK_SIZE), limit=limit)
    except files.TooLarge as exc:
        raise too_large from exc
    if digest.size == 0:
        raise InvalidInput("The file is empty (0 bytes).", field="file")
    try:
        content_type = files.sniff(digest.head, digest.size)
        name = files.safe_name(upload.name, sha256=digest.sha256, content_type=content_type)
        files.check_name_matches(name, content_type)
    except files.UnsafeFile as exc:
        raise InvalidInput(str(exc), field="file") from exc
    return digest, content_type, name


def _write_blob(shop: Shop, upload: UploadedFile, digest: files.Digest, content_type: str) -> str:
    """The storage name of the content, written now unless the shop has it already."""
    existing = StoredFile.objects.filter(shop=shop, sha256=digest.sha256).only("blob").first()
    if existing is not None:
        name = existing.blob.name
        if not private_storage.exists(name):
            # The stored copy went missing (restored without the files): the same bytes
            # uploaded again put it back for every document that shares them.
            upload.seek(0)
            private_storage.save(name, upload)
        return name
    path = stored_file_path(
        StoredFile(shop=shop, sha256=digest.sha256, size=digest.size), upload.name or ""
    )
    if private_storage.exists(path) and private_storage.size(path) == digest.size:
        return path
    upload.seek(0)
    return private_storage.save(path, upload)


def _stored_file(
    shop: Shop, digest: files.Digest, content_type: str, blob_name: str
) -> tuple[StoredFile, bool]:
    stored = StoredFile.objects.filter(shop=shop, sha256=digest.sha256).first()
    if stored is not None:
        return stored, False
    try:
        with transaction.atomic():
            stored = StoredFile(
                shop=shop, sha256=digest.sha256, size=digest.size, content_type=content_type
            )
            stored.blob.name = blob_name
            stored.save()
            return stored, True
    except IntegrityError:
        # Another upload of the same bytes got there first: one copy per shop either way.
        return StoredFile.objects.get(shop=shop, sha256=digest.sha256), False


def document_upload(
    *,
    user: AbstractBaseUser,
    revision: PartRevision,
    upload: UploadedFile,
    kind: str,
    replaces: Document | None = None,
) -> Document:
    """Attach a file to a revision as a new document, or as the next version of `replaces`.

    Refused (nothing stored): another shop's revision, a superseded revision, an empty file,
    one over the shop's size limit, a program, or content its name contradicts.
    """
    shop = require_planner(user).shop
    if revision.shop_id != shop.id:
        raise InvalidInput("No such revision in this shop.", field="revision")
    if replaces is not None and replaces.shop_id != shop.id:
        raise InvalidInput("No such document in this shop.", field="replaces")
    if kind not in DocumentKind.values:
        raise InvalidInput(
            "Choose a kind: " + ", ".join(str(label) for label in DocumentKind.labels) + ".",
            field="kind",
        )
    if revision.status == RevisionStatus.SUPERSEDED:
        raise ActionRefused(_superseded_message(revision))
    digest, content_type, name = _judge(upload, shop)
    blob_name = _write_blob(shop, upload, digest, content_type)
    return _document_record(
        user=user,
        shop=shop,
        revision=revision,
        kind=kind,
        name=name,
        digest=digest,
        content_type=content_type,
        blob_name=blob_name,
        replaces=replaces,
    )


def _superseded_message(revision: PartRevision) -> str:
    return (
        f"Revision {revision.code} is superseded; its files are kept as they were. "
        "Upload to the current revision instead."
    )


@transaction.atomic
def _document_record(
    *,
    user: AbstractBaseUser,
    shop: Shop,
    revision: PartRevision,
    kind: str,
    name: str,
    digest: files.Digest,
    content_type: str,
    blob_name: str,
    replaces: Document | None,
) -> Document:
    revision = (
        for_update(PartRevision.objects).select_related("part").get(pk=revision.pk, shop=shop)
    )
    if revision.status == RevisionStatus.SUPERSEDED:
        raise ActionRefused(_superseded_message(revision))
    old = None
    if replaces is not None:
        old = for_update(Document.objects).filter(pk=replaces.pk, shop=shop).first()
        if old is None or old.revision_id != revision.pk:
            raise InvalidInput(
                f"That document is not on revision {revision.code}.", field="replaces"
            )
        if old.replaced_at is not None:
            raise ActionRefused(
                f"{old.name} v{old.version} was already replaced by a newer version."
            )
    stored, fresh = _stored_file(shop, digest, content_type, blob_name)
    now = timezone.now()
    document = Document.objects.create(
        shop=shop,
        revision=revision,
        kind=kind,
        name=name,
        stored=stored,
        version=old.version + 1 if old is not None else 1,
        uploaded_by=user,
        uploaded_at=now,
    )
    if old is not None:
        old.replaced_by = document
        old.replaced_at = now
        old.save(update_fields=["replaced_by", "replaced_at"])
    part = revision.part
    label = DocumentKind(kind).label
    if old is not None:
        summary = f"{label} {name} v{document.version} replaces v{old.version} on"
    else:
        summary = f"{label} {name} uploaded to"
    event_append(
        shop=shop,
        actor=user,
        kind=EventKind.PART_DOCUMENT_REPLACED
        if old is not None
        else EventKind.PART_DOCUMENT_UPLOADED,
        subject=document,
        summary=f"{summary} {part.number} rev {revision.code}",
        before={"document": old.pk, "name": old.name, "version": old.version} if old else None,
        after={
            "name": name,
            "kind": kind,
            "revision": revision.code,
            "version": document.version,
            "sha256": digest.sha256,
            "size": digest.size,
            "content_type": content_type,
            "stored_once": not fresh,
        },
    )
    return document


MAX_UPLOAD_LIMIT_MB = 2048


@transaction.atomic
def shop_set_upload_limit(*, user: AbstractBaseUser, megabytes: int) -> Shop:
    """Set the largest single document the shop accepts (1 MB to 2 GB). Owners and supervisors
    only: the limit guards the shop's disk and everyone's upload time."""
    actor = membership_of(user)
    if not actor.can_supervise:
        raise PermissionRefused("Only an owner or a supervisor can change the upload limit.")
    if (
        isinstance(megabytes, bool)
        or not isinstance(megabytes, int)
        or not 1 <= megabytes <= MAX_UPLOAD_LIMIT_MB
    ):
        raise InvalidInput(
            f"The upload limit is a whole number of megabytes from 1 to {MAX_UPLOAD_LIMIT_MB}.",
            field="upload_limit_mb",
        )
    shop = for_update(Shop.objects).get(pk=actor.shop_id)
    before = shop.upload_limit_mb
    if before != megabytes:
        shop.upload_limit_mb = megabytes
        shop.save(update_fields=["upload_limit_mb"])
        event_append(
            shop=shop,
            actor=user,
            kind=EventKind.SHOP_UPLOAD_LIMIT,
            subject=shop,
            summary=f"Largest document upload set to {megabytes} MB (was {before} MB)",
            before={"upload_limit_mb": before},
            after={"upload_limit_mb": megabytes},
        )
    return shop
