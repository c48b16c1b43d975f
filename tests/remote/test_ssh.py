"""The SSH layer against real OpenSSH servers on 127.0.0.1: config, auth, host keys, jumps, forwards, failures."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.remote.ssh import (
    AuthFailed,
    ConnectCancelled,
    ConnectOptions,
    ConnectTimeout,
    HostKeyChanged,
    HostKeyDecision,
    HostKeyInfo,
    HostKeyRefused,
    HostUnreachable,
    SshClientConfig,
    SshConfigError,
    SshConnection,
    connect,
)
from app.remote.tunnel import LocalForward, ReverseForward
from tests.helpers.sshd import KeyPair, SshServer, SshServerFactory, free_port


@dataclass
class SshEnv:
    """A throwaway client side: an ssh config file, a known_hosts file and Podpora's own known_hosts."""

    root: Path
    key: KeyPair
    blocks: list[str] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def known_hosts(self) -> Path:
        return self.root / "known_hosts"

    @property
    def own_known_hosts(self) -> Path:
        return self.root / "podpora_known_hosts"

    def add_host(self, alias: str, server: SshServer, *, extra: str = "", identity: Path | None = None) -> None:
        self.blocks.append(
            f"Host {alias}\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
            f"  IdentityFile {identity or self.key.path}\n  IdentitiesOnly yes\n  ConnectTimeout 5\n{extra}\n"
        )
        self.config.write_text("\n".join(self.blocks))

    def trust(self, server: SshServer, *, hashed: bool = False) -> None:
        with self.known_hosts.open("a") as handle:
            handle.write(server.known_hosts_line(hashed=hashed) + "\n")

    def options(self, **overrides: object) -> ConnectOptions:
        values: dict[str, object] = {
            "config_path": self.config,
            "known_hosts_paths": [self.known_hosts],
            "own_known_hosts": self.own_known_hosts,
            "use_agent": False,
        }
        values.update(overrides)
        return ConnectOptions(**values)  # type: ignore[arg-type]


@pytest.fixture
def env(tmp_path: Path, client_key: KeyPair) -> SshEnv:
    root = tmp_path / "client-ssh"
    root.mkdir(exist_ok=True)
    return SshEnv(root=root, key=client_key)


def _start(factory: SshServerFactory, key: KeyPair, **kwargs: object) -> SshServer:
    return factory.start(authorized_keys=[key.public_line], **kwargs)  # type: ignore[arg-type]


