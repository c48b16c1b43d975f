"""Gateway mode, the assist agent's side: publish the agent's loopback port on the organisation's gateway.

The agent connects to the gateway (stock OpenSSH) with a key restricted to port forwarding
(``restrict,port-forwarding,permitlisten="127.0.0.1:*"``) and asks for a reverse forward on the gateway's
loopback with a port the gateway chooses.  The technician then reaches ``gateway:PORT`` through their own
SSH connection to the gateway.  The port is not a secret and loopback is not trusted: the session code's
PAKE inside the stream is what keeps other users of the gateway out.

The publisher reconnects when the gateway connection drops, asking for the same gateway port again so that a
technician who lost the link can resume there.  A link that goes dark without closing (another network, a NAT
that forgot the flow) is found by a round-trip probe every few seconds.  The gateway may still hold the old port
then: it releases it only when it notices the old connection is dead (``ClientAliveInterval`` ×
``ClientAliveCountMax`` on the gateway; with OpenSSH's default of no ClientAlive, only TCP keepalive after about
two hours).  Meanwhile the agent is published on another port (``on_port`` tells the UI) and the publisher keeps
asking for the old one, so the technician's console, which reconnects to the port it knows, finds the agent again
as soon as the gateway lets go.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.remote.ssh import (
    ConnectOptions,
    ForwardRefused,
    HostKeyDecision,
    HostKeyInfo,
    SshConnection,
    SshError,
    connect,
)
from app.remote.tunnel import ReverseForward

log = logging.getLogger(__name__)


@dataclass
class GatewaySettings:
    """Where the gateway is and how the agent authenticates to it (from the organisation's roll-out config).

    ``target`` is an ssh-config alias or ``user@host:port``; ``known_hosts`` pins the gateway's key (the
    organisation ships it: an end user is never asked to judge a fingerprint).
    """

    target: str
    identity_file: Path | None = None
    known_hosts: Path | None = None
    config_path: Path | None = None
    reconnect_seconds: float = 5.0
    extra_known_hosts: list[Path] = field(default_factory=list)
    #: How often a live gateway connection is probed with an SSH round trip, and how long an answer may take
    #: before the link counts as lost (it may have gone dark without a FIN or RST).
    probe_seconds: float = 5.0
    probe_timeout_seconds: float = 10.0
    #: How long to keep asking for the old gateway port after the gateway held it at a reconnect.  Longer than
    #: the session's resume grace (60 s) is pointless; the gateway's ClientAlive settings decide how soon it frees.
    reclaim_port_seconds: float = 90.0


class GatewayPublisher:
    """Keeps a reverse forward from the gateway to ``127.0.0.1:local_port`` open until :meth:`stop`."""

    def __init__(
        self,
        settings: GatewaySettings,
        local_port: int,
        *,
        on_port: Callable[[int], None] | None = None,
        on_error: Callable[[SshError], None] | None = None,
    ) -> None:
        self.settings = settings
        self.local_port = local_port
        self.on_port = on_port
        self.on_error = on_error
        self.remote_port: int | None = None
        self._connection: SshConnection | None = None
        self._forward: ReverseForward | None = None
        #: The port the technician knows, while the gateway still holds it for a dead connection; and until when
        #: to keep asking for it (monotonic seconds).
        self._wanted_port: int | None = None
        self._wanted_until = 0.0
        self._reclaimed: ReverseForward | None = None
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread: threading.Thread | None = None

    def _options(self) -> ConnectOptions:
        known = [p for p in [self.settings.known_hosts, *self.settings.extra_known_hosts] if p is not None]

        def refuse_unknown(info: HostKeyInfo) -> HostKeyDecision:
            # The end user cannot judge a gateway's fingerprint; only the organisation's pin counts.
            log.warning("gateway %s presented an unpinned key %s", info.known_hosts_name, info.fingerprint)
            return HostKeyDecision.REFUSE

        return ConnectOptions(
            config_path=self.settings.config_path,
            host_key_decider=refuse_unknown,
            known_hosts_paths=known or None,
            use_agent=False,
        )

    def publish_once(self) -> int:
        """Connect and open the reverse forward; return the gateway port.  Raises :class:`SshError`."""
        connection = connect(self.settings.target, self._options())
        try:
            forward = self._forward_on(connection)
        except BaseException:
            connection.close()
            raise
        self._connection, self._forward = connection, forward
        self.remote_port = forward.remote_port
        connection.transport.set_keepalive(15)
        if self.on_port:
            self.on_port(forward.remote_port)
        return forward.remote_port

    def _forward_on(self, connection: SshConnection) -> ReverseForward:
        """The reverse forward; after a reconnect, on the port the technician already knows if it is free.

        A console that lost its link reconnects to the same gateway port to resume the session, so a new
        port would strand it; one that is taken (the gateway has not noticed the old connection yet) falls
        back to any port, and ``on_port`` says so.
        """
        wanted = self._wanted_port or self.remote_port
        if wanted:
            try:
                forward = ReverseForward(connection, "127.0.0.1", self.local_port, bind_port=wanted)
            except ForwardRefused as error:
                log.info("gateway port %s is not free again yet (%s): taking another meanwhile", wanted, error)
                if self._wanted_port is None:
                    self._wanted_port = wanted
                    self._wanted_until = time.monotonic() + self.settings.reclaim_port_seconds
            else:
                self._wanted_port = None
                return forward
        return ReverseForward(connection, "127.0.0.1", self.local_port)

    def _try_to_reclaim(self) -> None:
        """Ask the gateway for the old port again, next to the one in use; give up after the reclaim time."""
        connection, wanted = self._connection, self._wanted_port
        if connection is None or wanted is None:
            return
        if time.monotonic() > self._wanted_until:
            log.info("gateway port %s was not freed in time; the agent stays on port %s", wanted, self.remote_port)
            self._wanted_port = None
            return
        try:
            self._reclaimed = ReverseForward(connection, "127.0.0.1", self.local_port, bind_port=wanted)
        except ForwardRefused:
            return
        except SshError as error:
            log.info("asking for gateway port %s again failed: %s", wanted, error)
            return
        log.info("gateway port %s is free again: the agent is published there too", wanted)
        self._wanted_port = None
        self.remote_port = wanted
        if self.on_port:
            self.on_port(wanted)

    def _link_alive(self, connection: SshConnection) -> bool:
        """The gateway answers a round trip in time (a dark link keeps ``is_active`` true for hours)."""
        if not connection.is_active():
            return False
        try:
            connection.round_trip_seconds(timeout=self.settings.probe_timeout_seconds)
        except SshError as error:
            log.info("gateway link lost: %s", error)
            return False
        return True

    def start(self) -> int:
        """Publish now (raising on failure), then keep the forward alive in a background thread."""
        port = self.publish_once()
        self._thread = threading.Thread(target=self._watch, name="gateway-publisher", daemon=True)
        self._thread.start()
        return port

    def _watch(self) -> None:
        while not self._stop.is_set():
            connection = self._connection
            if connection is not None and self._link_alive(connection):
                if self._wanted_port is not None:
                    self._try_to_reclaim()
                    self._stop.wait(self.settings.reconnect_seconds)
                else:
                    # Wake up on stop, or probe the link again after a while.
                    self._stop.wait(self.settings.probe_seconds)
                continue
            self._close_current(link_alive=False)
            try:
                self.publish_once()
            except SshError as error:
                log.info("gateway unreachable, retrying in %s s: %s", self.settings.reconnect_seconds, error)
                if self.on_error:
                    self.on_error(error)
                self._stop.wait(self.settings.reconnect_seconds)

    def _close_current(self, *, link_alive: bool = True) -> None:
        """Close the forwards and the connection.

        Cancelling a forward waits for the gateway's reply, which never comes over a dark link: then only the
        connection is closed, which ends its forwards on our side (the gateway ends them when it drops it).
        """
        if link_alive:
            for forward in (self._reclaimed, self._forward):
                if forward is not None:
                    forward.close()
        if self._connection is not None:
            self._connection.close()
        self._reclaimed = self._forward = self._connection = None

    def stop(self) -> None:
        """Close the forward and the gateway connection; the gateway port closes with them."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close_current()
