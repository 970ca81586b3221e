"""The job list's filters read from a query string, shared by the job list page and its export
(the same query string gives the same rows)."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest

from shopdesk.core.models import Shop
from shopdesk.customers.models import Customer
from shopdesk.jobs.models import JobStage
from shopdesk.jobs.selectors import JobFilters

SEARCH_MAX_LENGTH = 100
ID_PATTERN = re.compile(r"^\d{1,12}$")
TRUE_VALUES = frozenset({"1", "on", "true", "yes"})
ALL_STAGES = "all"


def without_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; nobody types one, so drop it rather than fail.
    return value.replace("\x00", "")


def _chosen_id(raw: str | None, allowed: set[int]) -> int | None:
    """The id picked in a dropdown, if it is one of the dropdown's; anything else is ignored."""
    raw = (raw or "").strip()
    if not ID_PATTERN.match(raw):
        return None
    value = int(raw)
    return value if value in allowed else None


def job_list_filters(
    request: HttpRequest, customers: list[tuple[int, str]], work_centers: list[Any]
) -> JobFilters:
    params = request.GET
    # Open jobs unless asked otherwise: shipped and closed work is history, not the day's list.
    stage = params.get("stage", "open")
    if stage == ALL_STAGES:
        stage = ""
    elif stage not in {"open", *JobStage.values}:
        stage = "open"
    return JobFilters(
        stage=stage,
        customer_id=_chosen_id(params.get("customer"), {pk for pk, _ in customers}),
        work_center_id=_chosen_id(params.get("work_center"), {w.pk for w in work_centers}),
        late=params.get("late", "").lower() in TRUE_VALUES,
        blocked=params.get("blocked", "").lower() in TRUE_VALUES,
        q=without_nul(params.get("q", "")).strip()[:SEARCH_MAX_LENGTH],
    )


def customer_choices(shop: Shop) -> list[tuple[int, str]]:
    # Only ids and names for the dropdown: a shop may have hundreds of customers, and model
    # instances (and localized numbers) for each cost more than the rest of the page.
    return list(Customer.objects.filter(shop=shop).order_by("name", "pk").values_list("id", "name"))
