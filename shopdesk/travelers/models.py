from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from shopdesk.core.models import PaperSize, Shop
from shopdesk.jobs.models import Job
from shopdesk.parts.models import PartRevision, documents_storage


def new_traveler_token() -> str:
    # 128 bits of randomness, URL-safe: not guessable, short enough for a clean QR code.
    return secrets.token_urlsafe(16)


class Traveler(models.Model):
    """One printing of a job's traveler. The QR code carries the token, not the job number."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="travelers")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="travelers")
    token = models.CharField(max_length=40, unique=True, default=new_traveler_token)
    revision = models.CharField(max_length=10)
    # The revision printed on this traveler, so a scan after it is superseded can say so.
    part_revision = models.ForeignKey(
        PartRevision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paper_size = models.CharField(max_length=10, choices=PaperSize)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    printed_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The id the printing client (the print button's form, an API caller) made for this print,
    # so a double submit or a retry answers this traveler instead of printing a second one.
    client_id = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-printed_at", "-id"]
        indexes = [models.Index(fields=["job", "-printed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "client_id"],
                condition=models.Q(client_id__isnull=False),
                name="traveler_client_id_unique_per_shop",
            )
        ]

    def __str__(self) -> str:
        return f"Traveler for {self.job} printed {self.printed_at:%Y-%m-%d %H:%M}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Printing"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


# A batch is stalled when nothing has happened to it for longer than this: still queued this
# long after it was started or tried again (no worker picked it up), or printing with no
# traveler finished in this long (the worker died or hangs). A traveler takes about a second.
STALL_QUEUED_MINUTES = 2
STALL_RUNNING_MINUTES = 3


def batch_pdf_path(instance: TravelerBatch, filename: str) -> str:
    return f"shops/{instance.shop_id}/travelers/batch-{instance.pk}-{secrets.token_hex(8)}.pdf"


class TravelerBatch(models.Model):
    """One combined PDF of many travelers, made in the background with its progress stored."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=BatchStatus, default=BatchStatus.QUEUED)
    # The jobs to print, in order, and what the batch release said about the ones it refused.
    job_ids = models.JSONField(default=list)
    report = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    pdf = models.FileField(
        upload_to=batch_pdf_path, storage=documents_storage, blank=True, max_length=200
    )
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When a worker claimed the batch or last finished a traveler of it; null while queued.
    progress_at = models.DateTimeField(null=True, blank=True)
    # Which try this is. Only the task run for the current attempt may change the batch, so a
    # worker that wakes up after the batch was tried again leaves the new try alone.
    attempt = models.PositiveIntegerField(default=1)
    # When the batch was last put back in the queue by "Try again"; null if never.
    retried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["shop", "-created_at"])]

    def __str__(self) -> str:
        return f"Traveler batch {self.pk} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    def stalled_for(self, now: datetime.datetime | None = None) -> datetime.timedelta | None:
        """How long a queued or printing batch has gone without a sign of life, when that is
        longer than its status allows (STALL_*_MINUTES); None while it is fine or finished."""
        queued_at = self.retried_at or self.created_at
        if self.status == BatchStatus.QUEUED:
            since, limit = queued_at, STALL_QUEUED_MINUTES
        elif self.status == BatchStatus.RUNNING:
            # Claimed before progress was recorded: the queue time is the last sign of life.
            since, limit = self.progress_at or queued_at, STALL_RUNNING_MINUTES
        else:
            return None
        waited = (now or timezone.now()) - since
        return waited if waited > datetime.timedelta(minutes=limit) else None

    @property
    def stalled(self) -> bool:
        return self.stalled_for() is not None

    @property
    def retryable(self) -> bool:
        """A failed or stalled batch may be tried again (travelers.batch.traveler_batch_retry)."""
        return self.status == BatchStatus.FAILED or self.stalled
