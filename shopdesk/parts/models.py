from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from shopdesk.core.models import Shop
from shopdesk.customers.models import Customer


class Part(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="parts")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="parts"
    )
    number = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True)
    # The code of the revision new jobs get: the released one, else the newest draft.
    # Kept by parts.services whenever a revision is added or released; never typed in.
    revision = models.CharField(max_length=10, default="A", help_text="Current revision.")
    material = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="part_number_unique_per_shop")
        ]

    def __str__(self) -> str:
        return f"{self.number} rev {self.revision}"


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RELEASED = "released", "Released"
    SUPERSEDED = "superseded", "Superseded"


class PartRevision(models.Model):
    """One revision of a part (A, B, C… or the shop's own codes): draft → released → superseded.

    At most one revision of a part is released at a time; releasing one supersedes the last.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="revisions")
    code = models.CharField(max_length=10)
    status = models.CharField(max_length=12, choices=RevisionStatus, default=RevisionStatus.DRAFT)
    note = models.CharField(max_length=500, blank=True, help_text="What changed.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["part", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["part", "code"], name="part_revision_code_unique"),
            models.UniqueConstraint(
                fields=["part"],
                condition=Q(status="released"),
                name="one_released_revision_per_part",
            ),
        ]
        indexes = [models.Index(fields=["part", "status"])]

    def __str__(self) -> str:
        return self.code

    @property
    def is_released(self) -> bool:
        return self.status == RevisionStatus.RELEASED

    @property
    def is_superseded(self) -> bool:
        return self.status == RevisionStatus.SUPERSEDED


class DocumentKind(models.TextChoices):
    DRAWING = "drawing", "Drawing"
    MODEL = "model", "3D model"
    PROGRAM = "program", "NC program"
    SPECIFICATION = "specification", "Specification"
    CUSTOMER_PO = "customer_po", "Customer PO"
    OTHER = "other", "Other"


class _DocumentsStorage(LazyObject):
    """settings.STORAGES["documents"], looked up at first use and again after the setting
    changes (tests point it at a temporary directory)."""

    def _setup(self) -> None:
        self._wrapped = storages["documents"]


private_storage = _DocumentsStorage()


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs: object) -> None:
    if setting == "STORAGES":
        private_storage._wrapped = empty


def documents_storage() -> _DocumentsStorage:
    """The private file storage for FileFields (a callable, so migrations name no backend)."""
    return private_storage


def stored_file_path(instance: StoredFile, filename: str) -> str:
    # A generated name: the shop and the content hash. The uploaded name is never a path.
    return f"shops/{instance.shop_id}/{instance.sha256[:2]}/{instance.sha256}"


class StoredFile(models.Model):
    """File content, stored once per shop however many documents carry it (keyed by SHA-256)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    # The type found by reading the content, never the one the uploader claimed.
    content_type = models.CharField(max_length=100)
    blob = models.FileField(upload_to=stored_file_path, storage=documents_storage, max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "sha256"], name="stored_file_unique_per_shop")
        ]

    def __str__(self) -> str:
        return self.sha256[:12]


class Document(models.Model):
    """One version of a file attached to a part revision. A new version replaces, never overwrites:
    the old row stays, with `replaced_at` set and `replaced_by` pointing at the new one."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(PartRevision, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind, default=DocumentKind.OTHER)
    # A safe display name made from the uploaded one (no paths, no control characters).
    name = models.CharField(max_length=255)
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="documents")
    version = models.PositiveIntegerField(default=1)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["revision", "replaced_at", "-uploaded_at"]),
            models.Index(fields=["shop", "stored"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None
