"""Types and schemas shared by every app's API module."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, get_args

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

# Ids fit a 64-bit database integer; a larger number is a 422, not a database overflow.
MAX_ID = 2**63 - 1
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
# Whole quantities a job can hold (services refuse more than 10,000,000 with a clearer message;
# this bound only keeps absurd numbers away from the database).
Count = Annotated[int, Field(ge=0, le=MAX_ID)]


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it for every database alike.
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    return value


def text(max_length: int) -> Any:
    """A string of at most `max_length` characters, without NUL characters."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_nul)]


def reason_text(max_length: int) -> Any:
    """A reason or note a person gives for an action: measured without its surrounding space,
    as the services' reason rule (core.services.reason_clean) measures it, which then says
    what a blank one lacks."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True),
        Field(max_length=max_length),
        AfterValidator(_no_nul),
    ]


# A search box's text in a list's query string.
SearchText = text(100)


NUMBER_TYPES = (int, float, Decimal)


def _mentions(annotation: Any, types: tuple[Any, ...]) -> bool:
    """Whether a field's type is one of `types`, or a union or Annotated holding one."""
    if annotation in types:
        return True
    return any(_mentions(arg, types) for arg in get_args(annotation))


class InSchema(Schema):
    """A request body: a misspelt field is refused (422), not silently ignored.

    True and false are not numbers: pydantic would take `"quantity": true` as 1, so every
    number field of every body, nested ones included, refuses a boolean."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, bool):
            return value
        field = cls.model_fields.get(info.field_name or "")
        annotation = field.annotation if field is not None else None
        if _mentions(annotation, NUMBER_TYPES) and not _mentions(annotation, (bool, Any)):
            raise ValueError("Give a number, not true or false.")
        return value


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="Items per page, 1 to 200.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Items to skip.")


def paginate(queryset: QuerySet, page: PageQuery) -> dict[str, Any]:
    """`{"count", "items"}` for one page, in two queries."""
    return {
        "count": queryset.count(),
        "items": list(queryset[page.offset : page.offset + page.limit]),
    }


class PersonOut(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.get_full_name() or obj.username


class CustomerRefOut(Schema):
    id: int
    name: str


class PartRefOut(Schema):
    id: int
    number: str
    description: str


class WorkCenterRefOut(Schema):
    id: int
    name: str


class DocumentFieldsOut(Schema):
    """What every answer about a part document says of it; the stored content's facts are read
    through `stored` (load documents with select_related("stored"))."""

    id: int
    kind: str
    name: str = Field(description="A safe display name made from the uploaded one.")
    version: int
    size: int = Field(description="Bytes.")
    content_type: str = Field(description="Read from the content, not from the upload.")
    sha256: str
    uploaded_at: datetime.datetime

    @staticmethod
    def resolve_size(obj: Any) -> int:
        return obj.stored.size

    @staticmethod
    def resolve_content_type(obj: Any) -> str:
        return obj.stored.content_type

    @staticmethod
    def resolve_sha256(obj: Any) -> str:
        return obj.stored.sha256
