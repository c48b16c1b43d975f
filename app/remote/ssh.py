"""The SSH adapter: reach a machine exactly the way the technician's own ``ssh`` would.

This is the only module (with :mod:`app.remote.tunnel`) that touches paramiko, and the only place that maps
paramiko and socket exceptions to Podpora's typed errors.  It honours the OpenSSH client configuration the
technician already has:

* ``~/.ssh/config`` (or ``-F FILE``): Host patterns and negation, HostName, User, Port, IdentityFile (with
  ``~``), IdentitiesOnly, ProxyJump with any number of hops, ProxyCommand, Include (expanded here: paramiko's
  parser does not know it), ConnectTimeout, ServerAliveInterval, UserKnownHostsFile.
* ssh-agent (``SSH_AUTH_SOCK``), encrypted private keys (passphrase through a callback, never stored).
* ``~/.ssh/known_hosts`` including hashed entries, ``/etc/ssh/ssh_known_hosts``, plus Podpora's own file,
  where keys the technician chose to remember are written (hashed, 0600).

Host keys are never accepted silently: an unknown key goes to a callback with its SHA256 fingerprint, a
changed key is a hard refusal, and every hop of a ProxyJump chain is checked end to end.  Strict KEX
(Terrapin) must be agreed, or the connection is refused.

Everything here blocks; callers run it in worker threads.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import glob
import hashlib
import hmac
import io
import logging
import os
import shlex
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import paramiko
from paramiko.channel import ChannelStderrFile, ChannelStdinFile

from app.config import default_paths
from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

# Throughput tuning.  paramiko's defaults (2 MiB window, 32 KiB packets, AES-CTR first) run at about half of
# OpenSSH's speed; AES-GCM (AES-NI through OpenSSL) and a large window close most of the gap.
WINDOW_SIZE = 16 * 1024 * 1024
MAX_PACKET_SIZE = 256 * 1024 - 1024  # stays below OpenSSH's 256 KiB channel packet limit
PREFERRED_CIPHERS = (
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes256-ctr",
    "aes192-ctr",
)
# CBC ciphers and the weaker MAC families stay off: with strict KEX they are safe, but nothing needs them.
DISABLED_ALGORITHMS = {"ciphers": ["aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc"]}

DEFAULT_CONNECT_TIMEOUT = 15.0
DEFAULT_IDENTITY_FILES = ("~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa")
MAX_JUMP_HOPS = 8
#: How often a connection attempt that can be cancelled looks at its cancel event.
CANCEL_POLL_SECONDS = 0.1


# --------------------------------------------------------------------------------------------------- errors


class SshError(PodporaError):
    """Base class of every failure to reach or use an SSH server."""


class HostUnreachable(SshError):
    """The TCP connection failed (refused, no route, name not found)."""

    exit_code = 6


class ConnectTimeout(SshError):
    """A server did not answer in time (TCP connect, SSH banner, key exchange or authentication)."""

    exit_code = 7


class ConnectCancelled(SshError):
    """The caller gave up on the connection attempt (``ConnectOptions.cancel`` was set) before it finished."""

    exit_code = 7


class AuthFailed(SshError):
    """The server accepted none of the keys or passwords offered."""

    exit_code = 5


class HostKeyChanged(SshError):
    """The server presented a key different from the one on record: a hard stop."""

    exit_code = 4


class HostKeyRefused(SshError):
    """The server's key is unknown and the technician (or the absence of anyone to ask) refused it."""

    exit_code = 3


class ForwardRefused(SshError):
    """The server refused a port forward (local or reverse)."""

    exit_code = 8


class SshProtocolError(SshError):
    """The SSH protocol failed (negotiation, strict KEX not agreed, connection dropped)."""

    exit_code = 9


# ------------------------------------------------------------------------------------------- host keys


class HostKeyDecision(enum.Enum):
    """What the technician decided about an unknown host key."""

    TRUST_ONCE = "trust-once"
    TRUST_AND_REMEMBER = "trust-and-remember"
    REFUSE = "refuse"


class HostKeyVerdict(enum.Enum):
    """How a hop's host key was accepted (reported by ``podpora check``)."""

    KNOWN = "known"
    TRUSTED_ONCE = "trusted-once"
    REMEMBERED = "remembered"


@dataclass(frozen=True)
class HostKeyInfo:
    """A server's host key as shown to the technician for a decision."""

    host: str
    port: int
    key_type: str
    fingerprint: str  # "SHA256:..." exactly as OpenSSH prints it

    @property
    def known_hosts_name(self) -> str:
        """The name under which OpenSSH files this host (``host`` or ``[host]:port``)."""
        return known_hosts_name(self.host, self.port)


HostKeyDecider = Callable[[HostKeyInfo], HostKeyDecision]
PassphraseProvider = Callable[[Path], str | None]
PasswordProvider = Callable[[str, str], str | None]


