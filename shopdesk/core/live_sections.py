"""Sections of the live job page that other apps register.

The live job page (jobs) draws its own regions (status, route, blockers, timeline, the next
customer update) and, around them, every section registered here: released files from
parts, notes from the floor, and later quality notes, shipments or outside work. An app adds
a section without editing jobs: it writes a selector and a template,

    @live_section("files", Place.SIDE_TOP, order=10, template="parts/live_files.html", queries=2)
    def released_files_section(shop, job): ...

and registers the section in its `AppConfig.ready()`:
`live_sections.register(released_files_section)`.

- `selector(shop, job)` returns the section's template context. `job` is the shop's job as
  jobs' scoped getter reads it (with its shop, customer, part, part revision, owner and
  current work center), perhaps with more already read for the page. It reads through the app's
  own selectors, scoped to `shop`, and makes at most `queries` queries whatever the data
  size (a test holds each registered section to its budget, and the page's count is exact).
  It may reuse rows already read for the same job object (parts.selectors.job_released_files
  shares its read with the gate), which only lowers the count.
- `template` renders one element with the id `live-<name>`, `data-live`, and
  `hx-swap-oob="true"` when `oob` is set: the page's 10-second poll swaps it by id. It
  finds its context as `section` (and the page's `job`, `now`, `can_plan`).

The registry lives in core, below every domain app, so parts (below jobs) and quality,
shipping or portal (above it) can add sections without jobs importing them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.template import Template

from shopdesk.core.models import Shop
from shopdesk.lib.registry import NamedRegistry

SectionSelector = Callable[[Shop, Any], Mapping[str, Any]]


class Place(enum.StrEnum):
    """Where on the page a section goes; the page keeps its own cards in between."""

    MAIN = "main"  # the wide column, between the blockers and the timeline
    SIDE_TOP = "side-top"  # the narrow column, above the planning card
    SIDE_END = "side-end"  # the narrow column, below the travelers


@dataclass(frozen=True)
class LiveSection:
    name: str
    place: Place
    order: int
    selector: SectionSelector
    template: str | Template  # a template's name, or a compiled template
    queries: int  # the most queries `selector` makes, whatever the data size


@dataclass(frozen=True)
class RenderedSection:
    """One section with its context, for the page's template."""

    name: str
    place: str
    template: str | Template
    context: Mapping[str, Any]


class SectionRegistry(NamedRegistry[LiveSection]):
    def __init__(self) -> None:
        super().__init__("The live job page")

    def register(self, section: LiveSection) -> LiveSection:
        """Add a section under a unique name; registering the same section again is a no-op."""
        return self._add(section)

    @property
    def sections(self) -> list[LiveSection]:
        return self.entries

    @property
    def query_budget(self) -> int:
        """The most queries all sections make together."""
        return sum(section.queries for section in self.entries)

    def render(self, shop: Shop, job: Any) -> list[RenderedSection]:
        """Every section's context for this job, in order."""
        return [
            RenderedSection(
                name=section.name,
                place=str(section.place),
                template=section.template,
                context=section.selector(shop, job),
            )
            for section in self.entries
        ]


def live_section(
    name: str, place: Place, *, order: int, template: str | Template, queries: int
) -> Callable[[SectionSelector], LiveSection]:
    """Make a selector a LiveSection (to register in the app's ready()):

    @live_section("files", Place.SIDE_TOP, order=10, template="parts/live_files.html", queries=2)
    def released_files_section(shop, job): ...
    """

    def make(selector: SectionSelector) -> LiveSection:
        return LiveSection(name, place, order, selector, template, queries)

    return make


live_sections = SectionRegistry()
