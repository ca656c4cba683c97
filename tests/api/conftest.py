"""An API client that calls as a user with a personal token, as an outside script would."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from api.models import Scope
from api.tokens import create_token


class ApiClient:
    def __init__(self, token: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path, params=None):
        return self.client.get("/api/v1" + path, params or {}, **self.headers)

    def send(self, method, path, body=None):
        return self.client.generic(
            method.upper(),
            "/api/v1" + path,
            json.dumps(body if body is not None else {}, default=str),
            content_type="application/json",
            **self.headers,
        )

    def post(self, path, body=None):
        return self.send("post", path, body)

    def put(self, path, body=None):
        return self.send("put", path, body)


@pytest.fixture
def api_as():
    """api_as(user) -> a client sending that user's fresh personal token (by default one that
    may read and write; `scope=Scope.READ` for a read-only one); None: no token."""

    def make(user, scope=Scope.READ_WRITE):
        if user is None:
            return ApiClient()
        _token, raw = create_token(user=user, name="tests", scope=scope)
        return ApiClient(raw)

    return make
