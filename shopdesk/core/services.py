"""Writes that belong to the shop itself: the event log, API tokens and kiosk badges."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput, PermissionRefused
from shopdesk.core.event_kinds import EventKind, is_declared
from shopdesk.core.models import ApiToken, Event, Membership, Shop, hash_token
from shopdesk.core.permissions import require_office_session, require_supervisor
from shopdesk.lib.db import for_update

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def event_append(
    *,
    shop: Shop,
    actor: AbstractBaseUser | None,
    kind: str,
    subject: Any,
    summary: str,
    job: models.Model | None = None,  # the job the change belongs to; core does not import jobs
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """Append one immutable event. Call inside the transaction that makes the change.

    `kind` is one of EventKind (core.event_kinds); an undeclared kind is a programming error
    and raises ValueError, so nothing appends a kind the readers of the log do not know."""
    if not is_declared(kind):
        raise ValueError(f"Undeclared event kind {kind!r}: declare it in core.event_kinds.")
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


def _refuse_floor_session(user: AbstractBaseUser) -> None:
    membership = getattr(user, "membership", None)
    if membership is not None:
        require_office_session(user)


# Active (unrevoked) API tokens a person may hold: enough for every integration, few enough
# that a forgotten one is noticed on the account page.
MAX_ACTIVE_TOKENS = 20


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for the user; answers the record and the raw token (shown once).

    Refused when the person already holds MAX_ACTIVE_TOKENS active tokens, and from a floor
    session: a token outlives the session, so a badge and PIN would turn into lasting access
    with every power of the person's role."""
    _refuse_floor_session(user)
    # Lock the person so two requests at once cannot both pass the count.
    list(for_update(get_user_model().objects).filter(pk=user.pk).values_list("pk", flat=True))
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ActionRefused(
            f"You have {active} active tokens, the most allowed. Revoke one you no longer use."
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name[:80], prefix=raw[:10], key_hash=hash_token(raw)
    )
    membership = getattr(user, "membership", None)
    if membership is not None:
        event_append(
            shop=membership.shop,
            actor=user,
            kind=EventKind.API_TOKEN_CREATED,
            subject=token,
            summary=f"API token {token.prefix}… created",
        )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token: ApiToken) -> ApiToken:
    _refuse_floor_session(user)
    token = for_update(ApiToken.objects).get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_append(
            shop=user.membership.shop,
            actor=user,
            kind=EventKind.API_TOKEN_REVOKED,
            subject=token,
            summary=f"API token {token.prefix}… revoked",
        )
    return token


# --- Kiosk badges: a badge number and PIN per person, set by a supervisor ------------------

BADGE_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,20}$")
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")


@transaction.atomic
def membership_set_badge(
    *, user: AbstractBaseUser, membership: Membership, badge_number: str, pin: str = ""
) -> Membership:
    """Set the person's kiosk badge number and PIN (an owner or supervisor of the same shop).

    A blank badge number takes the person off the kiosk (badge and PIN cleared). A blank PIN
    keeps the PIN already set; a badge without any PIN is refused. The PIN is stored hashed,
    and the event records only that it changed, never the PIN.
    """
    actor = require_supervisor(
        user, "Only an owner or a supervisor can set badge numbers and PINs."
    )
    membership = for_update(Membership.objects).select_related("user").get(pk=membership.pk)
    if membership.shop_id != actor.shop_id:
        raise PermissionRefused("That person is not in your shop.")
    badge_number = (badge_number or "").strip()
    pin = (pin or "").strip()
    before = {"badge_number": membership.badge_number, "pin_set": bool(membership.pin_hash)}
    if not badge_number:
        if pin:
            raise InvalidInput("Give the badge number the PIN belongs to.", field="badge_number")
        membership.badge_number = ""
        membership.pin_hash = ""
        membership.pin_length = None
    else:
        if not BADGE_PATTERN.match(badge_number):
            raise InvalidInput(
                "A badge number is 1 to 20 letters, digits or dashes.", field="badge_number"
            )
        if pin and not PIN_PATTERN.match(pin):
            raise InvalidInput("A PIN is 4 to 8 digits.", field="pin")
        if not pin and not membership.pin_hash:
            raise InvalidInput("Set a PIN of 4 to 8 digits.", field="pin")
        taken = (
            Membership.objects.filter(shop_id=membership.shop_id, badge_number=badge_number)
            .exclude(pk=membership.pk)
            .select_related("user")
            .first()
        )
        if taken is not None:
            holder = taken.user.get_full_name() or taken.user.get_username()
            raise InvalidInput(f"Badge {badge_number} is already {holder}'s.", field="badge_number")
        membership.badge_number = badge_number
        if pin:
            membership.pin_hash = make_password(pin)
            membership.pin_length = len(pin)
    membership.save(update_fields=["badge_number", "pin_hash", "pin_length"])
    person = membership.user.get_full_name() or membership.user.get_username()
    after = {
        "badge_number": membership.badge_number,
        "pin_set": bool(membership.pin_hash),
        "pin_changed": bool(pin),
    }
    if not membership.badge_number:
        summary = f"{person} taken off the kiosk (badge and PIN cleared)"
    elif pin:
        summary = f"{person}'s kiosk badge {membership.badge_number} and PIN set"
    else:
        summary = f"{person}'s kiosk badge set to {membership.badge_number}"
    event_append(
        shop=actor.shop,
        actor=user,
        kind=EventKind.MEMBERSHIP_BADGE_SET,
        subject=membership,
        summary=summary,
        before=before,
        after=after,
    )
    return membership