def _echo_server() -> tuple[socket.socket, int]:
    """A loopback echo server (one thread per connection) for tunnel tests."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return

            def echo(c: socket.socket = conn) -> None:
                with c:
                    while data := c.recv(65536):
                        c.sendall(data)

            threading.Thread(target=echo, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener, listener.getsockname()[1]


def _exchange(stream: socket.socket, payload: bytes) -> bytes:
    """Send ``payload`` and read the same number of bytes back."""
    received = bytearray()

    def reader() -> None:
        while len(received) < len(payload):
            chunk = stream.recv(65536)
            if not chunk:
                break
            received.extend(chunk)

    thread = threading.Thread(target=reader)
    thread.start()
    stream.sendall(payload)
    thread.join(timeout=30)
    return bytes(received)


# ------------------------------------------------------------------------------------------------ direct


@pytest.mark.sshd
def test_direct_connection_with_known_host_reports_route_and_auth(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    server = _start(sshd_factory, env.key)
    env.add_host("user-pc", server)
    env.trust(server)
    with connect("user-pc", env.options()) as conn:
        assert conn.is_active()
        [report] = conn.reports
        assert report.hop.port == server.port
        assert report.verdict == "known"
        assert report.strict_kex is True
        assert report.cipher.startswith("aes128-gcm")
        assert str(env.key.path) in report.auth_method
        assert report.fingerprint.startswith("SHA256:")
        process = conn.exec("echo hello-from-$USER")
        assert process.stdout.read().strip() == f"hello-from-{server.user}".encode()
        assert process.wait(10) == 0
        # Sessions of a private sshd get a scratch HOME, so the account's dotfiles never run.
        home = conn.exec("echo $HOME")
        assert home.stdout.read().strip() == str(server.root / "home").encode()


@pytest.mark.sshd
def test_hashed_known_hosts_entry_is_honoured(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    server = _start(sshd_factory, env.key)
    env.add_host("hashed", server)
    env.trust(server, hashed=True)
    with connect("hashed", env.options()) as conn:
        assert conn.reports[0].verdict == "known"


@pytest.mark.sshd
def test_default_config_location_is_users_ssh_config(
    sshd_factory: SshServerFactory, env: SshEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _start(sshd_factory, env.key)
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    env.add_host("from-home", server)
    (home / ".ssh" / "config").write_text(env.config.read_text())
    (home / ".ssh" / "known_hosts").write_text(server.known_hosts_line() + "\n")
    with connect("from-home", ConnectOptions(use_agent=False)) as conn:
        assert conn.reports[0].verdict == "known"


# ---------------------------------------------------------------------------------------------- config


@pytest.mark.sshd
def test_include_and_host_patterns_with_negation(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    server = _start(sshd_factory, env.key)
    env.trust(server)
    included = env.root / "conf.d" / "lab.conf"
    included.parent.mkdir()
    included.write_text(
        f"Host *.lab !broken.lab\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
        f"  IdentityFile {env.key.path}\n  IdentitiesOnly yes\n"
        "Host broken.lab\n  HostName 127.0.0.1\n  Port 1\n"
    )
    env.config.write_text(f"Include {included.parent}/*.conf\n")
    config = SshClientConfig(env.config)
    [hop] = config.resolve("pc1.lab")
    assert (hop.host, hop.port, hop.user) == ("127.0.0.1", server.port, server.user)
    [broken] = config.resolve("broken.lab")
    assert broken.port == 1  # the negated pattern did not apply its Port
    with connect("pc1.lab", env.options()) as conn:
        assert conn.reports[0].verdict == "known"


def test_missing_explicit_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SshConfigError) as error:
        SshClientConfig(tmp_path / "nope")
    assert "does not exist" in error.value.user_message


def test_bad_number_in_config_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host x\n  Port twenty-two\n")
    with pytest.raises(SshConfigError) as error:
        SshClientConfig(config).resolve("x")
    assert "invalid number" in error.value.user_message


# ------------------------------------------------------------------------------------------- proxy jump


@pytest.mark.sshd
def test_two_hop_proxy_jump_chain_checks_every_host_key(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    jump1 = _start(sshd_factory, env.key, name="jump1")
    jump2 = _start(sshd_factory, env.key, name="jump2")
    target = _start(sshd_factory, env.key, name="target")
    env.add_host("j1", jump1)
    env.add_host("j2", jump2)
    env.add_host("target", target, extra="  ProxyJump j1,j2\n")
    for server in (jump1, jump2, target):
        env.trust(server)
    with connect("target", env.options()) as conn:
        assert [r.hop.port for r in conn.reports] == [jump1.port, jump2.port, target.port]
        assert all(r.verdict == "known" and r.strict_kex for r in conn.reports)
        process = conn.exec("echo through")
        assert process.stdout.read().strip() == b"through"
    # The target's sshd saw the connection come from loopback through jump2, not from us directly.
    assert "Accepted publickey" in target.log_text()


@pytest.mark.sshd
def test_replaced_target_behind_honest_jump_host_is_refused(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    """T03: trusting the jump host is never enough; the target's key is checked end to end."""
    jump = _start(sshd_factory, env.key, name="jump")
    target = _start(sshd_factory, env.key, name="target")
    env.add_host("jump", jump)
    env.add_host("target", target, extra="  ProxyJump jump\n")
    env.trust(jump)
    env.trust(target)
    port = target.port
    target.stop()
    impostor = _start(sshd_factory, env.key, name="impostor", port=port)
    with pytest.raises(HostKeyChanged):
        connect("target", env.options())
    assert "userauth-request" not in impostor.log_text()


