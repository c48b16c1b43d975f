"""After a resumed link the stream starts over: a full frame, new deflate and H.264 streams.

An update may be lost with a broken link, so what the viewer has is unknown, and codec 7's deflate stream
(and the video stream) would no longer match the viewer's. The encoder must therefore start over after a
resume: the console asks for a full frame when it was not waiting for one, and the agent resets the encoder
whenever it streams on a new link (which also covers a console that was waiting). This test checks the
outcome: the encoder was reset and the viewer's picture is exact again, including what was drawn meanwhile.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.encode import EncodedFrame, FrameEncoder
from tests.remote.agentkit import FakeScreen, Links, ScriptedConsent

VIEW = p.Capability.VIEW


class CountingResets:
    """The real encoder, counting its resets."""

    def __init__(self) -> None:
        self.inner = FrameEncoder()
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1
        self.inner.reset()

    def encode(self, frame: NDArray[np.uint8], **kwargs: Any) -> EncodedFrame:
        return self.inner.encode(frame, **kwargs)


def test_a_resumed_link_gets_a_full_frame_and_new_streams() -> None:
    screen = FakeScreen(96, 64)
    screen.image[:, :, :3] = 200
    screen.image[10:23, 10:16, :3] = 30  # a "glyph": small, two colours, so codec 5/7 territory
    encoder = CountingResets()
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({VIEW})), encoder_factory=lambda: encoder)
    links = Links(agent.listen(0))
    frames: list[NDArray[np.uint8]] = []
    changed = threading.Condition()
    client: TechnicianClient

    def on_frame(framebuffer: NDArray[np.uint8], drawn: list[tuple[int, int, int, int]]) -> None:
        with changed:
            frames.append(framebuffer.copy())
            changed.notify_all()
        client.frame_drawn()

    client = TechnicianClient(
        links.open(),
        code=agent.code(),
        capabilities=frozenset({VIEW}),
        callbacks=TechnicianCallbacks(on_frame=on_frame),
        reconnect=links.open,
    )
    client.start()
    try:
        with changed:
            assert changed.wait_for(lambda: frames and np.array_equal(frames[-1], screen.image), 10)
            resets = encoder.resets
        links.break_current()
        with screen._lock:
            screen.image[30:43, 40:46, :3] = 30  # drawn while the link is down
        with changed:
            assert changed.wait_for(lambda: len(links.opened) >= 2 and np.array_equal(frames[-1], screen.image), 30), (
                "the picture never came back exact after the resume"
            )
        assert encoder.resets > resets, "the encoder went on with the old link's streams"
    finally:
        client.stop()
        agent.stop()
        assert agent.wait_stopped(5)
        links.close()
