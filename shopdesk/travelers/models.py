from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from shopdesk.core.models import PaperSize, Shop
from shopdesk.jobs.models import Job


def new_traveler_token() -> str:
    # 128 bits of randomness, URL-safe: not guessable, short enough for a clean QR code.
    return secrets.token_urlsafe(16)


class Traveler(models.Model):
    """One printing of a job's traveler. The QR code carries the token, not the job number."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="travelers")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="travelers")
    token = models.CharField(max_length=40, unique=True, default=new_traveler_token)
    revision = models.CharField(max_length=10)
    paper_size = models.CharField(max_length=10, choices=PaperSize)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    printed_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-printed_at", "-id"]
        indexes = [models.Index(fields=["job", "-printed_at"])]

    def __str__(self) -> str:
        return f"Traveler for {self.job} printed {self.printed_at:%Y-%m-%d %H:%M}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
