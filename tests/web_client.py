"""A web app on a test database, with a token of each role, for the web tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from relations.bootstrap import bootstrap
from relations.services import tokens
from relations.services.demo import load_fixtures
from relations.web.server import WebSettings, create_app


@dataclass
class Web:
    client: TestClient
    url: str
    tokens: dict[str, str]  # role -> token

    def auth(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def get(self, path: str, role: str | None = "reader", **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.auth(role), **kwargs)

    def post(self, path: str, role: str | None = "recorder", **kwargs: Any) -> Any:
        return self.client.post(path, headers=self.auth(role), **kwargs)

    def delete(self, path: str, role: str | None = "admin", **kwargs: Any) -> Any:
        return self.client.delete(path, headers=self.auth(role), **kwargs)


def web_on(url: str, *, public_read: bool = False, fixtures: bool = True) -> Iterator[Web]:
    app = bootstrap(url)
    if fixtures:
        load_fixtures(app)
    made = {role: tokens.add(app, f"{role}-token", role, by="setup")[1]
            for role in ("reader", "recorder", "admin")}  # fmt: skip
    app.close()
    web = create_app(WebSettings(url, public_read=public_read))
    with TestClient(web, base_url="https://testserver") as client:
        yield Web(client, url, made)
