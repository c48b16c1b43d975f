"""``podpora assist --headless --policy FILE`` on a real X display: the organisation-signed policy answers
consent for the technician it names, nobody else; the screen arrives; Ctrl+C stops the agent cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.remote import protocol as p
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.identity import fingerprint, issue_certificate, make_claim, public_key_bytes
from app.remote.policy import PolicyBody, PolicyGrant, sign_policy
from tests.helpers.xvfb import VirtualDisplay

pytestmark = pytest.mark.xvfb


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def openssh_line(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def session(port: int, code: str, identity: object) -> tuple[frozenset[str], int, str]:
    """Pair as a technician; return what was granted, how many frames arrived, and why it ended."""
    frames = threading.Event()
    ended = threading.Event()
    settled = threading.Event()  # a frame arrived or the session ended: either way the answer is in
    reasons: list[str] = []
    stream = socket.create_connection(("127.0.0.1", port), timeout=10)
    client = TechnicianClient(
        stream,
        code=code,
        capabilities=frozenset({p.Capability.VIEW, p.Capability.CONTROL}),
        identity=identity,  # type: ignore[arg-type]
        callbacks=TechnicianCallbacks(
            on_frame=lambda framebuffer, rects: (frames.set(), settled.set()),
            on_ended=lambda reason: (reasons.append(reason), ended.set(), settled.set()),
        ),
    )
    client.start()
    settled.wait(20)
    got_frame = frames.is_set()
    granted = frozenset(c.value for c in client.granted)
    count = client.frames
    client.stop()
    ended.wait(10)
    return granted, count if got_frame else 0, reasons[0] if reasons else ""


def test_headless_policy_grants_only_the_named_technician(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    org = Ed25519PrivateKey.generate()
    technician = Ed25519PrivateKey.generate()
    technician_public = public_key_bytes(technician.public_key())
    now = int(time.time())
    certificate = issue_certificate(
        org,
        name="Jana",
        team="IT",
        org="Example",
        public_key=technician_public,
        not_before=now - 60,
        not_after=now + 3600,
    )
    policy = tmp_path / "kiosk.policy"
    policy.write_bytes(
        sign_policy(
            org,
            PolicyBody(
                1, "Example", now + 3600, [PolicyGrant(fingerprint(technician_public), [p.Capability.VIEW], "Jana")]
            ),
        )
    )
    config = tmp_path / "assist.toml"
    config.write_text(f'[organisation]\nname = "Example"\npublic_keys = ["{openssh_line(org)}"]\n', encoding="utf-8")
    config.chmod(0o644)
    port = free_port()
    env = {
        **os.environ,
        "DISPLAY": xvfb.name,
        "PODPORA_ORG_CONFIG": str(config),
        "PODPORA_HOME": str(tmp_path / "home"),
    }
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "assist",
            "--headless",
            "--policy",
            str(policy),
            "--listen",
            str(port),
            "--allow-root",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as agent:
        assert agent.stdout is not None and agent.stderr is not None
        try:
            line = agent.stdout.readline()
            match = re.search(r"127\.0\.0\.1:(\d+); session code (\S+)", line)
            assert match, line + agent.stderr.read()
            assert int(match.group(1)) == port
            # T26: what the network sends is parsed by a confined child of the agent, which ps shows as such.
            split = re.search(
                r"network parsing in process (\d+): protocol process confinement (\w+)", agent.stdout.readline()
            )
            assert split, "the agent did not say where the network is parsed"
            child = int(split.group(1))
            rows = subprocess.run(
                ["ps", "-o", "user=,pid=,ppid=", "-p", f"{agent.pid},{child}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split("\n")
            assert [int(row.split()[2]) for row in rows if row.split() and int(row.split()[1]) == child] == [agent.pid]
            assert split.group(2) == "complete"
            assert b"DISPLAY=" not in Path(f"/proc/{child}/environ").read_bytes()

            def claim(session_id: str) -> bytes:
                return make_claim(certificate, technician, session_id)

            granted, frames, _ = session(port, match.group(2).replace("-", ""), claim)
            assert granted == {"view"}  # control was asked for but the policy grants only view
            assert frames >= 1

            # An unverified technician (no certificate) is granted nothing: the policy answers only for Jana.
            new_code = ""
            for _ in range(50):
                text = agent.stdout.readline()
                found = re.search(r"new session code (\S+)", text)
                if found:
                    new_code = found.group(1)
                    break
            assert new_code, "the agent did not announce a new code"
            granted, frames, reason = session(port, new_code.replace("-", ""), None)
            assert granted == frozenset() and frames == 0
            assert reason
        finally:
            agent.send_signal(signal.SIGINT)
            try:
                agent.wait(timeout=20)
            except subprocess.TimeoutExpired:
                agent.kill()
                agent.wait(timeout=10)
    assert agent.returncode == 0
