"""The SSH layer on a bad network: real sshd on 127.0.0.1, the fault proxy in the TCP path (T08, T36).

What must hold: a stalled or cut link ends in a typed error within the deadlines, never a hang; a slow,
latent, tiny-segment link still carries every byte exactly. Timing is never asserted (pytest's timeout is
the hang detector); only outcomes are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.remote.ssh import ConnectOptions, ConnectTimeout, SshConnection, SshError, connect
from tests.helpers.faultproxy import Action, Direction, FaultProxy
from tests.helpers.sshd import KeyPair, SshServer, SshServerFactory

pytestmark = pytest.mark.sshd


@pytest.fixture
def server(sshd_factory: SshServerFactory, client_key: KeyPair) -> SshServer:
    return sshd_factory.start(authorized_keys=[client_key.public_line])


@pytest.fixture
def proxy(server: SshServer) -> Iterator[FaultProxy]:
    with FaultProxy(server.port) as running:
        yield running


def options_through(proxy: FaultProxy, server: SshServer, key: KeyPair, root: Path, timeout: int = 3) -> ConnectOptions:
    """ssh config and known_hosts that reach ``server`` only through ``proxy``."""
    root.mkdir(parents=True, exist_ok=True)
    config = root / "config"
    config.write_text(
        f"Host target\n  HostName 127.0.0.1\n  Port {proxy.port}\n  User {server.user}\n"
        f"  IdentityFile {key.path}\n  IdentitiesOnly yes\n  ConnectTimeout {timeout}\n"
    )
    known_hosts = root / "known_hosts"
    host_key = " ".join(server.host_public.split()[:2])
    known_hosts.write_text(f"[127.0.0.1]:{proxy.port} {host_key}\n")
    return ConnectOptions(
        config_path=config, known_hosts_paths=[known_hosts], own_known_hosts=root / "own_known_hosts", use_agent=False
    )


def run(connection: SshConnection, command: str, timeout: float = 20) -> tuple[int, bytes]:
    process = connection.exec(command)
    output = process.stdout.read()
    return process.wait(timeout), output


def test_stall_after_the_server_banner_ends_in_a_timeout(
    proxy: FaultProxy, server: SshServer, client_key: KeyPair, tmp_path: Path
) -> None:
    """T08: the server says hello, then the link goes silent in the middle of the key exchange."""
    proxy.after_bytes(Direction.TO_CLIENT, 40, Action.STALL)  # the banner line, then nothing
    with pytest.raises(ConnectTimeout):
        connect("target", options_through(proxy, server, client_key, tmp_path / "ssh", timeout=2))
    assert proxy.forwarded(Direction.TO_CLIENT) == 40


def test_a_slow_latent_link_with_tiny_segments_still_carries_every_byte(
    proxy: FaultProxy, server: SshServer, client_key: KeyPair, tmp_path: Path
) -> None:
    """T36: latency, a bandwidth cap and 7-byte segments together; the session works and nothing is lost."""
    proxy.set(Direction.BOTH, delay=0.02, throttle=200_000, segment_size=7)
    connection = connect("target", options_through(proxy, server, client_key, tmp_path / "ssh", timeout=10))
    try:
        status, output = run(connection, "head -c 20000 /dev/zero | tr '\\0' 'x'; echo END")
    finally:
        connection.close()
    assert status == 0
    assert output == b"x" * 20000 + b"END\n"
    assert proxy.writes(Direction.TO_CLIENT) > 20000 // 7


def test_a_link_that_stalls_mid_session_ends_waits_in_a_timeout(
    proxy: FaultProxy, server: SshServer, client_key: KeyPair, tmp_path: Path
) -> None:
    """A blackholed link (no FIN, no RST) must not hang the console: every wait has a deadline."""
    connection = connect("target", options_through(proxy, server, client_key, tmp_path / "ssh"))
    try:
        assert run(connection, "echo ready") == (0, b"ready\n")
        proxy.stall()
        with pytest.raises(SshError):
            # Opening a channel needs a reply from the server, which never comes.
            connection.exec("echo never", timeout=2).wait(2)
    finally:
        closer = threading.Thread(target=connection.close, daemon=True)
        closer.start()
        closer.join(15)
        assert not closer.is_alive(), "closing a connection on a hung link must not hang"


@pytest.mark.parametrize("action", ["cut", "reset"])
def test_a_link_cut_or_reset_mid_output_ends_in_an_error_not_a_hang(
    proxy: FaultProxy, server: SshServer, client_key: KeyPair, tmp_path: Path, action: str
) -> None:
    connection = connect("target", options_through(proxy, server, client_key, tmp_path / "ssh"))
    try:
        process = connection.exec("while :; do echo tick; sleep 0.05; done")
        assert process.stdout.readline() == b"tick\n"
        proxy.cut() if action == "cut" else proxy.reset()
        # The stream ends (EOF) or fails; either way the reader returns and the exit status is an error.
        while process.stdout.readline():
            pass
        with pytest.raises(SshError):
            process.wait(5)
    finally:
        connection.close()


def test_measuring_the_round_trip_on_a_stalled_link_ends(
    proxy: FaultProxy, server: SshServer, client_key: KeyPair, tmp_path: Path
) -> None:
    connection = connect("target", options_through(proxy, server, client_key, tmp_path / "ssh"))
    outcome: list[object] = []

    def measure() -> None:
        try:
            outcome.append(connection.round_trip_seconds())
        except Exception as error:  # any typed error is fine: the point is that it returns
            outcome.append(error)

    try:
        assert connection.round_trip_seconds() >= 0  # the link works
        proxy.stall()
        worker = threading.Thread(target=measure, daemon=True)
        worker.start()
        worker.join(12)  # four times the connection's own 3 s timeout
        assert not worker.is_alive(), "round_trip_seconds() still waiting on a stalled link after 12 s"
        assert isinstance(outcome[0], SshError)
    finally:
        connection.close()  # ends the hung wait (the transport goes inactive)
