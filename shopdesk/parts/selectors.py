"""Reads of parts, scoped to one shop."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from shopdesk.core.models import Shop
from shopdesk.jobs.models import Job
from shopdesk.parts.models import Part


def get_part_for(shop: Shop, part_id: int | str) -> Part:
    """The shop's part; 404 for another shop's id or anything that is not an id."""
    try:
        return Part.objects.select_related("customer").get(pk=part_id, shop=shop)
    except (Part.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such part.") from exc


def part_list(shop: Shop, *, q: str = "", customer_id: int | None = None) -> QuerySet[Part]:
    """Parts by number with their customer and open job count, in one query."""
    parts = (
        Part.objects.filter(shop=shop)
        .select_related("customer")
        .annotate(open_job_count=Count("jobs", filter=Q(jobs__is_open=True)))
    )
    q = q.strip()
    if q:
        parts = parts.filter(Q(number__icontains=q) | Q(description__icontains=q))
    if customer_id is not None:
        parts = parts.filter(customer_id=customer_id)
    return parts.order_by("number", "pk")


def part_jobs(part: Part, *, limit: int = 50) -> list[Job]:
    return list(
        Job.objects.filter(shop_id=part.shop_id, part=part)
        .select_related("customer", "current_work_center")
        .order_by("-created_at", "-number")[:limit]
    )
