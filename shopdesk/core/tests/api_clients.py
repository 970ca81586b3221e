"""API clients for the personas: each sends its own bearer token. The fixtures are shared by
every app's API tests through the root conftest."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shopdesk.core.services import api_token_create


class ApiClient:
    """A test client that talks JSON with a bearer token (or none)."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self._headers())

    def _send(self, method: str, path: str, body: Any, raw: str | bytes | None) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return getattr(self.client, method)(
            path, data, content_type="application/json", headers=self._headers()
        )

    def post(self, path: str, body: Any = None, *, raw: str | bytes | None = None) -> Any:
        return self._send("post", path, body, raw)

    def patch(self, path: str, body: Any = None, *, raw: str | bytes | None = None) -> Any:
        return self._send("patch", path, body, raw)

    def put(self, path: str, body: Any = None, *, raw: str | bytes | None = None) -> Any:
        return self._send("put", path, body, raw)


def api_for(user: Any) -> ApiClient:
    _, raw = api_token_create(user=user, name="tests")
    return ApiClient(raw)


@pytest.fixture
def supervisor_api(supervisor) -> ApiClient:
    return api_for(supervisor)


@pytest.fixture
def operator_api(operator) -> ApiClient:
    return api_for(operator)


@pytest.fixture
def outsider_api(outsider) -> ApiClient:
    return api_for(outsider)


@pytest.fixture
def anonymous_api(db) -> ApiClient:
    return ApiClient()
