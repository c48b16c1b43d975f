"""Unattended mode on a real X display: a policy pre-grants a verified technician; others are refused."""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.remote import identity as idn
from app.remote import policy as pol
from app.remote import protocol as p
from app.remote.agent import run_headless
from app.remote.client import TechnicianCallbacks, TechnicianClient
from tests.helpers.xvfb import VirtualDisplay

ORG = Ed25519PrivateKey.generate()
TECH = Ed25519PrivateKey.generate()


def claim_for(session_id: str) -> bytes:
    certificate = idn.issue_certificate(
        ORG,
        name="Jana Nováková",
        team="Servers",
        org="ACME",
        public_key=idn.public_key_bytes(TECH.public_key()),
        not_before=0,
        not_after=4_000_000_000,
    )
    return idn.make_claim(certificate, TECH, session_id)


@pytest.fixture
def headless(tmp_path: Path, xvfb: VirtualDisplay, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DISPLAY", xvfb.name)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    org_line = ORG.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()
    org_config = tmp_path / "assist.toml"
    org_config.write_text(f'[organisation]\nname = "ACME"\npublic_keys = ["{org_line}"]\n')
    fingerprint = idn.fingerprint(idn.public_key_bytes(TECH.public_key()))
    body = pol.PolicyBody(
        pol.POLICY_VERSION, "ACME", 4_000_000_000, [pol.PolicyGrant(fingerprint, [p.Capability.VIEW])]
    )
    policy_file = tmp_path / "policy.json"
    policy_file.write_bytes(pol.sign_policy(ORG, body))
    stop = threading.Event()
    codes: queue.Queue[tuple[str, int]] = queue.Queue()
    result: list[int] = []
    runner = threading.Thread(
        target=lambda: result.append(
            run_headless(
                policy=policy_file,
                listen=0,
                org_config=org_config,
                enable_input=False,
                stop=stop,
                on_code=lambda code, port: codes.put((code, port)),
            )
        )
    )
    runner.start()
    yield codes
    stop.set()
    runner.join(10)
    assert result == [0]


def connect(port: int, code: str, identity, on_frame, on_ended) -> TechnicianClient:  # type: ignore[no-untyped-def]
    import socket

    client = TechnicianClient(
        socket.create_connection(("127.0.0.1", port), timeout=5),
        code=code,
        capabilities=frozenset({p.Capability.VIEW, p.Capability.CONTROL}),
        identity=identity,
        callbacks=TechnicianCallbacks(on_frame=on_frame, on_ended=on_ended),
    )
    client.start()
    return client


@pytest.mark.xvfb
def test_policy_grants_the_named_technician_and_refuses_others(headless, podpora_home: Path) -> None:  # type: ignore[no-untyped-def]
    code, port = headless.get(timeout=20)
    files = list(podpora_home.rglob("assist-code"))
    assert files and files[0].read_text().strip() == code
    assert oct(os.stat(files[0]).st_mode & 0o777) == "0o600"

    frames: list[np.ndarray] = []
    got = threading.Event()
    ended = threading.Event()

    def on_frame(framebuffer: np.ndarray, drawn: list[tuple[int, int, int, int]]) -> None:
        frames.append(framebuffer.copy())
        got.set()

    client = connect(port, code, claim_for, on_frame, lambda reason: ended.set())
    assert got.wait(20)
    assert frames[0].shape[:2] == (800, 1280)  # the Xvfb fixture's screen
    assert client.granted == {p.Capability.VIEW}  # control was asked for but is not in the policy
    client.stop()
    assert ended.wait(10)

    # The code was used up; the next one is shown.  A technician the policy does not name is refused.
    next_code, _ = headless.get(timeout=20)
    assert next_code != code
    refused = threading.Event()
    reasons: list[str] = []

    def on_ended(reason: str) -> None:
        reasons.append(reason)
        refused.set()

    stranger = connect(port, next_code, None, lambda fb, d: None, on_ended)
    assert refused.wait(20)
    assert "consent refused" in reasons[0]
    assert stranger.frames == 0
