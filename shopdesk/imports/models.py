"""A file checked on the import page and waiting for the person to confirm it.

The browser cannot send a file twice, so the dry run keeps what was uploaded here until the
import is confirmed (then the content is dropped) or the next day's clean-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shopdesk.core.models import Shop


class PendingImport(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    routing_name = models.CharField(max_length=200, blank=True)
    routing_content = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} from {self.file_name}"