def fingerprint_sha256(key: paramiko.PKey) -> str:
    """The OpenSSH-style SHA256 fingerprint of ``key``."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def known_hosts_name(host: str, port: int) -> str:
    """``host`` for port 22, ``[host]:port`` otherwise, as in known_hosts files."""
    return host if port == 22 else f"[{host}]:{port}"


def _hashed_name(name: str) -> str:
    salt = os.urandom(20)
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"


class KnownHosts:
    """Host keys from every known_hosts file the technician uses, and Podpora's own file for new trust.

    Lookups consider all files; :meth:`remember` writes only to Podpora's file (hashed, mode 0600), so the
    technician's OpenSSH files are never modified behind their back.
    """

    def __init__(self, read_paths: list[Path], own_path: Path) -> None:
        self.read_paths = read_paths
        self.own_path = own_path
        self._keys = paramiko.HostKeys()
        self._lock = threading.Lock()
        for path in [*read_paths, own_path]:
            self._load(path)

    def _load(self, path: Path) -> None:
        if not path.is_file():
            return
        try:
            self._keys.load(str(path))
        except (OSError, paramiko.SSHException, ValueError) as error:
            # A malformed line in a technician's file must not lock them out of every host; say so.
            log.warning("could not read known hosts file %s: %s", path, error)

    def lookup(self, host: str, port: int) -> dict[str, paramiko.PKey]:
        """Every key on record for this host and port, by key type."""
        with self._lock:
            entry = self._keys.lookup(known_hosts_name(host, port))
            return dict(entry.items()) if entry is not None else {}

    def remember(self, host: str, port: int, key: paramiko.PKey) -> None:
        """Record ``key`` for ``host:port`` in Podpora's own file (hashed name, 0600, appended atomically)."""
        name = known_hosts_name(host, port)
        line = f"{_hashed_name(name)} {key.get_name()} {key.get_base64()}\n"
        self.own_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.own_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        with self._lock:
            self._keys.add(name, key.get_name(), key)


# --------------------------------------------------------------------------------------------- config


@dataclass(frozen=True)
class Hop:
    """One SSH server on the way to the target, as resolved from the configuration."""

    alias: str
    host: str
    port: int
    user: str
    identity_files: tuple[Path, ...] = ()
    identities_only: bool = False
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    server_alive_interval: int = 0
    proxy_command: str | None = None
    known_hosts_files: tuple[Path, ...] = ()

    def describe(self) -> str:
        """``user@host:port`` for status lines and reports."""
        return f"{self.user}@{self.host}:{self.port}"


def _expand_includes(path: Path, base_dir: Path, depth: int = 0) -> str:
    """Return the text of ``path`` with ``Include`` directives expanded in place, as OpenSSH reads it."""
    if depth > 16:
        raise SshConfigError(
            f"Include nesting too deep at {path}",
            user_text=QT_TRANSLATE_NOOP("podpora", "Your SSH configuration includes itself in a loop ({path})."),
            path=str(path),
        )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SshConfigError(
            f"cannot read {path}: {error}",
            user_text=QT_TRANSLATE_NOOP("podpora", "Cannot read the SSH configuration file {path}: {reason}"),
            path=str(path),
            reason=error.strerror or str(error),
        ) from error
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        keyword, _, rest = stripped.partition(" ")
        if keyword.lower() == "include" and rest.strip():
            for pattern in shlex.split(rest):
                expanded = os.path.expanduser(pattern)
                if not os.path.isabs(expanded):
                    expanded = str(base_dir / expanded)
                for match in sorted(glob.glob(expanded)):
                    out.append(_expand_includes(Path(match), base_dir, depth + 1))
            continue
        out.append(line)
    return "\n".join(out)


class SshConfigError(SshError):
    """The SSH client configuration cannot be read or makes no sense."""

    exit_code = 78


