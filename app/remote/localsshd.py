"""Start private OpenSSH ``sshd`` instances on 127.0.0.1: for the demo, the benchmarks and the tests.

Each :class:`SshServer` gets a throwaway folder with its own host key, ``authorized_keys`` and
``sshd_config``, listens on a free loopback port only, logs at DEBUG3 to a file, and is stopped by its owner.
Readiness is detected by reading the server's SSH banner.  Nothing here touches the system's own sshd.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


class LocalSshdError(PodporaError):
    """A private sshd could not be started."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class KeyPair:
    """An Ed25519 key pair written in OpenSSH format (private file 0600, ``.pub`` beside it)."""

    path: Path
    public_line: str

    @classmethod
    def generate(cls, path: Path, *, passphrase: bytes | None = None, comment: str = "podpora-test") -> KeyPair:
        """Generate a key at ``path``; encrypt it with ``passphrase`` when given."""
        key = ed25519.Ed25519PrivateKey.generate()
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
        )
        private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption)
        public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(private)
        public_line = f"{public.decode()} {comment}"
        path.with_suffix(path.suffix + ".pub").write_text(public_line + "\n")
        return cls(path=path, public_line=public_line)


@dataclass
class SshServer:
    """One running ``sshd`` on 127.0.0.1.

    ``host_key`` is the server's private host key file; ``host_public`` its ``ssh-ed25519 AAAA...`` line,
    which tests put into known_hosts files as they need.
    """

    root: Path
    port: int
    host_key: Path
    host_public: str
    authorized_keys: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    user: str = field(default_factory=getpass.getuser)

    @property
    def address(self) -> str:
        """``127.0.0.1``: every test server listens on loopback only."""
        return "127.0.0.1"

    def known_hosts_line(self, *, hashed: bool = False) -> str:
        """A known_hosts line for this server (``[127.0.0.1]:PORT key``), optionally hashed like ``ssh-keygen -H``."""
        name = f"[{self.address}]:{self.port}"
        key = " ".join(self.host_public.split()[:2])
        if not hashed:
            return f"{name} {key}"
        import base64
        import hashlib
        import hmac

        salt = os.urandom(20)
        digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
        return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()} {key}"

    def log_text(self) -> str:
        """The server's DEBUG3 log so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Kill the server and wait for it."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process and self.process.stderr:
            self.process.stderr.close()
        self.process = None


class SshServerFactory:
    """Starts ``sshd`` instances under one folder and stops all of them on :meth:`stop_all`."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.servers: list[SshServer] = []

    def start(
        self,
        *,
        name: str | None = None,
        authorized_keys: list[str] | None = None,
        extra_config: str = "",
        host_key: Path | None = None,
        port: int | None = None,
    ) -> SshServer:
        """Start an sshd; ``authorized_keys`` lines may carry options (``restrict,port-forwarding ...``).

        ``host_key`` reuses an existing key (to restart "the same" server); ``port`` reuses a port (to put a
        different server on the same address, as a man in the middle would).
        """
        if shutil.which(SSHD) is None and not Path(SSHD).exists():
            raise LocalSshdError(
                "sshd not found",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora", "OpenSSH's sshd is not installed. Run scripts/setup (Debian package openssh-server)."
                ),
            )
        index = len(self.servers)
        root = self.base / (name or f"sshd{index}")
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)
        if host_key is None:
            host_key = root / "ssh_host_ed25519_key"
            pair = KeyPair.generate(host_key, comment="")
            host_public = pair.public_line.strip()
        else:
            host_public = host_key.with_suffix(host_key.suffix + ".pub").read_text().strip()
        auth_file = root / "authorized_keys"
        auth_file.write_text("".join(line + "\n" for line in (authorized_keys or [])))
        os.chmod(auth_file, 0o600)
        log_path = root / "sshd.log"
        # Sessions get a scratch HOME so the login shell skips the account's dotfiles: a private sshd must not
        # depend on (or wait for) whatever the real ~/.bashrc does, e.g. `pyenv init` and its rehash lock.
        session_home = root / "home"
        session_home.mkdir(exist_ok=True)
        chosen_port = port or free_port()
        config = root / "sshd_config"
        config.write_text(
            f"""ListenAddress 127.0.0.1:{chosen_port}
HostKey {host_key}
PidFile {root}/sshd.pid
AuthorizedKeysFile {auth_file}
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowTcpForwarding yes
AllowAgentForwarding no
X11Forwarding no
GatewayPorts no
PermitTTY yes
SetEnv HOME={session_home}
LogLevel DEBUG3
MaxStartups 50:30:100
{extra_config}
"""
        )
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation directory
        process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config), "-E", str(log_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        server = SshServer(
            root=root,
            port=chosen_port,
            host_key=host_key,
            host_public=host_public,
            authorized_keys=auth_file,
            log_path=log_path,
            process=process,
        )
        self.servers.append(server)
        self._wait_ready(server)
        return server

    @staticmethod
    def _wait_ready(server: SshServer, timeout: float = 10.0) -> None:
        """Poll until the server answers with its banner; fail loudly with its log if it dies."""
        deadline = time.monotonic() + timeout
        process = server.process
        if process is None:
            raise LocalSshdError("sshd was not started")
        while time.monotonic() < deadline:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                raise LocalSshdError(f"sshd exited with {process.returncode}: {err}\n{server.log_text()}")
            try:
                with socket.create_connection((server.address, server.port), timeout=1) as sock:
                    sock.settimeout(2)
                    if sock.recv(64).startswith(b"SSH-2.0"):
                        return
            except OSError:
                # Not listening yet: wait for the listening socket to show up in the log instead of sleeping blind.
                _wait_for_log(server, "Server listening", 0.05)
        raise LocalSshdError(f"sshd did not become ready within {timeout} s:\n{server.log_text()}")

    def stop_all(self) -> None:
        """Stop every server this factory started."""
        for server in self.servers:
            server.stop()


def _wait_for_log(server: SshServer, needle: str, poll: float) -> None:
    """Block at most ``poll`` seconds waiting for ``needle`` to appear in the server log."""
    deadline = time.monotonic() + poll
    while time.monotonic() < deadline:
        if needle in server.log_text():
            return
        time.sleep(0.005)  # polling a file the server writes; not synchronisation by sleeping
