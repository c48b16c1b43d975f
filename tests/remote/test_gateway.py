"""Gateway mode: the agent publishes its loopback port on a real OpenSSH gateway with a restricted key."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from app.remote.gateway import GatewayPublisher, GatewaySettings
from app.remote.ssh import ConnectOptions, ForwardRefused, HostKeyRefused, connect
from tests.helpers.sshd import KeyPair, SshServerFactory


def _echo_listener() -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(65536):
                    conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return listener


def _setup(tmp_path: Path, sshd_factory: SshServerFactory, technician: KeyPair) -> tuple[Path, Path, int]:
    agent_key = KeyPair.generate(tmp_path / "agent" / "id_ed25519")
    gateway = sshd_factory.start(
        name="gateway",
        authorized_keys=[
            f'restrict,port-forwarding,permitlisten="127.0.0.1:*" {agent_key.public_line}',
            technician.public_line,
        ],
    )
    known = tmp_path / "gateway_known_hosts"
    known.write_text(gateway.known_hosts_line() + "\n")
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host gw-agent\n  HostName 127.0.0.1\n  Port {gateway.port}\n  User {gateway.user}\n"
        f"  IdentityFile {agent_key.path}\n  IdentitiesOnly yes\n"
        f"Host gw\n  HostName 127.0.0.1\n  Port {gateway.port}\n  User {gateway.user}\n"
        f"  IdentityFile {technician.path}\n  IdentitiesOnly yes\n"
    )
    return config, known, gateway.port


@pytest.mark.sshd
def test_technician_reaches_the_agent_through_the_gateway(
    tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair
) -> None:
    config, known, _ = _setup(tmp_path, sshd_factory, client_key)
    agent = _echo_listener()
    ports: list[int] = []
    publisher = GatewayPublisher(
        GatewaySettings(target="gw-agent", known_hosts=known, config_path=config),
        agent.getsockname()[1],
        on_port=ports.append,
    )
    try:
        port = publisher.start()
        assert ports == [port]
        options = ConnectOptions(config_path=config, known_hosts_paths=[known], use_agent=False)
        with connect("gw", options) as technician:
            stream = technician.open_stream("127.0.0.1", port)
            payload = os.urandom(4096)
            stream.sendall(payload)
            received = b""
            while len(received) < len(payload):
                received += stream.recv(65536)
            assert received == payload
            stream.close()
        publisher.stop()
        # Once the agent stops publishing, the gateway port is gone.
        with connect("gw", options) as technician, pytest.raises(ForwardRefused):
            technician.open_stream("127.0.0.1", port)
    finally:
        publisher.stop()
        agent.close()


@pytest.mark.sshd
@pytest.mark.expect_log_warnings
def test_gateway_with_unpinned_key_is_refused(
    tmp_path: Path, sshd_factory: SshServerFactory, client_key: KeyPair
) -> None:
    config, _known, _ = _setup(tmp_path, sshd_factory, client_key)
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    publisher = GatewayPublisher(GatewaySettings(target="gw-agent", known_hosts=empty, config_path=config), 9)
    with pytest.raises(HostKeyRefused):
        publisher.start()
