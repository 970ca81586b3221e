"""Domain errors: what a service refuses, said so a person can act on it.

Views turn these into form errors or a message; the API turns them into
`{"detail": ..., "errors": [{"field": ..., "message": ...}]}` with the status below.
"""

from __future__ import annotations


class ShopDeskError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors if errors is not None else [{"field": field, "message": message}]


class InvalidInput(ShopDeskError):
    """A value is missing, malformed or out of range."""

    status = 422


class ActionRefused(ShopDeskError):
    """The request is well formed but the job or operation is not in a state that allows it."""

    status = 409


class PermissionRefused(ShopDeskError):
    """The caller's role may not do this in their own shop."""

    status = 403


class FileMissing(ShopDeskError):
    """The record is there but its stored file is not (a database restored without its files
    folder, a disk replaced): nothing the caller can fix by asking again."""

    status = 410


class NotFound(ShopDeskError):
    """Nothing of that kind exists yet in the caller's own shop, said with what to do about it
    (another shop's objects are a plain 404 that says nothing)."""

    status = 404
