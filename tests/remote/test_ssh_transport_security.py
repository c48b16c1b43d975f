"""SSH transport attacks from SECURITY-BAR §3.A, against a real sshd behind a byte-mangling proxy.

T04 (Terrapin / strict KEX): an SSH_MSG_IGNORE injected during the initial key exchange must end the
connection.  T05 (integrity): a bit flipped after the key exchange must end the connection, never reach the
application as data.  T08 (slow server): a server that dribbles its banner ends in a timeout, not a hang.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.remote.ssh import ConnectOptions, ConnectTimeout, SshError, SshProtocolError, connect
from tests.helpers.sshd import KeyPair, SshServer, SshServerFactory

Mangler = Callable[[bytes], bytes]


class ManglingProxy:
    """Forwards one client connection to sshd; server-to-client bytes pass through ``mangle`` (stateful)."""

    def __init__(self, target_port: int, mangle: Mangler) -> None:
        self.target_port = target_port
        self.mangle = mangle
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port: int = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            client, _ = self.listener.accept()
        except OSError:
            return
        server = socket.create_connection(("127.0.0.1", self.target_port))

        def pipe(source: socket.socket, sink: socket.socket, mangle: Mangler | None) -> None:
            with contextlib.suppress(OSError):
                while data := source.recv(65536):
                    sink.sendall(mangle(data) if mangle else data)
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

        threading.Thread(target=pipe, args=(client, server, None), daemon=True).start()
        threading.Thread(target=pipe, args=(server, client, self.mangle), daemon=True).start()

    def close(self) -> None:
        self.listener.close()


class InjectIgnoreAfterKexinit:
    """Parses the plaintext server stream and inserts an SSH_MSG_IGNORE right after the server's KEXINIT."""

    def __init__(self) -> None:
        self.buffer = b""
        self.banner_done = False
        self.injected = False

    @staticmethod
    def ignore_packet() -> bytes:
        payload = b"\x02" + struct.pack(">I", 0)  # SSH_MSG_IGNORE with an empty string
        padding = 8 - (5 + len(payload)) % 8
        padding += 8 if padding < 4 else 0
        return struct.pack(">IB", 1 + len(payload) + padding, padding) + payload + b"\x00" * padding

    def __call__(self, data: bytes) -> bytes:
        if self.injected:
            return data
        self.buffer += data
        out = b""
        if not self.banner_done:
            if b"\r\n" not in self.buffer:
                return b""
            banner, self.buffer = self.buffer.split(b"\r\n", 1)
            out += banner + b"\r\n"
            self.banner_done = True
        if len(self.buffer) < 6:
            return out
        length = struct.unpack(">I", self.buffer[:4])[0]
        if len(self.buffer) < 4 + length:
            return out
        packet, rest = self.buffer[: 4 + length], self.buffer[4 + length :]
        if packet[5] != 20:  # not KEXINIT: pass through unchanged
            raise AssertionError(f"expected KEXINIT first, got message {packet[5]}")
        self.injected = True
        self.buffer = b""
        return out + packet + self.ignore_packet() + rest


class FlipInsideCiphertext:
    """Follows the server's packet stream and flips one bit inside the ciphertext of encrypted packet ``target``.

    Before NEWKEYS, packets are ``u32 length | payload``; after it, with AES-GCM (the cipher Podpora prefers),
    ``u32 length | ciphertext | 16-byte tag``.  Flipping inside a ciphertext is what the MAC must catch; a
    flipped length field only makes any SSH implementation wait for bytes that never come.
    """

    TAG = 16

    def __init__(self, target: int) -> None:
        self.target = target
        self.buffer = b""
        self.banner_done = False
        self.encrypted = False
        self.encrypted_count = 0
        self.flipped = False

    def __call__(self, data: bytes) -> bytes:
        if self.flipped:
            return data
        self.buffer += data
        out = b""
        if not self.banner_done:
            if b"\r\n" not in self.buffer:
                return b""
            banner, self.buffer = self.buffer.split(b"\r\n", 1)
            out += banner + b"\r\n"
            self.banner_done = True
        while len(self.buffer) >= 4 and not self.flipped:
            length = struct.unpack(">I", self.buffer[:4])[0]
            total = 4 + length + (self.TAG if self.encrypted else 0)
            if len(self.buffer) < total:
                break
            packet, self.buffer = self.buffer[:total], self.buffer[total:]
            if not self.encrypted:
                if packet[5] == 21:  # SSH_MSG_NEWKEYS: everything after it is encrypted
                    self.encrypted = True
            else:
                self.encrypted_count += 1
                if self.encrypted_count == self.target:
                    middle = 4 + length // 2
                    packet = packet[:middle] + bytes([packet[middle] ^ 0x01]) + packet[middle + 1 :]
                    self.flipped = True
            out += packet
        if self.flipped:
            out += self.buffer
            self.buffer = b""
        return out