@transaction.atomic
def shop_set_floor_settings(
    *,
    user: AbstractBaseUser,
    shift_end_time: datetime.time | None,
    kiosk_idle_minutes: int,
) -> Shop:
    """Set the shop's daily shift end (open labor is paused then; None: never) and the
    kiosk's idle sign-out minutes (1 to 120). Owners and supervisors only."""
    actor = require_supervisor(user, "Only an owner or a supervisor can change the floor settings.")
    if (
        isinstance(kiosk_idle_minutes, bool)
        or not isinstance(kiosk_idle_minutes, int)
        or not 1 <= kiosk_idle_minutes <= 120
    ):
        raise InvalidInput(
            "The kiosk signs out after 1 to 120 idle minutes.", field="kiosk_idle_minutes"
        )
    shop = for_update(Shop.objects).get(pk=actor.shop_id)
    before = {
        "shift_end_time": shop.shift_end_time.isoformat() if shop.shift_end_time else None,
        "kiosk_idle_minutes": shop.kiosk_idle_minutes,
    }
    shop.shift_end_time = shift_end_time
    shop.kiosk_idle_minutes = kiosk_idle_minutes
    shop.save(update_fields=["shift_end_time", "kiosk_idle_minutes"])
    after = {
        "shift_end_time": shift_end_time.isoformat() if shift_end_time else None,
        "kiosk_idle_minutes": kiosk_idle_minutes,
    }
    if after != before:
        shift = f"{shift_end_time:%H:%M}" if shift_end_time else "none"
        event_append(
            shop=shop,
            actor=user,
            kind=EventKind.SHOP_FLOOR_SETTINGS,
            subject=shop,
            summary=(
                f"Floor settings: shift end {shift}, kiosk signs out after "
                f"{kiosk_idle_minutes} idle minutes"
            ),
            before=before,
            after=after,
        )
    actor.shop = shop
    return shop


# ---------------------------------------------------------------------------------------------
# Rules every app's services share.

REASON_MAX_LENGTH = 500


def reason_clean(
    value: str | None,
    *,
    field: str = "reason",
    missing: str | None,
    max_length: int = REASON_MAX_LENGTH,
) -> str:
    """The one rule for a reason a person gives for an action (release past the gate, unrelease,
    close, move to another revision, resolve a blocker, dismiss a notice of change).

    Surrounding space is dropped; a NUL character is refused; a blank reason is refused with
    `missing` (pass None where a blank one is allowed and the caller decides); a longer one is
    refused rather than cut, because the reason is the record of why and is kept whole."""
    reason = (value or "").strip()
    if "\x00" in reason:
        noun = "note" if field == "note" else "reason"
        raise InvalidInput(f"The {noun} contains a NUL character.", field=field)
    if not reason and missing is not None:
        raise InvalidInput(missing, field=field)
    if len(reason) > max_length:
        raise InvalidInput(f"At most {max_length} characters.", field=field)
    return reason


def event_value(value: Any) -> Any:
    """A field's value as the event log stores it: rows by id, dates and decimals as text."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def model_update(
    *,
    user: AbstractBaseUser,
    shop: Shop,
    instance: models.Model,
    changes: dict[str, Any],
    kind: str,
    summary: str | Callable[[list[str]], str],
    job: models.Model | None = None,
    also_save: tuple[str, ...] = (),
) -> list[str]:
    """Set `changes` on `instance`, save the fields whose value differs and append one event
    with their values before and after. Answers the names that changed: when none did, nothing
    is saved and no event is appended.

    Call inside the transaction holding the row locked, after the values are validated.
    `summary` may be a function of the changed names; `also_save` names fields the caller set
    itself (an `updated_at`) that are saved with the change but not recorded in the event."""
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    if not changed:
        return changed
    before = {name: event_value(getattr(instance, name)) for name in changed}
    for name in changed:
        setattr(instance, name, changes[name])
    instance.save(update_fields=[*changed, *also_save])
    event_append(
        shop=shop,
        actor=user,
        kind=kind,
        subject=instance,
        job=job,
        summary=summary(changed) if callable(summary) else summary,
        before=before,
        after={name: event_value(getattr(instance, name)) for name in changed},
    )
    return changed


def client_uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    """The client-made id a create request carries so a retry is applied once (a job's
    creation, a traveler's printing): a UUID, or its text as a form or an API body sends it.
    None or blank is no id; anything else is refused."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidInput(
            "client_id must be a UUID such as 0b8c9f3e-4d2a-4f6b-9a51-7c3e2d1f0a9b.",
            field="client_id",
        ) from None
