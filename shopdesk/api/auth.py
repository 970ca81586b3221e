"""Who is calling: a bearer API token, or the signed-in browser session.

Both answer the user with `request.shop` and `request.membership` set, so handlers and the
services they call see the same shop whichever way the caller signed in.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from shopdesk.core.models import ApiToken, Membership, Shop, hash_token

# Writing last_used_at on every call would turn every read into a write; a minute is
# precise enough to tell a live integration from a forgotten token.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@cache
def _token_lookup(vendor: str) -> tuple[str, list[tuple[type[models.Model], list[Any]]]]:
    """The token lookup's SQL, written once per database vendor from the models' fields, and
    for each model its fields with the converters the ORM would apply to their values.

    Every API request looks its token up: as a queryset (token, user, membership and shop
    joined by select_related) building and compiling that query took a fifth of a scan. The
    statement and the rows are the same; only the compiling is done once.
    """
    user_model = get_user_model()
    quote = connection.ops.quote_name
    joined = (
        ("t", ApiToken),
        ("u", user_model),
        ("m", Membership),
        ("s", Shop),
    )
    columns = []
    shapes = []
    for alias, model in joined:
        fields = list(model._meta.concrete_fields)
        columns.extend(f"{alias}.{quote(field.column)}" for field in fields)
        converting = []
        for field in fields:
            expression = field.get_col(alias)
            converters = connection.ops.get_db_converters(expression)
            converters += field.get_db_converters(connection)
            converting.append((expression, converters))
        shapes.append((model, converting))

    def table(model: type[models.Model]) -> str:
        return quote(model._meta.db_table)

    # Only names from the models, quoted; the token's hash is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {table(ApiToken)} t "  # noqa: S608
        f"INNER JOIN {table(user_model)} u ON u.{quote(user_model._meta.pk.column)} = t."
        f"{quote(ApiToken._meta.get_field('user').column)} "
        f"INNER JOIN {table(Membership)} m ON m.{quote(Membership._meta.get_field('user').column)}"
        f" = u.{quote(user_model._meta.pk.column)} "
        f"INNER JOIN {table(Shop)} s ON s.{quote(Shop._meta.pk.column)} = m."
        f"{quote(Membership._meta.get_field('shop').column)} "
        f"WHERE t.{quote('key_hash')} = %s AND t.{quote('revoked_at')} IS NULL "
        f"AND u.{quote('is_active')} = %s"
    )
    return sql, shapes


def _instances(
    row: tuple[Any, ...], shapes: list[tuple[type[models.Model], list[Any]]]
) -> list[models.Model]:
    """Model instances from one row of the lookup, its values converted as the ORM does."""
    made = []
    at = 0
    for model, fields in shapes:
        values = []
        for expression, converters in fields:
            value = row[at]
            at += 1
            for convert in converters:
                value = convert(value, expression, connection)
            values.append(value)
        made.append(model.from_db(connection.alias, None, values))
    return made


def find_api_token(raw: str) -> ApiToken | None:
    """The token with this raw value, not revoked, of an active user with a membership, with
    its user, the user's membership and the shop loaded (no query to reach them); or None."""
    sql, shapes = _token_lookup(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_token(raw), True])
        row = cursor.fetchone()
    if row is None:
        return None
    api_token, user, membership, shop = _instances(row, shapes)
    membership.shop = shop
    membership.user = user
    user.membership = membership
    api_token.user = user
    return api_token


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a token that is not revoked, of a user in a shop."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        api_token = find_api_token(token)
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        user = api_token.user
        request.user = user
        request.membership = user.membership
        request.shop = user.membership.shop
        request.api_token = api_token
        return user


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in member, with Django's CSRF check on unsafe methods."""

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        # A request that sends a token is judged by the token alone: a bad token is a 401
        # even in a browser that also holds a session.
        if request.headers.get("Authorization"):
            return None
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or getattr(request, "membership", None) is None
        ):
            return None
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # Unused: __call__ reads the session that Django's middleware already loaded.
        return None
