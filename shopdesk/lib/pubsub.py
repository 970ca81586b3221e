"""A tiny, explicit in-process publish/subscribe for domain events.

A lower app declares a `Topic` next to the service that publishes it; a higher app subscribes
a function to it in its `AppConfig.ready()`. Publishing calls every subscriber in order, in
the caller's transaction: a subscriber that raises rolls the whole action back, and a
subscriber sees the rows exactly as the action left them. Nothing is queued, nothing runs
later, and nothing hides behind `save()`: the publish call is written in the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from django.db import transaction

Payload = TypeVar("Payload")
Subscriber = Callable[[Payload], None]


class Topic(Generic[Payload]):
    """One kind of domain event and the functions subscribed to it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: list[Subscriber] = []

    def __repr__(self) -> str:
        return f"<Topic {self.name}: {len(self._subscribers)} subscriber(s)>"

    @property
    def subscribers(self) -> tuple[Subscriber, ...]:
        return tuple(self._subscribers)

    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        """Add a subscriber (once; subscribing it again is a no-op). Usable as a decorator.
        Call from `AppConfig.ready()` so the subscription exists before any request."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    @contextmanager
    def subscribed(self, subscriber: Subscriber) -> Iterator[Subscriber]:
        """Subscribe for the duration of a `with` block (tests)."""
        self.subscribe(subscriber)
        try:
            yield subscriber
        finally:
            self.unsubscribe(subscriber)

    def publish(self, payload: Payload) -> None:
        """Call every subscriber with the payload. Must be called inside the transaction of
        the action that happened, so a subscriber's failure undoes the action."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"{self.name} is published inside the action's transaction.")
        for subscriber in list(self._subscribers):
            subscriber(payload)
