"""Writes that belong to the shop itself: the event log and API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from shopdesk.core.models import ApiToken, Event, Shop, hash_token

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from shopdesk.jobs.models import Job


def event_append(
    *,
    shop: Shop,
    actor: AbstractBaseUser | None,
    kind: str,
    subject: Any,
    summary: str,
    job: Job | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """Append one immutable event. Call inside the transaction that makes the change."""
    return Event.objects.create(
        shop=shop,
        job=job,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        subject_type=type(subject).__name__.lower(),
        subject_id=subject.pk,
        summary=summary[:300],
        before=before or {},
        after=after or {},
    )


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for the user; answers the record and the raw token (shown once)."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name[:80], prefix=raw[:10], key_hash=hash_token(raw)
    )
    membership = getattr(user, "membership", None)
    if membership is not None:
        event_append(
            shop=membership.shop,
            actor=user,
            kind="api_token.created",
            subject=token,
            summary=f"API token {token.prefix}… created",
        )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_append(
            shop=user.membership.shop,
            actor=user,
            kind="api_token.revoked",
            subject=token,
            summary=f"API token {token.prefix}… revoked",
        )
    return token
