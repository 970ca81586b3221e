"""The import page's two steps: check a file (kept as a PendingImport), then confirm it."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from shopdesk.core.errors import ActionRefused
from shopdesk.core.permissions import require_planner
from shopdesk.imports.models import PendingImport
from shopdesk.imports.services import ImportReport, import_file
from shopdesk.imports.services.tables import Upload
from shopdesk.lib.db import for_update

# How long a checked file waits for its confirmation.
KEPT_FOR = datetime.timedelta(hours=24)


def pending_import_check(
    *, user: AbstractBaseUser, kind: str, file: Upload, routing: Upload | None = None
) -> tuple[ImportReport, PendingImport | None]:
    """The dry run's report, and the file kept for confirming when it has no problems."""
    membership = require_planner(user)
    report = import_file(user=user, kind=kind, file=file, routing=routing, dry_run=True)
    # Older checks of this person's that were never confirmed go: one file waits at a time.
    PendingImport.objects.filter(
        shop=membership.shop, created_by=user, applied_at__isnull=True
    ).delete()
    PendingImport.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    if report.problem_count:
        return report, None
    pending = PendingImport.objects.create(
        shop=membership.shop,
        created_by=user,
        kind=kind,
        file_name=file[0][:200],
        content=file[1],
        routing_name=routing[0][:200] if routing else "",
        routing_content=routing[1] if routing else None,
    )
    return report, pending


def get_pending_for(user: AbstractBaseUser, pending_id: int) -> PendingImport:
    """The person's own checked file in their shop; 404 for anyone else's."""
    membership = require_planner(user)
    pending = PendingImport.objects.filter(
        pk=pending_id, shop=membership.shop, created_by=user
    ).first()
    if pending is None:
        raise Http404("No such import.")
    return pending


@transaction.atomic
def pending_import_apply(*, user: AbstractBaseUser, pending: PendingImport) -> ImportReport:
    pending = for_update(PendingImport.objects).get(pk=pending.pk)
    if pending.applied_at is not None:
        raise ActionRefused(f"{pending.file_name} was imported already.")
    if pending.created_at < timezone.now() - KEPT_FOR:
        raise ActionRefused("This check is more than a day old; upload the file again.")
    routing = None
    if pending.routing_content is not None:
        routing = (pending.routing_name, bytes(pending.routing_content))
    report = import_file(
        user=user,
        kind=pending.kind,
        file=(pending.file_name, bytes(pending.content)),
        routing=routing,
        dry_run=False,
    )
    if report.applied:
        pending.applied_at = timezone.now()
        pending.content = b""
        pending.routing_content = None
        pending.save(update_fields=["applied_at", "content", "routing_content"])
    return report
