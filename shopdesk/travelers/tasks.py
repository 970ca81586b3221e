"""Background work for travelers: the combined PDF of a batch (see travelers.batch).

The task runs in the task worker (`manage.py task_worker`), outside any request. It stores
its progress on the batch after every traveler, so the progress page shows real work done,
and ends the batch as done (with its PDF on the private storage) or failed (with the reason
in words).
"""

from __future__ import annotations

import gc
import logging

from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from shopdesk.travelers.models import BatchStatus, Traveler, TravelerBatch

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 500
# Laid-out travelers stay in memory until their pages are joined, and Python's cycle
# collector would walk every one of them again on each full pass: a fifth of a batch's time.
# After every few travelers their garbage is collected once and the survivors are frozen
# (left out of later passes) until the batch ends.
FREEZE_EVERY = 10


class Superseded(Exception):
    """The batch was tried again while this attempt worked on it: this attempt stops."""


def _attempt(batch_id: int, attempt: int) -> QuerySet[TravelerBatch]:
    """The batch, only while `attempt` is its current try: updates through this change
    nothing once the batch has been tried again."""
    return TravelerBatch.objects.filter(pk=batch_id, attempt=attempt)


def _fail(batch_id: int, attempt: int, message: str) -> None:
    _attempt(batch_id, attempt).update(
        status=BatchStatus.FAILED, error=message[:ERROR_MAX_LENGTH], finished_at=timezone.now()
    )


@task()
def traveler_batch_render(*, batch_id: int, site_url: str, attempt: int = 1) -> None:
    """Lay out every traveler of the batch, join the pages into one PDF and store it.

    Runs once per attempt: a batch that is no longer queued for this attempt (a duplicate
    delivery, one already finished, or one tried again since) is left as it is. If the batch
    is tried again while this runs, this run stops at its next traveler and stores nothing.
    Tasks queued before attempts existed carry none and are the first attempt.
    """
    # WeasyPrint is slow to import: only the worker that prints loads it.
    from shopdesk.travelers.pdf import traveler_document

    claimed = TravelerBatch.objects.filter(
        pk=batch_id, status=BatchStatus.QUEUED, attempt=attempt
    ).update(status=BatchStatus.RUNNING, done=0, progress_at=timezone.now())
    if not claimed:
        return
    batch = TravelerBatch.objects.get(pk=batch_id)
    traveler_ids = list(batch.report.get("traveler_ids", []))
    travelers = {
        traveler.pk: traveler
        for traveler in Traveler.objects.filter(
            pk__in=traveler_ids, shop_id=batch.shop_id
        ).select_related("job")
    }
    documents = []
    current = ""
    try:
        for index, traveler_id in enumerate(traveler_ids, start=1):
            traveler = travelers.get(traveler_id)
            if traveler is None:
                current = f" at traveler {index} of {len(traveler_ids)}"
                raise LookupError("that traveler no longer exists")
            current = f" at traveler {index} of {len(traveler_ids)} ({traveler.job})"
            url = site_url + reverse("travelers:scan", args=[traveler.token])
            documents.append(traveler_document(traveler, url=url))
            if not _attempt(batch_id, attempt).update(done=index, progress_at=timezone.now()):
                raise Superseded
            if index % FREEZE_EVERY == 0:
                gc.collect()
                gc.freeze()
        current = " while joining the pages"
        pages = [page for document in documents for page in document.pages]
        pdf = documents[0].copy(pages).write_pdf()
        batch.pdf.save(f"batch-{batch_id}.pdf", ContentFile(pdf), save=False)
    except Superseded:
        logger.info("Traveler batch %s was tried again; attempt %s stops", batch_id, attempt)
        return
    except Exception as error:
        logger.exception("Traveler batch %s failed", batch_id)
        _fail(batch_id, attempt, f"Printing stopped{current}: {error}")
        return
    finally:
        gc.unfreeze()
    finished = _attempt(batch_id, attempt).update(
        pdf=batch.pdf.name,
        status=BatchStatus.DONE,
        done=len(documents),
        finished_at=timezone.now(),
    )
    if not finished:
        # Tried again while the pages were joined: the new attempt makes its own file.
        batch.pdf.delete(save=False)
