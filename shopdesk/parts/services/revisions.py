"""Revisions of a part: add a draft, release it (superseding the one released before)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from shopdesk.core.errors import ActionRefused, InvalidInput
from shopdesk.core.event_kinds import EventKind
from shopdesk.core.permissions import require_planner
from shopdesk.core.services import event_append
from shopdesk.lib.db import for_update, retry_on_lock_conflict
from shopdesk.lib.pubsub import Topic
from shopdesk.parts.models import Part, PartRevision, RevisionStatus

CODE_MAX_LENGTH = 10
NOTE_MAX_LENGTH = 500
# A, B, 02, 1.1, A-2, R_3: letters and digits, then also dot, dash or underscore.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class RevisionReleased:
    """A part's revision was just released (`previous` superseded), in the release's
    transaction: the part row is locked and its revision code follows the released one."""

    user: AbstractBaseUser
    revision: PartRevision


# Apps above parts subscribe from their AppConfig.ready(): jobs gives every open job still on
# an older revision a notice of change.
revision_released: Topic[RevisionReleased] = Topic("part.revision_released")


def clean_revision_code(code: object) -> str:
    if not isinstance(code, str):
        raise InvalidInput("A revision code must be text.", field="revision")
    code = code.strip()
    if not code:
        raise InvalidInput("A revision code is required.", field="revision")
    if len(code) > CODE_MAX_LENGTH:
        raise InvalidInput(f"At most {CODE_MAX_LENGTH} characters.", field="revision")
    if not CODE_PATTERN.match(code):
        raise InvalidInput(
            "Use letters and digits (then also . - or _), like A, B2 or 1.1.", field="revision"
        )
    return code


def derive_part_revision(part: Part) -> str:
    """The code new jobs take: the released revision's, else the newest draft's.
    Call inside a transaction holding the part row; saves the part when the code changes."""
    revisions = PartRevision.objects.filter(part=part).exclude(status=RevisionStatus.SUPERSEDED)
    current = (
        revisions.filter(status=RevisionStatus.RELEASED).only("code").first()
        or revisions.order_by("-created_at", "-id").only("code").first()
    )
    if current is not None and part.revision != current.code:
        part.revision = current.code
        part.save(update_fields=["revision"])
    return part.revision


def _locked_part(user: AbstractBaseUser, part: Part) -> Part:
    shop = require_planner(user).shop
    try:
        return for_update(Part.objects).select_related("shop").get(pk=part.pk, shop=shop)
    except Part.DoesNotExist as exc:
        raise InvalidInput("No such part in this shop.", field="part") from exc


@retry_on_lock_conflict
@transaction.atomic
def revision_create(
    *, user: AbstractBaseUser, part: Part, code: str, note: str = ""
) -> PartRevision:
    """A new draft revision of the part. The code is unique per part (A and a are the same)."""
    part = _locked_part(user, part)
    code = clean_revision_code(code)
    if not isinstance(note, str):
        raise InvalidInput("The note must be text.", field="note")
    note = note.replace("\x00", "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(f"At most {NOTE_MAX_LENGTH} characters.", field="note")
    if PartRevision.objects.filter(part=part, code__iexact=code).exists():
        raise InvalidInput(f"{part.number} already has a revision {code}.", field="revision")
    revision = PartRevision.objects.create(
        shop=part.shop, part=part, code=code, note=note, created_by=user
    )
    before = part.revision
    derive_part_revision(part)
    event_append(
        shop=part.shop,
        actor=user,
        kind=EventKind.PART_REVISION_CREATED,
        subject=revision,
        summary=f"Revision {code} of {part.number} added as a draft",
        before={"revision": before},
        after={"revision": part.revision, "draft": code, "note": note},
    )
    return revision


@retry_on_lock_conflict
@transaction.atomic
def revision_release(*, user: AbstractBaseUser, revision: PartRevision) -> PartRevision:
    """Release a draft revision: the revision released before is superseded, the part's
    revision code follows, and every open job still on an older revision gets a notice."""
    part = _locked_part(user, revision.part)
    revision = for_update(PartRevision.objects).get(pk=revision.pk, part=part)
    revision.part = part
    if revision.status == RevisionStatus.RELEASED:
        raise ActionRefused(f"Revision {revision.code} is already released.")
    if revision.status == RevisionStatus.SUPERSEDED:
        raise ActionRefused(f"Revision {revision.code} was superseded; add a new revision instead.")
    now = timezone.now()
    previous = (
        for_update(PartRevision.objects).filter(part=part, status=RevisionStatus.RELEASED).first()
    )
    if previous is not None:
        previous.status = RevisionStatus.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at"])
        event_append(
            shop=part.shop,
            actor=user,
            kind=EventKind.PART_REVISION_SUPERSEDED,
            subject=previous,
            summary=f"Revision {previous.code} of {part.number} superseded by {revision.code}",
            before={"status": RevisionStatus.RELEASED},
            after={"status": RevisionStatus.SUPERSEDED, "by": revision.code},
        )
    revision.status = RevisionStatus.RELEASED
    revision.released_by = user
    revision.released_at = now
    revision.save(update_fields=["status", "released_by", "released_at"])
    before = part.revision
    derive_part_revision(part)
    event_append(
        shop=part.shop,
        actor=user,
        kind=EventKind.PART_REVISION_RELEASED,
        subject=revision,
        summary=(
            f"Revision {revision.code} of {part.number} released"
            + (f", superseding {previous.code}" if previous is not None else "")
        ),
        before={"revision": before, "released": previous.code if previous else None},
        after={"revision": part.revision, "released": revision.code},
    )
    revision_released.publish(RevisionReleased(user=user, revision=revision))
    return revision
