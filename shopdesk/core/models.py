"""Shops (tenants), the people in them, the event log and API tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class PaperSize(models.TextChoices):
    LETTER = "letter", "Letter (8.5 × 11 in)"
    A4 = "a4", "A4 (210 × 297 mm)"


# A new shop pauses open labor at the end of a usual day shift, so time left running overnight
# is not counted as work; the shop can change it (or clear it) on its floor settings.
DEFAULT_SHIFT_END = datetime.time(17, 0)


class Shop(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    paper_size = models.CharField(max_length=10, choices=PaperSize, default=PaperSize.LETTER)
    # The next job number handed out; taken under a row lock by job_create.
    next_job_number = models.PositiveIntegerField(default=1001)
    # Open labor entries are paused at this local time each day; blank leaves them running.
    shift_end_time = models.TimeField(null=True, blank=True, default=DEFAULT_SHIFT_END)
    # A kiosk tablet signs its operator out after this many idle minutes.
    kiosk_idle_minutes = models.PositiveSmallIntegerField(default=5)
    # The largest single document upload accepted, in megabytes.
    upload_limit_mb = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    OFFICE = "office", "Office"
    SUPERVISOR = "supervisor", "Supervisor"
    OPERATOR = "operator", "Operator"
    QUALITY = "quality", "Quality"
    SHIPPING = "shipping", "Shipping"


# Who may plan: create and edit jobs, routings, customers, parts and work centers, release.
PLANNING_ROLES = frozenset({Role.OWNER, Role.OFFICE, Role.SUPERVISOR})
# Who runs the floor: overrides the release gate, sets badges and PINs, enrolls kiosks, pauses an
# operation for everyone on it, sets the shop's upload limit.
SUPERVISING_ROLES = frozenset({Role.OWNER, Role.SUPERVISOR})


class Membership(models.Model):
    """A person's place in one shop. A user belongs to at most one shop; a user with no
    membership (a customer's or supplier's contact) signs in but sees nothing of any shop
    (core.middleware.ShopMiddleware)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role)
    created_at = models.DateTimeField(default=timezone.now)
    # Kiosk sign-in: a badge number unique in the shop and a PIN, hashed like a password.
    # Both are set by a supervisor; blank means the person cannot use the kiosk.
    badge_number = models.CharField(max_length=20, blank=True)
    pin_hash = models.CharField(max_length=128, blank=True)
    # How many digits the PIN has (not which): when every PIN of the shop has the same length,
    # the kiosk pad signs in on the last digit instead of waiting for a tap on "Sign in".
    pin_length = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "role"])]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "badge_number"],
                condition=~models.Q(badge_number=""),
                name="badge_number_unique_per_shop",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.shop}"

    # True on the request's copy when the person signed in at a kiosk with badge and PIN
    # (ShopMiddleware sets it). A PIN is four digits typed on a shared tablet: that session
    # does floor work only (scans, labor, notes, blockers), whatever the person's role.
    floor_session: bool = False

    @property
    def can_plan(self) -> bool:
        return self.role in PLANNING_ROLES and not self.floor_session

    @property
    def can_supervise(self) -> bool:
        return self.role in SUPERVISING_ROLES and not self.floor_session


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Events are immutable: append a new event instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Events are immutable and are never deleted.")


class Event(models.Model):
    """One immutable fact: who did what, when, with the values before and after.

    Appended by services in the same transaction as the change it records.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="events")
    # The job the event belongs to, when it belongs to one: the job timeline reads this.
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    summary = models.CharField(max_length=300)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["job", "-created_at"]),
            models.Index(fields=["shop", "-created_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
            # One kind of event in a time window: the board's operations finished today.
            models.Index(fields=["shop", "kind", "created_at"], name="event_shop_kind_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Events are immutable: append a new event instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Events are immutable and are never deleted.")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only the hash is stored; the raw token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def generate() -> str:
        return "sd_" + secrets.token_urlsafe(32)