class SshClientConfig:
    """The technician's OpenSSH client configuration, resolved per host alias."""

    def __init__(self, path: Path | None = None) -> None:
        self.explicit = path is not None
        self.path = path or Path("~/.ssh/config").expanduser()
        self._config = paramiko.SSHConfig()
        if self.path.is_file():
            text = _expand_includes(self.path, Path("~/.ssh").expanduser())
            try:
                self._config.parse(io.StringIO(text))
            except Exception as error:  # paramiko raises bare ConfigParseError/ValueError/etc.
                raise SshConfigError(
                    f"cannot parse {self.path}: {error}",
                    user_text=QT_TRANSLATE_NOOP("podpora", "The SSH configuration file {path} has an error: {reason}"),
                    path=str(self.path),
                    reason=str(error),
                ) from error
        elif self.explicit:
            raise SshConfigError(
                f"config file {self.path} not found",
                user_text=QT_TRANSLATE_NOOP("podpora", "The SSH configuration file {path} does not exist."),
                path=str(self.path),
            )

    def hosts(self) -> list[str]:
        """Concrete host aliases (no wildcards or negations), for the console's address book."""
        names: list[str] = []
        for name in self._config.get_hostnames():
            if any(ch in name for ch in "*?!") or name in names:
                continue
            names.append(name)
        return names

    def resolve(self, target: str) -> list[Hop]:
        """The route to ``target``: jump hosts first, the target last."""
        return self._resolve(target, depth=0)

    def _resolve(self, target: str, depth: int) -> list[Hop]:
        if depth > MAX_JUMP_HOPS:
            raise SshConfigError(
                f"ProxyJump chain longer than {MAX_JUMP_HOPS} for {target}",
                user_text=QT_TRANSLATE_NOOP("podpora", "The ProxyJump chain to {host} is too long or loops."),
                host=target,
            )
        user_override, host_part, port_override = _split_destination(target)
        options = self._config.lookup(host_part)
        hop = self._hop_from_options(host_part, options, user_override, port_override)
        jump = options.get("proxyjump")
        if not jump or jump.lower() == "none":
            return [hop]
        route: list[Hop] = []
        for jump_target in jump.split(","):
            jump_route = self._resolve(jump_target.strip(), depth + 1)
            # "A,B" means: reach A (with its own route), then B through A.
            route = jump_route if not route else [*route, *jump_route[-1:]]
        return [*route, hop]

    def _hop_from_options(self, alias: str, options: Any, user_override: str | None, port_override: int | None) -> Hop:
        import getpass

        try:
            port = port_override or int(options.get("port", 22))
            timeout = float(options.get("connecttimeout", DEFAULT_CONNECT_TIMEOUT))
            alive = int(options.get("serveraliveinterval", 0))
        except ValueError as error:
            raise SshConfigError(
                f"bad number in ssh config for {alias}: {error}",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora", "The SSH configuration for {host} has an invalid number: {reason}"
                ),
                host=alias,
                reason=str(error),
            ) from error
        identity_files = tuple(Path(os.path.expanduser(p)) for p in options.get("identityfile", []))
        known = options.get("userknownhostsfile")
        known_files = tuple(Path(os.path.expanduser(p)) for p in known.split()) if known else ()
        return Hop(
            alias=alias,
            host=options.get("hostname", alias),
            port=port,
            user=user_override or options.get("user") or getpass.getuser(),
            identity_files=identity_files,
            identities_only=str(options.get("identitiesonly", "no")).lower() == "yes",
            connect_timeout=timeout,
            server_alive_interval=alive,
            proxy_command=options.get("proxycommand") if options.get("proxycommand", "none") != "none" else None,
            known_hosts_files=known_files,
        )