# --------------------------------------------------------------------------------------------- host keys


@pytest.mark.sshd
def test_unknown_host_key_is_refused_without_a_decider_and_nothing_is_sent(
    sshd_factory: SshServerFactory, env: SshEnv
) -> None:
    """T01: no auto-accept; no credentials reach an unverified server; nothing is written."""
    server = _start(sshd_factory, env.key)
    env.add_host("new-pc", server)
    with pytest.raises(HostKeyRefused) as error:
        connect("new-pc", env.options())
    assert "SHA256:" in error.value.user_message
    assert "userauth-request" not in server.log_text()
    assert not env.own_known_hosts.exists()


@pytest.mark.sshd
def test_unknown_host_key_shown_with_fingerprint_and_trusted_once(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    server = _start(sshd_factory, env.key)
    env.add_host("new-pc", server)
    shown: list[HostKeyInfo] = []

    def decide(info: HostKeyInfo) -> HostKeyDecision:
        shown.append(info)
        return HostKeyDecision.TRUST_ONCE

    with connect("new-pc", env.options(host_key_decider=decide)) as conn:
        assert conn.reports[0].verdict == "trusted-once"
    expected = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(server.host_key) + ".pub"], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert [info.fingerprint for info in shown] == [expected]
    assert shown[0].key_type == "ssh-ed25519"
    assert not env.own_known_hosts.exists()
    with pytest.raises(HostKeyRefused):
        connect("new-pc", env.options())


