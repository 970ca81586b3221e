"""Background work for travelers: the combined PDF of a batch (see travelers.batch).

The task runs in `manage.py db_worker`, outside any request. It stores its progress on the
batch after every traveler, so the progress page shows real work done, and ends the batch
as done (with its PDF on the private storage) or failed (with the reason in words).
"""

from __future__ import annotations

import gc
import logging

from django.core.files.base import ContentFile
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


def _fail(batch: TravelerBatch, message: str) -> None:
    batch.status = BatchStatus.FAILED
    batch.error = message[:ERROR_MAX_LENGTH]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])


@task()
def traveler_batch_render(*, batch_id: int, site_url: str) -> None:
    """Lay out every traveler of the batch, join the pages into one PDF and store it.

    Runs once per batch: a batch that is no longer queued (a duplicate delivery, or one
    already finished) is left as it is.
    """
    # WeasyPrint is slow to import: only the worker that prints loads it.
    from shopdesk.travelers.pdf import traveler_document

    claimed = TravelerBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING, done=0
    )
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
            TravelerBatch.objects.filter(pk=batch_id).update(done=index)
            if index % FREEZE_EVERY == 0:
                gc.collect()
                gc.freeze()
        current = " while joining the pages"
        pages = [page for document in documents for page in document.pages]
        pdf = documents[0].copy(pages).write_pdf()
        batch.refresh_from_db(fields=["done"])
        batch.pdf.save(f"batch-{batch_id}.pdf", ContentFile(pdf), save=False)
    except Exception as error:
        logger.exception("Traveler batch %s failed", batch_id)
        _fail(batch, f"Printing stopped{current}: {error}")
        return
    finally:
        gc.unfreeze()
    batch.status = BatchStatus.DONE
    batch.done = len(documents)
    batch.finished_at = timezone.now()
    batch.save(update_fields=["pdf", "status", "done", "finished_at"])