def _split_destination(target: str) -> tuple[str | None, str, int | None]:
    """Split ``[user@]host[:port]`` (ProxyJump syntax) into its parts."""
    user: str | None = None
    if "@" in target:
        user, target = target.rsplit("@", 1)
    port: int | None = None
    if target.startswith("[") and "]" in target:
        host, _, rest = target[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
        return user, host, port
    if target.count(":") == 1:
        host, _, port_text = target.partition(":")
        if port_text.isdigit():
            return user, host, int(port_text)
    return user, target, port


# ----------------------------------------------------------------------------------------- connection


@dataclass
class ConnectOptions:
    """How to connect: configuration file, decision callbacks, extra known_hosts files."""

    config_path: Path | None = None
    host_key_decider: HostKeyDecider | None = None
    passphrase_provider: PassphraseProvider | None = None
    password_provider: PasswordProvider | None = None
    known_hosts_paths: list[Path] | None = None
    own_known_hosts: Path | None = None
    use_agent: bool = True
    connect_timeout: float | None = None  # overrides ConnectTimeout from the config
    #: Set by another thread to give up: the attempt's sockets are closed at once and it raises
    #: :class:`ConnectCancelled` (instead of waiting out a stalled server's timeout).
    cancel: threading.Event | None = None


@dataclass
class HopReport:
    """What happened on one hop: for ``podpora check`` and the case journal."""

    hop: Hop
    key_type: str = ""
    fingerprint: str = ""
    verdict: str = ""
    auth_method: str = ""
    strict_kex: bool = False
    cipher: str = ""


class ByteStream(Protocol):
    """Anything that carries bytes both ways: a socket or a paramiko channel."""

    def sendall(self, data: bytes) -> None: ...

    def recv(self, size: int) -> bytes: ...

    def close(self) -> None: ...


class RemoteProcess:
    """A command running on the server over an exec channel, with a subprocess-like surface."""

    def __init__(self, channel: paramiko.Channel, command: str) -> None:
        self.channel = channel
        self.command = command
        self.stdin: ChannelStdinFile = channel.makefile_stdin("wb")
        self.stdout: paramiko.ChannelFile = channel.makefile("rb")
        self.stderr: ChannelStderrFile = channel.makefile_stderr("rb")

    def close_stdin(self) -> None:
        """Send EOF on the command's standard input."""
        self.stdin.flush()
        self.channel.shutdown_write()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the exit status; raise :class:`ConnectTimeout` after ``timeout`` seconds."""
        if not self.channel.status_event.wait(timeout):
            raise ConnectTimeout(
                f"command did not finish within {timeout} s",
                user_text=QT_TRANSLATE_NOOP("podpora", "The command on the remote machine did not finish in time."),
            )
        status = self.channel.exit_status
        if status == -1 and self.channel.closed:
            raise SshProtocolError(
                "connection closed before the command reported its exit status",
                user_text=QT_TRANSLATE_NOOP("podpora", "The connection was lost while the command was running."),
            )
        return int(status)

    def close(self) -> None:
        """Close the channel (does not by itself kill the remote process)."""
        self.channel.close()


class SshConnection:
    """An authenticated SSH connection to the target (through any jump hosts), ready for channels."""

    def __init__(self, transports: list[paramiko.Transport], reports: list[HopReport], started: float) -> None:
        self._transports = transports
        self.reports = reports
        self.connect_seconds = time.monotonic() - started
        self._forward_handlers: dict[int, Callable[[paramiko.Channel], None]] = {}
        self._low_latency_channel: paramiko.Channel | None = None

    @property
    def transport(self) -> paramiko.Transport:
        """The transport to the final target."""
        return self._transports[-1]

    @property
    def route(self) -> list[Hop]:
        """Every hop, the target last."""
        return [report.hop for report in self.reports]

    def is_active(self) -> bool:
        """True while the connection to the target is up."""
        return self.transport.is_active()

    def open_stream(self, host: str = "127.0.0.1", port: int = 22, timeout: float = 15.0) -> paramiko.Channel:
        """Open a direct-tcpip channel to ``host:port`` as seen from the target (like ``ssh -L``)."""
        try:
            channel = self.transport.open_channel(
                "direct-tcpip",
                (host, port),
                ("127.0.0.1", 0),
                window_size=WINDOW_SIZE,
                max_packet_size=MAX_PACKET_SIZE,
                timeout=timeout,
            )
        except paramiko.ChannelException as error:
            raise ForwardRefused(
                f"direct-tcpip to {host}:{port} refused: {error}",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora",
                    "The server refused to connect to {host}:{port}. Nothing may be listening there, or the "
                    "server does not allow port forwarding.",
                ),
                host=host,
                port=port,
            ) from error
        except (paramiko.SSHException, EOFError, OSError) as error:
            raise _map_transport_error(error, self.route[-1]) from error
        return channel

    def exec(self, command: str, *, pty: bool = False, timeout: float = 15.0) -> RemoteProcess:
        """Start ``command`` on the target over an exec channel."""
        try:
            channel = self.transport.open_session(
                window_size=WINDOW_SIZE, max_packet_size=MAX_PACKET_SIZE, timeout=timeout
            )
            if pty:
                channel.get_pty()
            channel.exec_command(command)
        except (paramiko.SSHException, EOFError, OSError) as error:
            raise _map_transport_error(error, self.route[-1]) from error
        return RemoteProcess(channel, command)

    def open_low_latency_session(self) -> bool:
        """Open an idle pty session so sshd turns TCP_NODELAY on for the whole connection.

        sshd enables TCP_NODELAY only for interactive (pty) sessions; without it, mid-sized replies in a
        tunnel stall ~40 ms (Nagle against delayed ACK).  Returns False where the server refuses a pty
        (e.g. a gateway key restricted to port forwarding), which the caller reports.
        """
        if self._low_latency_channel is not None:
            return True
        try:
            channel = self.transport.open_session(timeout=10)
            channel.get_pty(term="dumb", width=1, height=1)
            # `cat` waits on the pty for ever and ends when the channel closes; it prints nothing.
            channel.exec_command("exec cat >/dev/null")
        except (paramiko.SSHException, EOFError, OSError) as error:
            log.info("server refused the low-latency pty session: %s", error)
            return False
        self._low_latency_channel = channel
        return True

    def forward_remote(
        self, handler: Callable[[paramiko.Channel], None], *, bind_host: str = "127.0.0.1", bind_port: int = 0
    ) -> int:
        """Ask the server to listen on ``bind_host:bind_port`` and hand each connection to ``handler``.

        Always binds loopback with a server-chosen port unless told otherwise (T07).  ``handler`` runs in
        its own thread per connection.  Returns the port the server bound.
        """

        def on_connection(channel: paramiko.Channel, origin: Any, server: Any) -> None:
            del origin, server
            threading.Thread(target=handler, args=(channel,), name=f"reverse-forward-{bound}", daemon=True).start()

        try:
            bound = self.transport.request_port_forward(bind_host, bind_port, on_connection)
        except paramiko.SSHException as error:
            raise ForwardRefused(
                f"reverse forward {bind_host}:{bind_port} refused: {error}",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora",
                    "The gateway refused to open a port for this session. Ask your IT department to check the "
                    "gateway key's permitlisten setting.",
                ),
            ) from error
        self._forward_handlers[bound] = handler
        return int(bound)

    def cancel_forward_remote(self, port: int, bind_host: str = "127.0.0.1") -> None:
        """Stop a reverse forward started by :meth:`forward_remote`, without waiting for the server's reply.

        paramiko's ``cancel_port_forward`` waits for the reply with no deadline (forever over a dark link) and
        drops the handler of *every* forward on the connection; the request is therefore sent directly.
        """
        with contextlib.suppress(paramiko.SSHException, EOFError, OSError):
            self.transport.global_request("cancel-tcpip-forward", (bind_host, port), wait=False)
        self._forward_handlers.pop(port, None)

    def round_trip_seconds(self, timeout: float | None = None) -> float:
        """Measure one SSH-level round trip (a global request the server must answer).

        paramiko's ``global_request(wait=True)`` has no deadline, so the request waits in a helper thread and
        a stalled link raises :class:`ConnectTimeout` after ``timeout`` seconds (default: the hop's
        ConnectTimeout) instead of hanging the caller.  The helper ends when the connection closes.
        """
        limit = timeout if timeout is not None else self.route[-1].connect_timeout
        answered = threading.Event()
        elapsed: list[float] = []

        def ask() -> None:
            started = time.perf_counter()
            # keepalive@openssh.com with want_reply: OpenSSH answers with REQUEST_FAILURE, which is a reply too.
            with contextlib.suppress(paramiko.SSHException, EOFError, OSError):
                self.transport.global_request("keepalive@openssh.com", wait=True)
            elapsed.append(time.perf_counter() - started)
            answered.set()

        threading.Thread(target=ask, name="ssh-round-trip", daemon=True).start()
        if not answered.wait(limit) or not self.transport.is_active():
            raise ConnectTimeout(
                f"no answer to a round-trip probe within {limit} s",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora", "{host} stopped answering: the connection may be stalled or lost."
                ),
                host=self.route[-1].host,
            )
        return elapsed[0]

    def close(self) -> None:
        """Close the target connection and every jump host, in reverse order."""
        if self._low_latency_channel is not None:
            self._low_latency_channel.close()
        for transport in reversed(self._transports):
            transport.close()

    def __enter__(self) -> SshConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _map_transport_error(error: BaseException, hop: Hop) -> SshError:
    """Turn a paramiko/socket error into a typed, plain-language error."""
    if isinstance(error, SshError):
        return error
    if isinstance(error, socket.timeout | TimeoutError):
        return ConnectTimeout(
            f"{hop.describe()}: timed out: {error}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "{host} did not answer in time. The machine may be off, or a firewall may drop the connection.",
            ),
            host=hop.host,
        )
    if isinstance(error, paramiko.AuthenticationException):
        return AuthFailed(
            f"{hop.describe()}: authentication failed: {error}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "{user}@{host} did not accept any of your keys. Check that your key is loaded in ssh-agent or "
                "named by IdentityFile, and that the server has your public key.",
            ),
            host=hop.host,
            user=hop.user,
        )
    if isinstance(error, socket.gaierror):
        return HostUnreachable(
            f"{hop.describe()}: name not found: {error}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "The name {host} could not be found. Check the spelling and your network."
            ),
            host=hop.host,
        )
    if isinstance(error, ConnectionRefusedError):
        return HostUnreachable(
            f"{hop.describe()}: connection refused",
            user_text=QT_TRANSLATE_NOOP(
                "podpora", "{host} refused the connection on port {port}: no SSH server is listening there."
            ),
            host=hop.host,
            port=hop.port,
        )
    if isinstance(error, OSError) and not isinstance(error, paramiko.SSHException):
        return HostUnreachable(
            f"{hop.describe()}: {error}",
            user_text=QT_TRANSLATE_NOOP("podpora", "{host} cannot be reached: {reason}"),
            host=hop.host,
            reason=error.strerror or str(error),
        )
    message = str(error)
    if "banner" in message.lower() or "timeout" in message.lower() or "timed out" in message.lower():
        return ConnectTimeout(
            f"{hop.describe()}: {message}",
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "{host} accepted the connection but its SSH server did not answer in time.",
            ),
            host=hop.host,
        )
    return SshProtocolError(
        f"{hop.describe()}: {type(error).__name__}: {message}",
        user_text=QT_TRANSLATE_NOOP("podpora", "The SSH connection to {host} failed: {reason}"),
        host=hop.host,
        reason=message or type(error).__name__,
    )


class _Connector:
    """Builds one :class:`SshConnection` hop by hop.  One instance per ``connect`` call."""

    def __init__(self, options: ConnectOptions) -> None:
        self.options = options
        paths = default_paths()
        read_paths = options.known_hosts_paths
        if read_paths is None:
            read_paths = [Path("~/.ssh/known_hosts").expanduser(), Path("/etc/ssh/ssh_known_hosts")]
        self.read_paths = list(read_paths)
        self.own_known_hosts = options.own_known_hosts or paths.known_hosts
        self._agent: paramiko.Agent | None = None
        # Sockets and transports of this attempt, closed by _close_when_cancelled().
        self._live: list[Any] = []

    def _close_when_cancelled(self, cancel: threading.Event, finished: threading.Event) -> None:
        """Close everything the attempt opened once ``cancel`` is set; end when the attempt finished."""
        while not finished.wait(CANCEL_POLL_SECONDS):
            if cancel.is_set():
                for opened in list(self._live):
                    with contextlib.suppress(Exception):
                        opened.close()
                return

    def _check_cancelled(self) -> None:
        if self.options.cancel is not None and self.options.cancel.is_set():
            raise self._cancelled()

    def _cancelled(self) -> ConnectCancelled:
        return ConnectCancelled(
            "connection attempt cancelled",
            user_text=QT_TRANSLATE_NOOP("podpora", "The connection attempt was cancelled."),
        )

    def connect(self, route: list[Hop]) -> SshConnection:
        started = time.monotonic()
        transports: list[paramiko.Transport] = []
        reports: list[HopReport] = []
        finished = threading.Event()
        if self.options.cancel is not None:
            threading.Thread(
                target=self._close_when_cancelled, args=(self.options.cancel, finished), name="ssh-cancel", daemon=True
            ).start()
        try:
            for index, hop in enumerate(route):
                self._check_cancelled()
                report = HopReport(hop=hop)
                reports.append(report)
                sock = self._open_socket(hop, transports[-1] if transports else None, is_first=index == 0)
                self._live.append(sock)
                transports.append(self._handshake(hop, sock, report))
                self._live.append(transports[-1])
            self._check_cancelled()
        except BaseException as error:
            for transport in reversed(transports):
                transport.close()
            if self._agent is not None:
                self._agent.close()
            if self.options.cancel is not None and self.options.cancel.is_set() and isinstance(error, Exception):
                raise self._cancelled() from error
            raise
        finally:
            finished.set()
        if self._agent is not None:
            self._agent.close()
        return SshConnection(transports, reports, started)

    def _timeout(self, hop: Hop) -> float:
        return self.options.connect_timeout or hop.connect_timeout

    def _open_socket(self, hop: Hop, previous: paramiko.Transport | None, *, is_first: bool) -> Any:
        timeout = self._timeout(hop)
        if previous is not None:
            try:
                return previous.open_channel(
                    "direct-tcpip",
                    (hop.host, hop.port),
                    ("127.0.0.1", 0),
                    window_size=WINDOW_SIZE,
                    max_packet_size=MAX_PACKET_SIZE,
                    timeout=timeout,
                )
            except paramiko.ChannelException as error:
                raise HostUnreachable(
                    f"jump host could not reach {hop.describe()}: {error}",
                    user_text=QT_TRANSLATE_NOOP("podpora", "The jump host could not reach {host} on port {port}."),
                    host=hop.host,
                    port=hop.port,
                ) from error
            except (paramiko.SSHException, EOFError, OSError) as error:
                raise _map_transport_error(error, hop) from error
        if hop.proxy_command and is_first:
            try:
                return paramiko.ProxyCommand(hop.proxy_command)
            except (paramiko.SSHException, OSError) as error:
                raise _map_transport_error(error, hop) from error
        try:
            sock = self._tcp_connect(hop.host, hop.port, timeout)
        except (OSError, TimeoutError) as error:
            raise _map_transport_error(error, hop) from error
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _tcp_connect(self, host: str, port: int, timeout: float) -> socket.socket:
        """``socket.create_connection``, with each socket registered first so that a cancel can close it."""
        failure: OSError | None = None
        for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
            sock = socket.socket(family, kind, proto)
            self._live.append(sock)
            try:
                sock.settimeout(timeout)
                sock.connect(address)
            except OSError as error:
                sock.close()
                failure = error
                self._check_cancelled()
                continue
            return sock
        raise failure if failure is not None else OSError(f"no address for {host}")

    def _handshake(self, hop: Hop, sock: Any, report: HopReport) -> paramiko.Transport:
        timeout = self._timeout(hop)
        transport = paramiko.Transport(
            sock,
            default_window_size=WINDOW_SIZE,
            default_max_packet_size=MAX_PACKET_SIZE,
            disabled_algorithms=DISABLED_ALGORITHMS,
            strict_kex=True,
        )
        transport.banner_timeout = timeout
        transport.handshake_timeout = timeout
        transport.auth_timeout = timeout
        security = transport.get_security_options()
        available = set(security.ciphers)
        security.ciphers = tuple(c for c in PREFERRED_CIPHERS if c in available)
        known = KnownHosts(self.read_paths + list(hop.known_hosts_files), self.own_known_hosts)
        recorded = known.lookup(hop.host, hop.port)
        if recorded:
            # Ask for the key types we have on record first, so a server with several keys shows a known one.
            preferred = [t for t in security.key_types if t in recorded or _base_type(t) in recorded]
            rest = [t for t in security.key_types if t not in preferred]
            security.key_types = tuple(preferred + rest)
        try:
            transport.start_client(timeout=timeout)
        except (paramiko.SSHException, EOFError, OSError) as error:
            transport.close()
            raise _map_transport_error(error, hop) from error
        if not transport.is_active() or not getattr(transport, "initial_kex_done", False):
            # start_client() returns silently when its timeout passes mid-negotiation.
            transport.close()
            raise _map_transport_error(TimeoutError("SSH key exchange did not finish in time"), hop)
        if not getattr(transport, "agreed_on_strict_kex", False):
            transport.close()
            raise SshProtocolError(
                f"{hop.describe()}: strict KEX not agreed (Terrapin protection)",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora",
                    "{host} runs an SSH server without protection against the Terrapin attack (strict key "
                    "exchange). Ask its administrator to update OpenSSH.",
                ),
                host=hop.host,
            )
        report.strict_kex = True
        report.cipher = str(getattr(transport, "remote_cipher", ""))
        try:
            self._verify_host_key(hop, transport, known, recorded, report)
            self._authenticate(hop, transport, report)
        except BaseException:
            transport.close()
            raise
        if hop.server_alive_interval > 0:
            transport.set_keepalive(hop.server_alive_interval)
        return transport

    def _verify_host_key(
        self,
        hop: Hop,
        transport: paramiko.Transport,
        known: KnownHosts,
        recorded: dict[str, paramiko.PKey],
        report: HopReport,
    ) -> None:
        key = transport.get_remote_server_key()
        info = HostKeyInfo(hop.host, hop.port, key.get_name(), fingerprint_sha256(key))
        report.key_type, report.fingerprint = info.key_type, info.fingerprint
        if recorded:
            if any(stored.asbytes() == key.asbytes() for stored in recorded.values()):
                report.verdict = HostKeyVerdict.KNOWN.value
                return
            expected = ", ".join(f"{t} {fingerprint_sha256(k)}" for t, k in recorded.items())
            raise HostKeyChanged(
                f"host key for {info.known_hosts_name} changed: got {info.key_type} {info.fingerprint}, "
                f"expected {expected}",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora",
                    "The identity of {host} has changed. Someone may be intercepting this connection, or the "
                    "machine was reinstalled. Podpora will not connect. Check the new fingerprint {fingerprint} "
                    "with the machine's administrator by phone or in person; if it is genuine, remove the old "
                    "entry for {name} from your known_hosts files and connect again.",
                ),
                host=hop.host,
                fingerprint=info.fingerprint,
                name=info.known_hosts_name,
            )
        decider = self.options.host_key_decider
        decision = decider(info) if decider is not None else HostKeyDecision.REFUSE
        if decision is HostKeyDecision.REFUSE:
            raise HostKeyRefused(
                f"unknown host key for {info.known_hosts_name} refused: {info.key_type} {info.fingerprint}",
                user_text=QT_TRANSLATE_NOOP(
                    "podpora",
                    "{host} is not known yet and its key was not accepted. Its fingerprint is {fingerprint}; "
                    "compare it with the one your administrator gave you before trusting it.",
                ),
                host=hop.host,
                fingerprint=info.fingerprint,
            )
        if decision is HostKeyDecision.TRUST_AND_REMEMBER:
            known.remember(hop.host, hop.port, key)
            report.verdict = HostKeyVerdict.REMEMBERED.value
        else:
            report.verdict = HostKeyVerdict.TRUSTED_ONCE.value

    def _agent_keys(self) -> list[paramiko.AgentKey]:
        if not self.options.use_agent or not os.environ.get("SSH_AUTH_SOCK"):
            return []
        if self._agent is None:
            try:
                self._agent = paramiko.Agent()
            except paramiko.SSHException as error:
                log.info("ssh-agent not usable: %s", error)
                return []
        return list(self._agent.get_keys())

    def _candidate_files(self, hop: Hop) -> list[Path]:
        files = list(hop.identity_files)
        if not files:
            files = [Path(os.path.expanduser(p)) for p in DEFAULT_IDENTITY_FILES]
        return [f for f in files if f.is_file()]

    def _authenticate(self, hop: Hop, transport: paramiko.Transport, report: HopReport) -> None:
        files = self._candidate_files(hop)
        agent_keys = self._agent_keys()
        if hop.identities_only and agent_keys:
            wanted = {_public_blob(f) for f in files}
            agent_keys = [k for k in agent_keys if k.asbytes() in wanted]
        last_error: BaseException | None = None
        for agent_key in agent_keys:
            try:
                transport.auth_publickey(hop.user, agent_key)
            except paramiko.AuthenticationException as error:
                last_error = error
                continue
            except (paramiko.SSHException, EOFError, OSError) as error:
                raise _map_transport_error(error, hop) from error
            report.auth_method = f"publickey (ssh-agent, {agent_key.get_name()} {fingerprint_sha256(agent_key)})"
            return
        for path in files:
            key = self._load_private_key(path)
            if key is None:
                continue
            try:
                transport.auth_publickey(hop.user, key)
            except paramiko.AuthenticationException as error:
                last_error = error
                continue
            except (paramiko.SSHException, EOFError, OSError) as error:
                raise _map_transport_error(error, hop) from error
            report.auth_method = f"publickey ({path})"
            return
        if self.options.password_provider is not None:
            password = self.options.password_provider(hop.user, hop.host)
            if password:
                try:
                    transport.auth_password(hop.user, password)
                except paramiko.AuthenticationException as error:
                    last_error = error
                except (paramiko.SSHException, EOFError, OSError) as error:
                    raise _map_transport_error(error, hop) from error
                else:
                    report.auth_method = "password"
                    return
                finally:
                    del password
        raise _map_transport_error(
            last_error or paramiko.AuthenticationException("no key or password was available"), hop
        )

    def _load_private_key(self, path: Path) -> paramiko.PKey | None:
        _refuse_open_permissions(path)
        try:
            return paramiko.PKey.from_path(str(path))
        except (paramiko.PasswordRequiredException, TypeError):
            # paramiko >= 4 lets cryptography's TypeError ("password-protected") through for new-format keys.
            pass
        except (paramiko.SSHException, OSError, ValueError) as error:
            log.info("skipping key %s: %s", path, error)
            return None
        provider = self.options.passphrase_provider
        passphrase = provider(path) if provider is not None else None
        if not passphrase:
            log.info("skipping encrypted key %s: no passphrase given", path)
            return None
        try:
            # paramiko types the argument as str but hands it to cryptography, which needs bytes.
            return paramiko.PKey.from_path(str(path), passphrase.encode())  # type: ignore[arg-type]
        except (paramiko.SSHException, ValueError, TypeError) as error:
            raise AuthFailed(
                f"cannot decrypt {path}: {error}",
                user_text=QT_TRANSLATE_NOOP("podpora", "The passphrase for the key {path} is not correct."),
                path=str(path),
            ) from error
        finally:
            del passphrase


def _base_type(key_type: str) -> str:
    """Map signature algorithm names to the key type stored in known_hosts."""
    return "ssh-rsa" if key_type.startswith("rsa-sha2") else key_type


def _public_blob(path: Path) -> bytes:
    pub = path.with_name(path.name + ".pub")
    try:
        return base64.b64decode(pub.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return b""


def _refuse_open_permissions(path: Path) -> None:
    """Refuse a private key that other users can read, as OpenSSH does (T06)."""
    mode = path.stat().st_mode
    if mode & 0o077:
        raise AuthFailed(
            f"private key {path} is accessible by others (mode {oct(mode & 0o777)})",
            user_text=QT_TRANSLATE_NOOP(
                "podpora",
                "Your private key {path} can be read by other users, so Podpora will not use it. Fix it with: "
                "chmod 600 {path}",
            ),
            path=str(path),
        )


def connect(target: str, options: ConnectOptions | None = None) -> SshConnection:
    """Connect to ``target`` (an alias from the SSH config, or ``[user@]host[:port]``) like ``ssh`` would."""
    options = options or ConnectOptions()
    config = SshClientConfig(options.config_path)
    route = config.resolve(target)
    return _Connector(options).connect(route)


def iter_config_hosts(config_path: Path | None = None) -> Iterator[str]:
    """Concrete host aliases from the technician's SSH configuration (for the address book)."""
    yield from SshClientConfig(config_path).hosts()


__all__ = [
    "AuthFailed",
    "ByteStream",
    "ConnectOptions",
    "ConnectTimeout",
    "ForwardRefused",
    "Hop",
    "HopReport",
    "HostKeyChanged",
    "HostKeyDecision",
    "HostKeyInfo",
    "HostKeyRefused",
    "HostKeyVerdict",
    "HostUnreachable",
    "KnownHosts",
    "RemoteProcess",
    "SshClientConfig",
    "SshConfigError",
    "SshConnection",
    "SshError",
    "SshProtocolError",
    "connect",
    "fingerprint_sha256",
    "iter_config_hosts",
    "known_hosts_name",
]
