"""The release gate's and the ship gate's checks: lists any app adds to.

A check is a function `check(job, loaded) -> list[str]` answering what it finds missing, in
words a planner can act on ([] when satisfied). `loaded` maps names to rows the caller has
already read for the page ("released_revision", "released_documents", "open_blockers", ...)
so a check can skip a query; a check reads what it needs itself when its name is absent.
Checks do not judge the job's state (the service does) and never write.

An app registers its checks in its `AppConfig.ready()`:

    release_checks.register("parts.released_drawing", released_drawing_check, order=10)

The registries live in core, below every domain app, so parts (below jobs) can add to the
release gate, and quality or shipping (above jobs) can add theirs, without jobs importing
them. Problems are listed by `order`, then by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shopdesk.lib.registry import NamedRegistry

GateCheck = Callable[[Any, Mapping[str, Any]], list[str]]


@dataclass(frozen=True)
class RegisteredCheck:
    name: str
    check: GateCheck
    order: int


class CheckRegistry(NamedRegistry[RegisteredCheck]):
    """The named checks of one gate."""

    def __init__(self, gate: str) -> None:
        super().__init__(f"The {gate} gate")

    def register(self, name: str, check: GateCheck, *, order: int = 100) -> GateCheck:
        """Add a check under a unique name; registering the same function again is a no-op."""
        self._add(RegisteredCheck(name=name, check=check, order=order))
        return check

    @property
    def checks(self) -> list[RegisteredCheck]:
        return self.entries

    def problems(self, job: Any, loaded: Mapping[str, Any] | None = None) -> list[str]:
        """Every registered check's problems, in order."""
        found: list[str] = []
        for registered in self.entries:
            found.extend(registered.check(job, loaded or {}))
        return found


# Between planned and released: parts checks the revision and its drawing, jobs the
# quantity, due date, routing, material and holding blockers; quality will add "FAI due".
release_checks = CheckRegistry("release")

# Between complete and shipped: shipping will add its document requirements (a certificate
# of conformance, a packing slip). No app adds one yet; the ship action asks it all the same.
ship_checks = CheckRegistry("ship")