@pytest.fixture
def server(sshd_factory: SshServerFactory, client_key: KeyPair) -> SshServer:
    return sshd_factory.start(authorized_keys=[client_key.public_line])


def _options(tmp_path: Path, server: SshServer, client_key: KeyPair, port: int, timeout: float = 5) -> ConnectOptions:
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {' '.join(server.host_public.split()[:2])}\n")
    config = tmp_path / "config"
    config.write_text(
        f"Host proxied\n  HostName 127.0.0.1\n  Port {port}\n  User {server.user}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n  ConnectTimeout {timeout}\n"
    )
    return ConnectOptions(config_path=config, known_hosts_paths=[known], use_agent=False)


@contextlib.contextmanager
def _proxy(server: SshServer, mangle: Mangler) -> Iterator[ManglingProxy]:
    proxy = ManglingProxy(server.port, mangle)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.mark.sshd
def test_t04_ignore_injected_during_key_exchange_ends_the_connection(
    server: SshServer, client_key: KeyPair, tmp_path: Path
) -> None:
    injector = InjectIgnoreAfterKexinit()
    with _proxy(server, injector) as proxy, pytest.raises(SshProtocolError):
        connect("proxied", _options(tmp_path, server, client_key, proxy.port))
    assert injector.injected
    assert "userauth-request" not in server.log_text()


@pytest.mark.sshd
def test_t04_unmodified_path_agrees_on_strict_kex(server: SshServer, client_key: KeyPair, tmp_path: Path) -> None:
    """The control case: the same proxy without injection connects, with strict KEX agreed."""
    with (
        _proxy(server, lambda data: data) as proxy,
        connect("proxied", _options(tmp_path, server, client_key, proxy.port)) as conn,
    ):
        assert conn.reports[0].strict_kex is True


@pytest.mark.sshd
def test_t05_bit_flip_after_key_exchange_never_reaches_the_application(
    server: SshServer, client_key: KeyPair, tmp_path: Path
) -> None:
    flipper = FlipInsideCiphertext(target=12)  # past authentication, inside the command's output
    received = b""
    with _proxy(server, flipper) as proxy:
        conn = connect("proxied", _options(tmp_path, server, client_key, proxy.port))
        try:
            process = conn.exec("head -c 2000000 /dev/zero")
            with contextlib.suppress(SshError, OSError, EOFError):
                received = process.stdout.read()
        finally:
            conn.close()
    assert flipper.flipped
    # The stream ended early and what arrived before the flip is intact: a corrupted byte never appears as data.
    assert len(received) < 2_000_000
    assert set(received) <= {0}


@pytest.mark.sshd
def test_t08_dribbled_banner_ends_in_a_timeout(tmp_path: Path, server: SshServer, client_key: KeyPair) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def dribble() -> None:
        conn, _ = listener.accept()
        with conn:
            for byte in b"SSH-2.0-slow":
                if stop.wait(0.4):  # one byte every 0.4 s, never a full line
                    return
                with contextlib.suppress(OSError):
                    conn.sendall(bytes([byte]))

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    try:
        with pytest.raises(ConnectTimeout):
            connect("proxied", _options(tmp_path, server, client_key, listener.getsockname()[1], timeout=1))
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
