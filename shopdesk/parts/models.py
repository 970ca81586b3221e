from __future__ import annotations

from django.db import models
from django.utils import timezone

from shopdesk.core.models import Shop
from shopdesk.customers.models import Customer


class Part(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="parts")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="parts"
    )
    number = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True)
    revision = models.CharField(max_length=10, default="A", help_text="Current revision letter.")
    material = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="part_number_unique_per_shop")
        ]

    def __str__(self) -> str:
        return f"{self.number} rev {self.revision}"
