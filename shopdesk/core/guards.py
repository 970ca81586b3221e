"""Middleware that keeps what no user can fix from ending in a 500.

`NulCharacterMiddleware` is the one rule for NUL characters in what a request carries:
PostgreSQL cannot store or compare text holding NUL, and no page, token or search ever holds
one. A path with NUL names nothing (404). In the pages' query strings and form fields NUL is
dropped, as the forms have always done. The API, which tells a client exactly what it got
wrong, refuses a query parameter or a JSON value holding NUL with a 422 naming the field.

`LockConflictMiddleware` answers a request the database aborted over a lock conflict
(deadlock or serialization failure) that a service's own retry did not settle with a 503
asking to try again, not a 500: nothing was saved and trying again is safe.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict, UnreadablePostError
from django.shortcuts import render

from shopdesk.lib.db import is_lock_conflict

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
NUL = "\x00"
NUL_MESSAGE = "Text may not contain NUL characters."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, detail: str, field: str | None = None) -> JsonResponse:
    """The API's error body (see shopdesk.core.api_errors) for answers given before the API runs."""
    errors = [{"field": field, "message": detail}] if field is not None else []
    shown = f"{field}: {detail}" if field is not None else detail
    return JsonResponse({"detail": shown, "errors": errors}, status=status)


def _nul_field(values: QueryDict) -> str | None:
    """The first parameter whose name or any value holds NUL."""
    for name, items in values.lists():
        if NUL in name or any(NUL in item for item in items):
            return name.replace(NUL, "")
    return None


def _without_nul(values: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=values.encoding)
    for name, items in values.lists():
        cleaned.setlist(name.replace(NUL, ""), [item.replace(NUL, "") for item in items])
    cleaned._mutable = False
    return cleaned


def _json_nul_field(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The path to the first string (value or key) in a JSON document holding NUL."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                return (*path, key.replace(NUL, ""))
            found = _json_nul_field(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _json_nul_field(item, (*path, str(index)))
            if found is not None:
                return found
    return None


class NulCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._refusal(request)
        return refused if refused is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        api = _is_api(request)
        if NUL in request.path_info:
            if api:
                return api_error(404, "Not found.")
            return render(request, "404.html", status=404)
        field = _nul_field(request.GET)
        if field is not None:
            if api:
                return api_error(422, NUL_MESSAGE, field)
            request.GET = _without_nul(request.GET)
        if api:
            return self._api_body_refusal(request)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            # Parsing here is what the CSRF check does next anyway; a malformed body raises
            # the same error it would raise there, and a client gone mid-upload is let pass
            # as the CSRF check lets it.
            try:
                posted = request.POST
            except UnreadablePostError:
                return None
            if _nul_field(posted) is not None:
                request.POST = _without_nul(posted)
        return None

    def _api_body_refusal(self, request: HttpRequest) -> HttpResponse | None:
        if request.content_type != "application/json":
            return None
        try:
            body = request.body
        except RequestDataTooBig:
            return None  # the API answers that itself, in its own words
        # JSON can only carry NUL escaped; a body without the escape is passed on unparsed.
        if b"\\u0000" not in body:
            return None
        try:
            document = json.loads(body)
        except ValueError:
            return None  # the API answers a body that is not JSON itself
        path = _json_nul_field(document)
        if path is None:
            return None
        return api_error(422, NUL_MESSAGE, ".".join(path) or None)


class LockConflictMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_lock_conflict(exception):
            return None
        logger.warning(
            "%s %s aborted by a database lock conflict: %s",
            request.method,
            request.path,
            str(exception).splitlines()[0] if str(exception) else type(exception).__name__,
        )
        message = (
            "Someone else was changing the same thing at the same moment, so nothing was "
            "saved. Try again."
        )
        if _is_api(request):
            response: HttpResponse = api_error(503, message)
        else:
            response = render(
                request,
                "error.html",
                {"status": 503, "title": "Busy, try again", "message": message},
                status=503,
            )
        response["Retry-After"] = "1"
        return response
