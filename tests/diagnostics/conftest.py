"""Fixtures for the diagnostics tests: throwaway signing keys, test scripts, and a real sshd target."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from app.cli.diag import SshExecutor
from app.diagnostics.catalog import LIBRARY_DIR, PROJECT_KEY, Catalog, load_catalog
from app.diagnostics.signing import PublicKey, TrustedKeys, sign_script, signature_path
from app.remote.ssh import ConnectOptions, SshConnection, connect
from tests.helpers.sshd import KeyPair, SshServer, SshServerFactory

#: Shared by test bodies: the same line helpers the library uses, kept tiny.
PRELUDE = textwrap.dedent(
    """\
    import json, os, sys, time
    P = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    def emit(kind, **fields):
        fields["type"] = kind
        sys.stdout.write(json.dumps(fields) + "\\n")
        sys.stdout.flush()
    """
)


@dataclass
class ScriptFolder:
    """A folder of test scripts signed with a throwaway key."""

    path: Path
    key: ed25519.Ed25519PrivateKey

    @property
    def trusted(self) -> TrustedKeys:
        return TrustedKeys([PublicKey(self.key.public_key(), "test")])

    def add(
        self,
        script_id: str,
        body: str,
        *,
        category: str = "info",
        extra: str = "",
        timeout: int = 30,
        sign: bool = True,
        prelude: bool = True,
        interpreter: str = "python3",
    ) -> Path:
        """Write ``<id>.toml`` + ``<id>.py`` (+ ``.sig``) and return the manifest path."""
        changing = category != "info"
        manifest = textwrap.dedent(
            f"""\
            schema = 1
            id = "{script_id}"
            version = "1.0.0"
            category = "{category}"
            platforms = ["linux"]
            interpreter = "{interpreter}"
            body = "{script_id}.py"
            needs_admin = false
            risk = "{"low" if changing else "none"}"
            timeout = {timeout}
            title = {{ en = "Test {script_id}", cs = "Test {script_id}", sk = "Test {script_id}" }}
            description = {{ en = "A test script.", cs = "Testovací skript.", sk = "Testovací skript." }}
            """
        )
        if changing:
            manifest += textwrap.dedent(
                """\
                verified_by = ["probe"]
                changes = { en = "Creates a file.", cs = "Vytvoří soubor.", sk = "Vytvorí súbor." }
                undo = { en = "Delete the file.", cs = "Smažte soubor.", sk = "Zmažte súbor." }
                """
            )
        manifest += extra
        manifest_path = self.path / f"{script_id}.toml"
        manifest_path.write_text(manifest)
        (self.path / f"{script_id}.py").write_text(
            (PRELUDE if prelude and interpreter == "python3" else "") + textwrap.dedent(body)
        )
        if sign:
            self.sign(manifest_path)
        return manifest_path

    def sign(self, manifest_path: Path, key: ed25519.Ed25519PrivateKey | None = None) -> None:
        body = manifest_path.with_name(manifest_path.stem + ".py").read_bytes()
        signature = sign_script(manifest_path.read_bytes(), body, key or self.key)
        signature_path(manifest_path).write_bytes(signature.to_bytes())

    def catalog(self) -> Catalog:
        return load_catalog([self.path], self.trusted)


@pytest.fixture
def scripts(tmp_path: Path) -> ScriptFolder:
    folder = tmp_path / "scripts"
    folder.mkdir()
    return ScriptFolder(folder, ed25519.Ed25519PrivateKey.generate())


@pytest.fixture(scope="session")
def library() -> Catalog:
    """The shipped library, verified against the committed project key only."""
    return load_catalog([LIBRARY_DIR], TrustedKeys([PublicKey.load(PROJECT_KEY)]))


@dataclass
class SshTarget:
    """A real sshd on 127.0.0.1 with a Podpora SSH connection and the diagnostics executor over it."""

    server: SshServer
    connection: SshConnection
    executor: SshExecutor
    config: Path


def start_target(factory: SshServerFactory, client_key: KeyPair, root: Path) -> SshTarget:
    home = root / "remote-home"
    home.mkdir(parents=True)
    # A scratch HOME keeps the login shell away from this machine's own dotfiles (pyenv rehash in
    # root's .bashrc can block for a minute on a stale lock); the scripts never use HOME.
    server = factory.start(
        authorized_keys=[client_key.public_line], extra_config=f"MaxSessions 64\nSetEnv HOME={home}\n"
    )
    known = root / "known_hosts"
    known.write_text(server.known_hosts_line() + "\n")
    config = root / "ssh_config"
    config.write_text(
        f"Host target\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n  UserKnownHostsFile {known}\n"
        "  StrictHostKeyChecking yes\n"
    )
    options = ConnectOptions(
        config_path=config, known_hosts_paths=[known], use_agent=False, own_known_hosts=root / "own_known_hosts"
    )
    connection = connect("target", options)
    return SshTarget(server, connection, SshExecutor(connection, "target"), config)


@pytest.fixture
def ssh_target(sshd_factory: SshServerFactory, client_key: KeyPair, tmp_path: Path) -> Iterator[SshTarget]:
    target = start_target(sshd_factory, client_key, tmp_path / "ssh")
    yield target
    target.connection.close()


def processes_with(token: str) -> list[int]:
    """PIDs whose command line contains ``token`` (read from /proc; no sleeping)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if token.encode() in cmdline:
            found.append(int(entry.name))
    return found


def wait_for_processes_with(token: str, count: int = 1, timeout: float = 10.0) -> list[int]:
    """PIDs with ``token`` in their command line, once at least ``count`` exist (or what exists at the deadline).

    A child the script just started can be seen without its command line for a moment: Python's ``Popen``
    returns once ``execve`` is past the point of no return, before the kernel has set up the new argv.
    """
    import threading
    import time

    deadline = time.monotonic() + timeout
    pause = threading.Event()
    found = processes_with(token)
    while len(found) < count and time.monotonic() < deadline:
        pause.wait(0.02)  # polling /proc with a deadline: there is no event for "a process exists"
        found = processes_with(token)
    return found


def checks_by_id(result: Any) -> dict[str, Any]:
    return {check.id: check for check in result.checks}


def wait_until_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait (on pidfds, not by sleeping) until every pid has exited; return those still alive at the deadline."""
    import os
    import select
    import time

    deadline = time.monotonic() + timeout
    alive = []
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            remaining = max(0.0, deadline - time.monotonic())
            if not poller.poll(remaining * 1000):
                alive.append(pid)
        finally:
            os.close(fd)
    return alive
