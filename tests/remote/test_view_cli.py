"""``podpora view`` against a real agent behind a real sshd, with the real screen codec."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from app.cli import main
from app.cli.view import split_target, write_png
from app.remote import protocol as p
from app.remote.agent import AssistAgent
from app.remote.encode import FrameEncoder
from tests.helpers.sshd import KeyPair, SshServerFactory
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent, TickingScreen


def photo_and_text(width: int, height: int) -> np.ndarray:
    """A picture with a smooth gradient (JPEG territory) and sharp text-like blocks (lossless territory)."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.zeros((height, width, 4), dtype=np.uint8)
    image[:, :, 0] = (x * 255 // width).astype(np.uint8)
    image[:, :, 1] = (y * 255 // height).astype(np.uint8)
    image[:, :, 2] = ((x + y) % 256).astype(np.uint8)
    image[:, :, 3] = 255
    image[10:30, 10:200:3] = (0, 0, 0, 255)
    return image


def read_png(path: Path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    assert not image.isNull()
    data = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
    return data[:, : image.width() * 4].reshape(image.height(), image.width(), 4).copy()


@pytest.fixture
def ssh_setup(tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair) -> tuple[Path, Path]:
    server = sshd_factory.start(authorized_keys=[client_key.public_line])
    known = tmp_path / "known_hosts"
    known.write_text(server.known_hosts_line() + "\n")
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host user-pc\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n"
    )
    return config, known


def test_split_target() -> None:
    assert split_target("user-pc", 5990) == ("user-pc", 5990)
    assert split_target("gateway:40123", 5990) == ("gateway", 40123)
    assert split_target("user@host", 5990) == ("user@host", 5990)


def test_png_writer_round_trips(tmp_path: Path) -> None:
    image = FakeScreen(37, 23).image
    write_png(tmp_path / "x.png", image)
    assert np.array_equal(read_png(tmp_path / "x.png")[:, :, :3], image[:, :, :3])


@pytest.mark.sshd
def test_snapshot_is_exact_after_refinement(
    tmp_path: Path, ssh_setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, known = ssh_setup
    screen = FakeScreen()
    screen.image = photo_and_text(400, 240)
    consent = ScriptedConsent(frozenset({p.Capability.VIEW}))
    agent = AssistAgent(screen=screen, consent=consent, input_sink=RecordingSink(), encoder_factory=FrameEncoder)
    port = agent.listen(0)
    out = tmp_path / "shot.png"
    try:
        code = main(
            ["view", "user-pc", "--code", agent.code(), "--snapshot", str(out), "-F", str(config),
             "--known-hosts", str(known), "--port", str(port), "--reason", "printer", "--case", "C-1"]
        )  # fmt: skip
    finally:
        agent.stop()
        assert agent.wait_stopped(5)
    assert code == 0, capsys.readouterr().err
    assert np.array_equal(read_png(out)[:, :, :3], screen.image[:, :, :3])
    assert consent.prompts[0].reason == "printer" and consent.prompts[0].case_ref == "C-1"


@pytest.mark.sshd
def test_stats_for_a_few_seconds(ssh_setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    config, known = ssh_setup
    # A screen that changes on every grab: updates keep coming through the measured half second (a still screen
    # may have sent its last refinement before the measurement starts).
    agent = AssistAgent(
        screen=TickingScreen(), consent=ScriptedConsent(frozenset({p.Capability.VIEW})), encoder_factory=FrameEncoder
    )
    port = agent.listen(0)
    try:
        code = main(
            ["view", "user-pc", "--code", agent.code(), "--seconds", "0.5", "--stats", "-F", str(config),
             "--known-hosts", str(known), "--port", str(port)]
        )  # fmt: skip
    finally:
        agent.stop()
        assert agent.wait_stopped(5)
    assert code == 0
    stats = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert stats["frames"] >= 1
    assert stats["wire_bytes"] > stats["payload_bytes"] > 0


@pytest.mark.sshd
def test_refusal_is_reported(ssh_setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config, known = ssh_setup
    screen = FakeScreen()
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset()))
    port = agent.listen(0)
    try:
        code = main(
            ["view", "user-pc", "--code", agent.code(), "--snapshot", str(tmp_path / "no.png"), "-F", str(config),
             "--known-hosts", str(known), "--port", str(port)]
        )  # fmt: skip
    finally:
        agent.stop()
        assert agent.wait_stopped(5)
    assert code == 3
    assert "consent refused" in capsys.readouterr().err
    assert not (tmp_path / "no.png").exists()
    assert screen.grabs == 0


@pytest.mark.sshd
def test_snapshot_in_gateway_mode(
    tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair, capsys: pytest.CaptureFixture[str]
) -> None:
    """The agent publishes its port on a gateway (restricted key); the technician names ``gateway:PORT``."""
    from app.remote.gateway import GatewayPublisher, GatewaySettings

    agent_key = KeyPair.generate(tmp_path / "agent" / "id_ed25519")
    gateway = sshd_factory.start(
        name="gateway",
        authorized_keys=[
            f'restrict,port-forwarding,permitlisten="127.0.0.1:*" {agent_key.public_line}',
            client_key.public_line,
        ],
    )
    known = tmp_path / "gateway_known_hosts"
    known.write_text(gateway.known_hosts_line() + "\n")
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host gw-agent\n  HostName 127.0.0.1\n  Port {gateway.port}\n  User {gateway.user}\n"
        f"  IdentityFile {agent_key.path}\n  IdentitiesOnly yes\n"
        f"Host gw\n  HostName 127.0.0.1\n  Port {gateway.port}\n  User {gateway.user}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n"
    )
    screen = FakeScreen(96, 64)
    agent = AssistAgent(screen=screen, consent=ScriptedConsent(frozenset({p.Capability.VIEW})))
    publisher = GatewayPublisher(
        GatewaySettings(target="gw-agent", known_hosts=known, config_path=config), agent.listen(0)
    )
    out = tmp_path / "gw.png"
    try:
        remote_port = publisher.start()
        code = main(
            ["view", f"gw:{remote_port}", "--code", agent.code(), "--snapshot", str(out), "-F", str(config),
             "--known-hosts", str(known)]
        )  # fmt: skip
    finally:
        publisher.stop()
        agent.stop()
        assert agent.wait_stopped(5)
    assert code == 0, capsys.readouterr().err
    assert np.array_equal(read_png(out)[:, :, :3], screen.image[:, :, :3])


@pytest.mark.sshd
def test_a_lost_link_is_resumed_without_a_new_code(
    tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reset link mid-stream: ``podpora view`` says so, reconnects over a new SSH connection and goes on."""
    import threading

    from tests.helpers.faultproxy import FaultProxy

    server = sshd_factory.start(authorized_keys=[client_key.public_line])
    proxy = FaultProxy(server.port).start()
    known = tmp_path / "known_hosts"
    known.write_text(server.known_hosts_line().replace(f"]:{server.port} ", f"]:{proxy.port} ") + "\n")
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host user-pc\n  HostName 127.0.0.1\n  Port {proxy.port}\n  User {server.user}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n"
    )
    screen = TickingScreen()  # changes on every grab: updates flow before and after the reset
    agent = AssistAgent(
        screen=screen, consent=ScriptedConsent(frozenset({p.Capability.VIEW})), encoder_factory=FrameEncoder
    )
    port = agent.listen(0)
    result: list[int] = []
    arguments = ["view", "user-pc", "--code", agent.code(), "--seconds", "8", "--stats", "-F", str(config),
                 "--known-hosts", str(known), "--port", str(port)]  # fmt: skip
    viewer = threading.Thread(target=lambda: result.append(main(arguments)), daemon=True)
    try:
        viewer.start()
        proxy.wait_for(lambda: screen.grabs >= 1, timeout=30)  # paired, consented, streaming
        grabs_before = screen.grabs
        proxy.reset()  # the SSH connection dies with an RST, as on a dropped network
        proxy.wait_for(lambda: proxy.accepted >= 2 and screen.grabs > grabs_before, timeout=30)
        viewer.join(30)
    finally:
        agent.stop()
        assert agent.wait_stopped(5)
        proxy.stop()
    assert result == [0]  # the session did not end early: it went on after the reset
    captured = capsys.readouterr()
    assert "connection lost, reconnecting" in captured.err
    assert "reconnected, the session goes on" in captured.err
    stats = json.loads(captured.out.strip().splitlines()[-1])
    assert stats["ended_early"] is False
    assert stats["frames"] >= 1
