"""One error shape for the whole API: `{"detail": ..., "errors": [{"field": ..., "message": ...}]}`.

Every exception an endpoint can meet is turned into that body here, so clients parse one
shape whatever went wrong, and nothing a caller can send ends in a 500.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shopdesk.core.errors import ShopDeskError

if TYPE_CHECKING:
    from ninja import NinjaAPI


class FieldErrorOut(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut] = []


class Gone(ShopDeskError):
    """The thing existed but was withdrawn on purpose (a revoked traveler)."""

    status = 410


# What each status means, for the OpenAPI description of every operation.
ERROR_STATUSES = (400, 401, 403, 404, 409, 410, 413, 422)


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation documents. 400, 401, 413 and 422 apply to all."""
    return {status: ErrorOut for status in sorted({400, 401, 413, 422, *statuses})}


def error_body(detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def _field_from_loc(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """("body", "payload", "operations", 0, "work_center") → "operations.0.work_center".

    The first item is the source (body, query, path); for a body the second is the name of
    the handler's parameter, which means nothing to the client.
    """
    parts = list(loc)
    if not parts:
        return None
    source = parts.pop(0)
    if source == "body" and parts:
        parts.pop(0)
    return ".".join(str(part) for part in parts) or None


def _message(error: dict[str, Any], field: str | None) -> str:
    if error.get("type") == "missing":
        return "This field is required." if field else "A JSON object body is required."
    message = str(error.get("msg") or "Invalid value.")
    # pydantic prefixes custom validator messages with "Value error, ".
    return message.removeprefix("Value error, ")


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    seen: set[str | None] = set()
    for error in exc.errors:
        field = _field_from_loc(error.get("loc") or ())
        # One entry per field: a union type can report the same field several times.
        if field in seen:
            continue
        seen.add(field)
        errors.append({"field": field, "message": _message(error, field)})
    return errors


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ShopDeskError)
    def shopdesk_error(request: HttpRequest, exc: ShopDeskError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.message, exc.errors))

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = validation_errors(exc)
        if len(errors) == 1:
            first = errors[0]
            detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        else:
            detail = f"{len(errors)} fields are invalid; see errors."
        return respond(request, 422, error_body(detail, errors))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Never say whose it is: another shop's object is simply not found.
        return respond(request, 404, error_body("Not found."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            error_body(
                "Authentication required: send 'Authorization: Bearer <token>' with a valid, "
                "unrevoked API token, or sign in."
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="shopdesk"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = "The request body is not valid JSON."
        elif exc.status_code == 403 and "CSRF" in detail:
            detail = "CSRF check failed: send the X-CSRFToken header with a session request."
        return respond(request, exc.status_code, error_body(detail))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, error_body("The request body is too large."))

    @api.exception_handler(MultiPartParserError)
    def unreadable_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # Django reads an upload's part headers (the file name among them) up to a fixed size.
        if "header size" in str(exc):
            detail = (
                "The file name is too long to read: keep file names under 255 characters "
                "and upload again."
            )
            return respond(request, 400, error_body(detail, [{"field": "file", "message": detail}]))
        return respond(
            request, 400, error_body(f"The upload is not valid multipart/form-data: {exc}")
        )

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Too many form fields or files, a malformed multipart body: Django's own limits.
        return respond(request, 400, error_body("The request could not be read: " + str(exc)))
