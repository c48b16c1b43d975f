"""Port forwards over an :class:`~app.remote.ssh.SshConnection`: the ``ssh -L`` and ``ssh -R`` of Podpora.

paramiko has no built-in local forward; this module adds one (a loopback listener whose connections each
become a direct-tcpip channel) and the byte pump that joins a socket to a channel.  The pump uses one
thread per direction with blocking ``recv``/``sendall`` on large buffers, which measured faster than a
``select`` loop over paramiko's pipe-backed channel file descriptors.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from typing import Protocol

import paramiko

from app.remote.ssh import ForwardRefused, SshConnection, SshError

log = logging.getLogger(__name__)

PUMP_BUFFER = 256 * 1024


class _Stream(Protocol):
    """The part of a socket or a paramiko channel the pump uses."""

    def recv(self, size: int) -> bytes: ...

    def sendall(self, data: bytes) -> None: ...

    def close(self) -> None: ...


def _half_close(stream: _Stream) -> None:
    """Signal end-of-data on ``stream`` without closing its other direction."""
    if isinstance(stream, paramiko.Channel):
        with contextlib.suppress(OSError, EOFError):
            stream.shutdown_write()
    elif isinstance(stream, socket.socket):
        with contextlib.suppress(OSError):
            stream.shutdown(socket.SHUT_WR)


def pump(a: _Stream, b: _Stream, *, name: str = "pump", on_done: Callable[[], None] | None = None) -> None:
    """Copy bytes both ways between ``a`` and ``b`` until both directions end, then close both.

    Returns at once; the copying runs in two daemon threads.  ``on_done`` runs once both have finished.
    """
    remaining = [2]
    lock = threading.Lock()

    def copy(source: _Stream, sink: _Stream) -> None:
        try:
            while True:
                data = source.recv(PUMP_BUFFER)
                if not data:
                    break
                sink.sendall(data)
        except (OSError, EOFError, paramiko.SSHException) as error:
            log.debug("%s: stream ended: %s", name, error)
        finally:
            _half_close(sink)
            with lock:
                remaining[0] -= 1
                last = remaining[0] == 0
            if last:
                for stream in (a, b):
                    with contextlib.suppress(OSError, EOFError):
                        stream.close()
                if on_done is not None:
                    on_done()

    threading.Thread(target=copy, args=(a, b), name=f"{name}-out", daemon=True).start()
    threading.Thread(target=copy, args=(b, a), name=f"{name}-in", daemon=True).start()


class LocalForward:
    """Listen on ``127.0.0.1:local_port`` and carry each connection to ``remote_host:remote_port``.

    ``remote_host`` is resolved on the SSH server's side (as with ``ssh -L``).  Use as a context manager
    or call :meth:`close`.
    """

    def __init__(self, connection: SshConnection, remote_host: str, remote_port: int, *, local_port: int = 0) -> None:
        self.connection = connection
        self.remote_host = remote_host
        self.remote_port = remote_port
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", local_port))
        self._listener.listen(16)
        self.local_port: int = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name=f"forward-{self.local_port}", daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                break
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                channel = self.connection.open_stream(self.remote_host, self.remote_port)
            except (ForwardRefused, SshError) as error:
                log.info("forward to %s:%s failed: %s", self.remote_host, self.remote_port, error)
                client.close()
                continue
            pump(client, channel, name=f"forward-{self.local_port}")

    def close(self) -> None:
        """Stop accepting; connections already carried end when either side closes."""
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalForward:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReverseForward:
    """A port on the SSH server (a gateway) whose connections are carried back to ``local_host:local_port``.

    The server binds loopback with a port it chooses (``bind_port=0``), which is what a gateway key
    restricted with ``permitlisten="localhost:*"`` allows.  :attr:`remote_port` is the bound port.
    """

    def __init__(
        self,
        connection: SshConnection,
        local_host: str,
        local_port: int,
        *,
        bind_port: int = 0,
    ) -> None:
        self.connection = connection
        self.local_host = local_host
        self.local_port = local_port
        self.remote_port = connection.forward_remote(self._carry, bind_port=bind_port)

    def _carry(self, channel: paramiko.Channel) -> None:
        try:
            local = socket.create_connection((self.local_host, self.local_port), timeout=10)
        except OSError as error:
            log.info("reverse forward: local %s:%s unreachable: %s", self.local_host, self.local_port, error)
            channel.close()
            return
        local.settimeout(None)
        local.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pump(channel, local, name=f"reverse-{self.remote_port}")

    def close(self) -> None:
        """Ask the server to stop listening."""
        self.connection.cancel_forward_remote(self.remote_port)

    def __enter__(self) -> ReverseForward:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
