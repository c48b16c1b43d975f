"""Agent and technician through a real OpenSSH sshd (direct-tcpip), as in direct mode."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.remote import protocol as p
from app.remote.agent import AgentCallbacks, AssistAgent
from app.remote.channel import Channel, ChannelError
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.ssh import ConnectOptions, SshConnection, connect
from tests.helpers.sshd import KeyPair, SshServerFactory
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent, SyncTechnician
from tests.remote.test_agent_client import Chats, Ended, RawDecoder

VIEW, CONTROL = p.Capability.VIEW, p.Capability.CONTROL
pytestmark = pytest.mark.sshd


@pytest.fixture
def ssh(tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair) -> Iterator[SshConnection]:
    server = sshd_factory.start(authorized_keys=[client_key.public_line])
    known = tmp_path / "known_hosts"
    known.write_text(server.known_hosts_line() + "\n")
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host user-pc\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n"
    )
    connection = connect("user-pc", ConnectOptions(config_path=config, known_hosts_paths=[known], use_agent=False))
    yield connection
    connection.close()


def test_view_through_sshd_is_pixel_exact_and_stop_closes_everything(ssh: SshConnection) -> None:
    screen, sink = FakeScreen(320, 200), RecordingSink()
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({VIEW})), input_sink=sink)
    port = agent.listen(0)
    frames: list[np.ndarray] = []
    drawn = threading.Event()
    ended = Ended()

    def on_frame(framebuffer: np.ndarray, rects: list[tuple[int, int, int, int]]) -> None:
        frames.append(framebuffer.copy())
        drawn.set()

    client = TechnicianClient(
        ssh.open_stream("127.0.0.1", port),
        code=agent.code(),
        capabilities=frozenset({VIEW}),
        callbacks=TechnicianCallbacks(on_frame=on_frame, on_ended=ended),
        decoder=RawDecoder(),
    )
    client.start()
    assert drawn.wait(15)
    assert np.array_equal(frames[0], screen.image)
    agent.stop()
    assert ended.event.wait(10)
    assert "stopped by the user" in ended.reason
    assert agent.wait_stopped(5)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_refusal_through_sshd_sends_no_frame(ssh: SshConnection) -> None:
    screen, sink = FakeScreen(), RecordingSink()
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset()), input_sink=sink)
    port = agent.listen(0)
    technician = SyncTechnician(Channel(ssh.open_stream("127.0.0.1", port)))
    assert technician.pair_and_ask(agent.code(), [VIEW, CONTROL]).granted == []
    with pytest.raises(ChannelError):
        technician.receive_until(p.FrameUpdate, timeout=10)
    assert not any(isinstance(m, p.FrameUpdate | p.ScreenInfo) for m in technician.received)
    assert screen.grabs == 0
    agent.stop()
    assert agent.wait_stopped(5)


def test_control_revoke_and_second_technician_through_sshd(ssh: SshConnection) -> None:
    screen, sink, chat = FakeScreen(), RecordingSink(), Chats()
    agent = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({VIEW, CONTROL})),
        input_sink=sink,
        callbacks=AgentCallbacks(on_chat=chat),
    )
    port = agent.listen(0)
    technician = SyncTechnician(Channel(ssh.open_stream("127.0.0.1", port)))
    technician.pair_and_ask(agent.code(), [VIEW, CONTROL])
    technician.send(p.Key(True, text="ž"))
    assert sink.wait_for(lambda events: ("key", True, None, "ž") in events)
    # A second technician through the same sshd gets nothing and does not disturb the first.
    intruder = ssh.open_stream("127.0.0.1", port)
    intruder.settimeout(5)
    assert intruder.recv(10) == b""
    agent.revoke_control()
    assert technician.receive_until(p.Revoke) == p.Revoke([CONTROL])
    assert ("key", False, None, "ž") in sink.events
    applied = len(sink.events)
    technician.send(p.Pointer(1, 1, 1))
    technician.send(p.Chat("after revoke"))
    assert chat.wait_for("after revoke")
    assert len(sink.events) == applied
    agent.stop()
    assert agent.wait_stopped(5)
