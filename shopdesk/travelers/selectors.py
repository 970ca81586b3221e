"""Reads of travelers. A token names a traveler across shops, so the scan getter checks the
caller's shop and answers 404 for anything not theirs (never revealing the job)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from shopdesk.core.models import Shop
from shopdesk.jobs.models import Job
from shopdesk.travelers.models import Traveler

TOKEN_MAX_LENGTH = 40


def get_traveler_by_token(token: str) -> Traveler | None:
    """The traveler with this token in any shop, or None. Callers must check the shop."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return Traveler.objects.select_related("job", "revoked_by").filter(token=token).first()


def get_traveler_for_scan(shop: Shop | None, token: str) -> Traveler:
    """The shop's traveler for a scanned token; 404 for unknown tokens and other shops'."""
    traveler = get_traveler_by_token(token)
    if traveler is None or shop is None or traveler.shop_id != shop.id:
        raise Http404("No such traveler.")
    return traveler


MAX_ID = 2**63 - 1


def get_traveler_for(job: Job, traveler_id: int | str) -> Traveler:
    """One print of this job (the job already fetched through the shop-scoped getter)."""
    try:
        # An id past the database's integer range would be a database error, not a 404.
        if not 0 < int(traveler_id) <= MAX_ID:
            raise Http404("No such traveler.")
        return Traveler.objects.select_related("printed_by", "revoked_by").get(
            pk=traveler_id, job=job, shop_id=job.shop_id
        )
    except (Traveler.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such traveler.") from exc


def newer_print_of(traveler: Traveler) -> Traveler | None:
    """The newest working print of the same job made after this one, if any. A revoked
    newer print is left out: pointing people at paper that no longer works helps nobody."""
    later = Q(printed_at__gt=traveler.printed_at) | Q(
        printed_at=traveler.printed_at, pk__gt=traveler.pk
    )
    return (
        Traveler.objects.filter(later, job_id=traveler.job_id, revoked_at__isnull=True)
        .order_by("-printed_at", "-id")
        .first()
    )
