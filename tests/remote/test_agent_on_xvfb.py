"""The whole path on a real X display through a real sshd: real capture, codec and input, consent-gated."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.cli.child_process import python_module_command
from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.capture import MssScreenSource
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.encode import FrameEncoder
from app.remote.inject import PynputInputSink, ScreenMapping
from app.remote.privsep import BrokeredAgent
from app.remote.ssh import SshConnection
from tests.helpers.xvfb import VirtualDisplay
from tests.remote.agentkit import ScriptedConsent
from tests.remote.test_agent_through_sshd import ssh  # noqa: F401 - the fixture, shared
from tests.remote.test_capture import XWindowPainter, known_image
from tests.remote.test_inject import Probe

pytestmark = [pytest.mark.xvfb, pytest.mark.sshd]
XK_RETURN = 0xFF0D


class Screen:
    """What the technician sees: the latest framebuffer, and whether it was exact."""

    def __init__(self) -> None:
        self.latest: np.ndarray | None = None
        self.exact = False
        self._changed = threading.Condition()

    def wait(self, predicate, timeout: float = 20) -> bool:  # type: ignore[no-untyped-def]
        with self._changed:
            return self._changed.wait_for(lambda: self.latest is not None and predicate(self), timeout)

    def update(self, framebuffer: np.ndarray, exact: bool) -> None:
        with self._changed:
            self.latest, self.exact = framebuffer.copy(), exact
            self._changed.notify_all()


@pytest.fixture
def desktop(xvfb: VirtualDisplay, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Probe, XWindowPainter]]:
    monkeypatch.setenv("DISPLAY", xvfb.name)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    probe = Probe(xvfb, 200, 150, 400, 300)
    painter = XWindowPainter(xvfb.name, 700, 450, known_image())
    yield probe, painter
    painter.close()
    probe.close()


@pytest.mark.parametrize("separated", [False, True], ids=["one-process", "privsep"])
def test_known_image_arrives_exact_and_input_reaches_an_x_client_only_with_control(
    desktop: tuple[Probe, XWindowPainter],
    ssh: SshConnection,  # noqa: F811 - the fixture above
    separated: bool,
) -> None:
    """``privsep``: the protocol process (confined, without the display) parses everything; the broker captures
    and injects through the X server (SECURITY-BAR T26)."""
    probe, _ = desktop
    screen_source = MssScreenSource()
    sink = PynputInputSink()
    consent = ScriptedConsent(frozenset({p.Capability.VIEW, p.Capability.CONTROL}))
    agent: AssistAgent | BrokeredAgent
    if separated:
        agent = BrokeredAgent(
            command=python_module_command("app.remote.privsep"),
            screen=screen_source,
            consent=consent,
            input_sink=sink,
            on_mapping=lambda left, top, width, height: sink.set_mapping(ScreenMapping(left, top, width, height)),
        )
    else:
        agent = AssistAgent(
            screen=screen_source,
            consent=consent,
            input_sink=sink,
            encoder_factory=FrameEncoder,
            on_mapping=lambda left, top, width, height: sink.set_mapping(ScreenMapping(left, top, width, height)),
        )
    port = agent.listen(0)
    seen = Screen()
    client: TechnicianClient

    def on_frame(framebuffer: np.ndarray, drawn: list[tuple[int, int, int, int]]) -> None:
        seen.update(framebuffer, not client.last_update_pending)
        client.frame_drawn()

    client = TechnicianClient(
        ssh.open_stream("127.0.0.1", port),
        code=agent.code(),
        capabilities=frozenset({p.Capability.VIEW, p.Capability.CONTROL}),
        callbacks=TechnicianCallbacks(on_frame=on_frame),
    )
    client.start()
    try:
        image = known_image()
        h, w = image.shape[:2]
        assert seen.wait(
            lambda s: s.exact and np.array_equal(s.latest[450 : 450 + h, 700 : 700 + w, :3], image[:, :, :3])
        ), "the known image never arrived pixel-exact"

        client.send_pointer(250, 180, 1)
        client.send_pointer(250, 180, 0)
        press = probe.next("press")
        assert (press["gx"], press["gy"]) == (250, 180)
        client.send_key(True, text="ž")
        client.send_key(False, text="ž")
        assert probe.typed_text(1)[0] == "ž"

        # Control taken back: the next click never arrives (the X client reports nothing new).
        agent.revoke_control()
        client.send_pointer(300, 200, 1)
        client.send_pointer(300, 200, 0)
        client.send_key(True, keysym=XK_RETURN)
        with pytest.raises(AssertionError, match="never reported"):
            probe.next(("press", "key"), timeout=1.5)
    finally:
        client.stop()
        agent.stop()
        assert agent.wait_stopped(5)
        sink.close()
        screen_source.close()
