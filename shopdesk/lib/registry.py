"""Named, ordered entries that apps add at start-up: the base of the seams' registries."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar


class Ordered(Protocol):
    name: str
    order: int


Entry = TypeVar("Entry", bound=Ordered)


class NamedRegistry(Generic[Entry]):
    """Entries under unique names, listed by `order`, then name. Adding the same entry again
    is a no-op (an app's ready() may run twice in tests); another entry under a taken name is
    a programming error."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._entries: dict[str, Entry] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.what}: {', '.join(self.names) or 'empty'}>"

    def _add(self, entry: Entry) -> Entry:
        existing = self._entries.get(entry.name)
        if existing is not None and existing != entry:
            raise ValueError(f"{self.what} already has an entry named {entry.name!r}.")
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    @property
    def entries(self) -> list[Entry]:
        return sorted(self._entries.values(), key=lambda entry: (entry.order, entry.name))

    @property
    def names(self) -> list[str]:
        return [entry.name for entry in self.entries]
