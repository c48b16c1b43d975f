"""The repair prompt of the real assist app on a real X server: the technician's clicks, sent through the remote
input channel right onto *Approve*, answer nothing (the agent applies no input while a prompt is open); the
user's own mouse click does, although the user granted control."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.diagnostics.results import RepairOutcome
from app.remote import protocol as p
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.identity import public_key_bytes
from app.ui.diagnostics_wiring import encode_run
from tests.helpers.xvfb import VirtualDisplay

pytestmark = pytest.mark.xvfb


def next_event(events: queue.Queue[dict[str, Any]], kind: str, timeout: float = 60) -> dict[str, Any]:
    while True:
        event = events.get(timeout=timeout)
        if event.get("event") == kind:
            return event


def test_remote_clicks_cannot_approve_a_repair_the_users_own_click_can(xvfb: VirtualDisplay, tmp_path: Path) -> None:
    org_hex = public_key_bytes(Ed25519PrivateKey.generate().public_key()).hex()
    env = {**os.environ, "DISPLAY": xvfb.name, "PODPORA_HOME": str(tmp_path / "user-home")}
    user = subprocess.Popen(
        [
            *(sys.executable, "-m", "app.cli.demo_user", "--display", xvfb.name, "--org-key", org_hex, "--window"),
            *("--pause", "0.2", "--answers", "consent"),  # the scripted user accepts the session, nothing else
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    events: queue.Queue[dict[str, Any]] = queue.Queue()

    def read() -> None:
        assert user.stdout is not None
        for line in user.stdout:
            events.put(json.loads(line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    client: TechnicianClient | None = None
    try:
        ready = next_event(events, "ready")
        results: queue.Queue[p.ScriptResult] = queue.Queue()
        control = threading.Event()

        def on_message(message: object) -> None:
            if isinstance(message, p.ScriptResult):
                results.put(message)

        def on_state(_state: str, granted: frozenset[str], _paused: bool) -> None:
            if "control" in granted:
                control.set()

        client = TechnicianClient(
            socket.create_connection(("127.0.0.1", int(ready["port"])), timeout=10),
            code=str(ready["code"]),
            capabilities=frozenset({p.Capability.VIEW, p.Capability.CONTROL, p.Capability.DIAGNOSTICS}),
            callbacks=TechnicianCallbacks(on_message=on_message, on_state=on_state),
        )
        client.start()
        assert control.wait(60), f"the scripted user did not grant control: {list(events.queue)}"
        folder = tmp_path / "temporary"
        folder.mkdir()
        (folder / "old.tmp").write_bytes(b"x" * 4096)
        client.run_script(
            "r1", encode_run("clean_temp", {"paths": [str(folder)], "older_than_days": 0, "apt_cache": False})
        )
        approval = next_event(events, "approval")
        x, y = approval["button"]
        threading.Event().wait(2.0)  # Approve is armed after 1.5 s: from here on a click would count
        for _ in range(3):  # the technician clicks Approve through the remote input channel
            client.send_pointer(x, y, 1)
            client.send_pointer(x, y, 0)
        with pytest.raises(queue.Empty):
            results.get(timeout=3)  # nothing answered the prompt
        assert (folder / "old.tmp").exists()

        subprocess.run(  # the user's own mouse, on the user's display
            ["xdotool", "mousemove", str(x), str(y), "click", "1"], env=env, check=True, timeout=10
        )
        result = results.get(timeout=60)
        outcome = RepairOutcome.from_dict(json.loads(bytes(result.payload))["repair"])
        assert (outcome.repair.approval or {}).get("approved") is True
        assert not (folder / "old.tmp").exists()
    finally:
        if client is not None:
            client.stop()
        user.terminate()
        user.wait(timeout=20)
        reader.join(10)  # the pipe ends with the process
        if user.stdout is not None:
            user.stdout.close()
