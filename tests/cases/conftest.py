"""Fixtures for the case-log tests: keys, a fixed clock, the real Redmine and an HTTP fault proxy."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class FakeClock:
    """Time passed into the journal and the outbox: starts at a fixed instant, moves only when told."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 16, 40, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def master_key() -> bytes:
    return os.urandom(32)


@pytest.fixture
def signer() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def memory_keyring() -> Iterator[None]:
    """A real keyring backend kept in memory, installed for the test and removed afterwards."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        """In-memory keyring (tests only)."""

        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.items: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.items.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.items[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.items.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The headless situation: keyring's fail backend (every call raises NoKeyringError)."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


# ------------------------------------------------------------------------------------------------ real Redmine


class RedmineServer:
    """The real Redmine started by ``scripts/redmine`` and a project for the tests."""

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.port = int(url.rsplit(":", 1)[1].split("/", maxsplit=1)[0])
        self.headers = {"X-Redmine-API-Key": api_key}
        self.project_id = 0

    def client(self):  # -> httpx.Client
        import httpx

        return httpx.Client(base_url=self.url, headers=self.headers, timeout=30)

    def create_issue(self, subject: str) -> int:
        with self.client() as http:
            response = http.post(
                "/issues.json",
                json={"issue": {"project_id": self.project_id, "subject": subject, "description": "test"}},
            )
            assert response.status_code == 201, response.text
            return int(response.json()["issue"]["id"])

    def issue(self, number: int) -> dict:
        with self.client() as http:
            response = http.get(f"/issues/{number}.json", params={"include": "attachments,journals"})
            assert response.status_code == 200, response.text
            return response.json()["issue"]

    def download(self, content_url: str) -> bytes:
        with self.client() as http:
            response = http.get(content_url)
            assert response.status_code == 200
            return response.content


def _redmine_from_script() -> tuple[str, str]:
    import shlex
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "redmine"
    subprocess.run([str(script), "start"], check=True, timeout=900)
    env_line = subprocess.run([str(script), "env"], check=True, capture_output=True, text=True).stdout
    values = dict(part.split("=", 1) for part in shlex.split(env_line.replace("export ", "", 1)))
    return values["REDMINE_URL"], values["REDMINE_API_KEY"]


@pytest.fixture(scope="session")
def redmine() -> RedmineServer:
    """The real Redmine: from REDMINE_URL/REDMINE_API_KEY (scripts/test), else started via scripts/redmine.

    Under CI (CI=true) a missing REDMINE_URL is a failure, never a skip.
    """
    import uuid

    url = os.environ.get("REDMINE_URL", "")
    key = os.environ.get("REDMINE_API_KEY", "")
    if not url or not key:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("REDMINE_URL/REDMINE_API_KEY are not set under CI: scripts/test must start Redmine")
        url, key = _redmine_from_script()
    server = RedmineServer(url, key)
    identifier = "podpora-" + uuid.uuid4().hex[:10]
    with server.client() as http:
        response = http.post(
            "/projects.json", json={"project": {"name": identifier, "identifier": identifier, "is_public": False}}
        )
        assert response.status_code == 201, f"cannot create a Redmine project: {response.status_code} {response.text}"
        server.project_id = int(response.json()["project"]["id"])
    return server


@pytest.fixture
def redmine_proxy(redmine: RedmineServer):
    """An HTTP fault proxy in front of the real Redmine."""
    from tests.cases.httpproxy import HttpFaultProxy

    proxy = HttpFaultProxy(redmine.port).up()
    yield proxy
    proxy.down()