@pytest.mark.sshd
def test_trust_and_remember_writes_a_hashed_private_entry(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    server = _start(sshd_factory, env.key)
    env.add_host("new-pc", server)
    with connect("new-pc", env.options(host_key_decider=lambda info: HostKeyDecision.TRUST_AND_REMEMBER)) as conn:
        assert conn.reports[0].verdict == "remembered"
    text = env.own_known_hosts.read_text()
    assert text.startswith("|1|") and str(server.port) not in text
    assert oct(env.own_known_hosts.stat().st_mode & 0o777) == "0o600"
    # ssh-keygen agrees that the entry names this host.
    found = subprocess.run(
        ["ssh-keygen", "-F", f"[127.0.0.1]:{server.port}", "-f", str(env.own_known_hosts)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0
    with connect("new-pc", env.options()) as conn:  # next time it is simply known
        assert conn.reports[0].verdict == "known"


@pytest.mark.sshd
def test_changed_host_key_is_a_hard_refusal(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    """T02: a second sshd with another key on the same address is refused, even if a decider would accept."""
    original = _start(sshd_factory, env.key, name="original")
    env.add_host("user-pc", original)
    env.trust(original)
    port = original.port
    original.stop()
    impostor = _start(sshd_factory, env.key, name="impostor", port=port)
    with pytest.raises(HostKeyChanged) as error:
        connect("user-pc", env.options(host_key_decider=lambda info: HostKeyDecision.TRUST_AND_REMEMBER))
    assert "changed" in error.value.user_message and "SHA256:" in error.value.user_message
    assert error.value.exit_code == 4
    assert "userauth-request" not in impostor.log_text()
    assert not env.own_known_hosts.exists()


# ------------------------------------------------------------------------------------------------- auth


@pytest.mark.sshd
def test_wrong_key_is_refused(sshd_factory: SshServerFactory, env: SshEnv, tmp_path: Path) -> None:
    server = _start(sshd_factory, env.key)
    stranger = KeyPair.generate(tmp_path / "stranger" / "id_ed25519")
    env.add_host("user-pc", server, identity=stranger.path)
    env.trust(server)
    with pytest.raises(AuthFailed) as error:
        connect("user-pc", env.options())
    assert error.value.exit_code == 5
    assert "did not accept" in error.value.user_message


@pytest.mark.sshd
def test_encrypted_key_asks_for_passphrase_through_the_callback(
    sshd_factory: SshServerFactory, env: SshEnv, tmp_path: Path
) -> None:
    locked = KeyPair.generate(tmp_path / "locked" / "id_ed25519", passphrase=b"correct horse")
    server = sshd_factory.start(authorized_keys=[locked.public_line])
    env.add_host("user-pc", server, identity=locked.path)
    env.trust(server)
    asked: list[Path] = []

    def passphrase(path: Path) -> str:
        asked.append(path)
        return "correct horse"

    with connect("user-pc", env.options(passphrase_provider=passphrase)) as conn:
        assert conn.is_active()
    assert asked == [locked.path]
    with pytest.raises(AuthFailed) as error:
        connect("user-pc", env.options(passphrase_provider=lambda path: "wrong"))
    assert "passphrase" in error.value.user_message


@pytest.mark.sshd
def test_world_readable_private_key_is_refused(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    """T06: a key others can read is not used, with the chmod fix in the message."""
    server = _start(sshd_factory, env.key)
    env.add_host("user-pc", server)
    env.trust(server)
    os.chmod(env.key.path, 0o644)
    with pytest.raises(AuthFailed) as error:
        connect("user-pc", env.options())
    assert "chmod 600" in error.value.user_message


@pytest.fixture
def ssh_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real ``ssh-agent`` on a private socket, killed after the test."""
    sock = tmp_path / "agent.sock"
    process = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    process.stdout.readline()  # the agent prints its environment line once the socket is bound
    monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
    yield str(sock)
    process.kill()
    process.wait()
    process.stdout.close()


@pytest.mark.sshd
def test_ssh_agent_authentication(sshd_factory: SshServerFactory, env: SshEnv, ssh_agent: str, tmp_path: Path) -> None:
    agent_key = KeyPair.generate(tmp_path / "agentkey" / "id_ed25519")
    subprocess.run(["ssh-add", str(agent_key.path)], check=True, capture_output=True)
    server = sshd_factory.start(authorized_keys=[agent_key.public_line])
    env.blocks.append(f"Host agent-pc\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n")
    env.config.write_text("\n".join(env.blocks))
    env.trust(server)
    with connect("agent-pc", env.options(use_agent=True)) as conn:
        assert "ssh-agent" in conn.reports[0].auth_method


# ------------------------------------------------------------------------------------------ failures


def test_dead_port_is_unreachable(env: SshEnv) -> None:
    env.config.write_text(f"Host dead\n  HostName 127.0.0.1\n  Port {free_port()}\n  ConnectTimeout 3\n")
    with pytest.raises(HostUnreachable) as error:
        connect("dead", env.options())
    assert error.value.exit_code == 6
    assert "refused the connection" in error.value.user_message


def test_silent_server_times_out_instead_of_hanging(env: SshEnv) -> None:
    """T08: a server that accepts TCP but never speaks ends in a timeout, not a hang."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    env.config.write_text(f"Host silent\n  HostName 127.0.0.1\n  Port {port}\n  ConnectTimeout 1\n")
    try:
        with pytest.raises(ConnectTimeout) as error:
            connect("silent", env.options())
        assert error.value.exit_code == 7
    finally:
        listener.close()


def test_a_connect_stalled_by_a_silent_server_can_be_cancelled(env: SshEnv) -> None:
    """Cancel closes the attempt's socket at once: the stalled server sees it go, and the caller is told."""
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    env.config.write_text(f"Host silent\n  HostName 127.0.0.1\n  Port {port}\n  ConnectTimeout 600\n")
    cancel = threading.Event()
    outcome: list[BaseException] = []

    def attempt() -> None:
        try:
            connect("silent", env.options(cancel=cancel))
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=attempt, daemon=True)
    try:
        worker.start()
        listener.settimeout(30)
        accepted, _ = listener.accept()  # the client is connected and waits for a banner that never comes
        with accepted:
            cancel.set()
            worker.join(30)  # far less than the 600 s timeout, or this fails
            assert not worker.is_alive()
            accepted.settimeout(30)
            received = b""
            while chunk := accepted.recv(1024):  # the client's own banner, then the end of the stream
                received += chunk
            assert received.startswith(b"SSH-2.0-")
    finally:
        listener.close()
    assert len(outcome) == 1 and isinstance(outcome[0], ConnectCancelled)
    assert outcome[0].user_message == "The connection attempt was cancelled."


# ------------------------------------------------------------------------------------------- tunnels


@pytest.mark.sshd
def test_local_forward_carries_bytes_exactly(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    server = _start(sshd_factory, env.key)
    env.add_host("user-pc", server)
    env.trust(server)
    echo, echo_port = _echo_server()
    payload = os.urandom(3 * 1024 * 1024)
    try:
        with connect("user-pc", env.options()) as conn, LocalForward(conn, "127.0.0.1", echo_port) as forward:
            with socket.create_connection(("127.0.0.1", forward.local_port)) as client:
                received = _exchange(client, payload)
            assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()
            assert conn.open_low_latency_session() is True
    finally:
        echo.close()


@pytest.mark.sshd
def test_forward_to_closed_port_is_refused_with_a_clear_error(sshd_factory: SshServerFactory, env: SshEnv) -> None:
    server = _start(sshd_factory, env.key)
    env.add_host("user-pc", server)
    env.trust(server)
    from app.remote.ssh import ForwardRefused

    with connect("user-pc", env.options()) as conn, pytest.raises(ForwardRefused) as error:
        conn.open_stream("127.0.0.1", free_port())
    assert "Nothing may be listening" in error.value.user_message


@pytest.mark.sshd
def test_reverse_forward_through_a_restricted_gateway_key(
    sshd_factory: SshServerFactory, env: SshEnv, tmp_path: Path
) -> None:
    """The assist agent's path: a key allowed to do nothing but listen on the gateway's loopback."""
    agent_key = KeyPair.generate(tmp_path / "agent" / "id_ed25519")
    gateway = sshd_factory.start(
        name="gateway",
        authorized_keys=[
            f'restrict,port-forwarding,permitlisten="127.0.0.1:*" {agent_key.public_line}',
            env.key.public_line,
        ],
    )
    env.add_host("gateway-as-agent", gateway, identity=agent_key.path)
    env.add_host("gateway", gateway)
    env.trust(gateway)
    echo, echo_port = _echo_server()
    try:
        with connect("gateway-as-agent", env.options()) as agent_side:
            # The restricted key can neither run commands nor open a pty.
            assert agent_side.open_low_latency_session() is False
            with ReverseForward(agent_side, "127.0.0.1", echo_port) as reverse:
                assert reverse.remote_port > 0
                # The technician reaches the reverse-forwarded port through the gateway.
                with connect("gateway", env.options()) as technician:
                    stream = technician.open_stream("127.0.0.1", reverse.remote_port)
                    payload = os.urandom(200_000)
                    received = _exchange(stream, payload)  # type: ignore[arg-type]
                    assert received == payload
                    stream.close()
    finally:
        echo.close()


@pytest.mark.sshd
def test_restricted_key_cannot_listen_on_a_public_address(
    sshd_factory: SshServerFactory, env: SshEnv, tmp_path: Path
) -> None:
    """T07: the gateway's permitlisten keeps the agent's port on loopback."""
    agent_key = KeyPair.generate(tmp_path / "agent" / "id_ed25519")
    gateway = sshd_factory.start(
        authorized_keys=[f'restrict,port-forwarding,permitlisten="127.0.0.1:*" {agent_key.public_line}']
    )
    env.add_host("gw", gateway, identity=agent_key.path)
    env.trust(gateway)
    from app.remote.ssh import ForwardRefused

    with connect("gw", env.options()) as conn, pytest.raises(ForwardRefused):
        conn.forward_remote(lambda channel: channel.close(), bind_host="0.0.0.0")


def test_connection_type_is_exported() -> None:
    assert SshConnection.__doc__
