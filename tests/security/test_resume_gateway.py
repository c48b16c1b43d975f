"""Reconnect and resume in gateway mode: a real OpenSSH gateway, fault proxies on both sides of it (issue 9).

The agent publishes its port on the gateway with its restricted key; the console reaches ``gateway:PORT``
with its own SSH connection. A fault proxy sits on the console's way to the gateway, another on the agent's.
Whichever side's link is cut, the same session comes back without a new code: the console reconnects to the
same gateway port, and when the agent's own link was the one cut, its publisher reconnects and asks the
gateway for that same port again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from app.remote import protocol as p
from app.remote.agent import AgentCallbacks, AssistAgent
from app.remote.channel import ByteStream
from app.remote.client import TechnicianCallbacks, TechnicianClient
from app.remote.gateway import GatewayPublisher, GatewaySettings
from app.remote.ssh import ConnectOptions, SshConnection, connect
from tests.helpers.faultproxy import FaultProxy
from tests.helpers.sshd import KeyPair, SshServerFactory
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent
from tests.security.test_resume_link_faults import Watch

VIEW, CONTROL = p.Capability.VIEW, p.Capability.CONTROL
pytestmark = pytest.mark.sshd


@dataclass
class Gateway:
    """Everything of one gateway-mode setup; ``console_proxy`` and ``agent_proxy`` break either side."""

    agent: AssistAgent
    publisher: GatewayPublisher
    port: int
    console_proxy: FaultProxy
    agent_proxy: FaultProxy
    options: ConnectOptions
    connections: list[SshConnection]

    def open(self) -> ByteStream:
        """The console's way in: a new SSH connection to the gateway, then direct-tcpip to the agent's port."""
        for old in self.connections:
            old.close()
        self.connections.clear()
        connection = connect("gw", self.options)
        self.connections.append(connection)
        try:
            return connection.open_stream("127.0.0.1", self.port, timeout=5)
        except BaseException:
            connection.close()
            raise


#: A gateway configured as docs/session.md recommends: a dead connection is dropped (and its port freed) after
#: ClientAliveInterval × ClientAliveCountMax seconds; 1 × 3 here so the test is quick.
PROMPT_CLIENT_ALIVE = "ClientAliveInterval 1\nClientAliveCountMax 3\n"


@pytest.fixture
def gateway_config() -> str:
    return ""


@pytest.fixture
def gateway(
    tmp_path: Path,
    sshd_factory: SshServerFactory,
    client_key: KeyPair,
    agent_watch: Watch,
    screen: FakeScreen,
    gateway_config: str,
) -> Iterator[Gateway]:
    agent_key = KeyPair.generate(tmp_path / "agent" / "id_ed25519")
    server = sshd_factory.start(
        name="gateway",
        authorized_keys=[
            f'restrict,port-forwarding,permitlisten="127.0.0.1:*" {agent_key.public_line}',
            client_key.public_line,
        ],
        extra_config=gateway_config,
    )
    agent = AssistAgent(
        screen=screen,
        consent=ScriptedConsent(frozenset({VIEW, CONTROL})),
        input_sink=RecordingSink(),
        callbacks=AgentCallbacks(
            on_state=agent_watch.on_state, on_journal=agent_watch.on_journal, on_ended=agent_watch.on_ended
        ),
    )
    local_port = agent.listen(0)
    with FaultProxy(server.port) as console_proxy, FaultProxy(server.port) as agent_proxy:
        known = tmp_path / "known_hosts"
        key = server.known_hosts_line().split(" ", 1)[1]
        known.write_text(f"[127.0.0.1]:{console_proxy.port} {key}\n[127.0.0.1]:{agent_proxy.port} {key}\n")
        config = tmp_path / "ssh_config"
        config.write_text(
            f"Host gw-agent\n  HostName 127.0.0.1\n  Port {agent_proxy.port}\n  User {server.user}\n"
            f"  IdentityFile {agent_key.path}\n  IdentitiesOnly yes\n"
            f"Host gw\n  HostName 127.0.0.1\n  Port {console_proxy.port}\n  User {server.user}\n"
            f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n"
        )
        publisher = GatewayPublisher(
            GatewaySettings(
                target="gw-agent",
                known_hosts=known,
                config_path=config,
                reconnect_seconds=0.5,
                probe_seconds=0.5,
                probe_timeout_seconds=2.0,
            ),
            local_port,
        )
        port = publisher.start()
        options = ConnectOptions(config_path=config, known_hosts_paths=[known], use_agent=False, connect_timeout=5)
        setup = Gateway(agent, publisher, port, console_proxy, agent_proxy, options, [])
        try:
            yield setup
        finally:
            for connection in setup.connections:
                connection.close()
            publisher.stop()
            agent.stop()
            assert agent.wait_stopped(10)


@pytest.fixture
def screen() -> FakeScreen:
    return FakeScreen(width=96, height=64)


@pytest.fixture
def agent_watch() -> Watch:
    return Watch()


@pytest.mark.parametrize("side", ["console", "agent"])
def test_a_gateway_session_resumes_whichever_side_lost_its_link(
    gateway: Gateway, agent_watch: Watch, screen: FakeScreen, side: str
) -> None:
    console = Watch()
    client = TechnicianClient(
        gateway.open(),
        code=gateway.agent.code(),
        capabilities=frozenset({VIEW, CONTROL}),
        callbacks=TechnicianCallbacks(
            on_frame=console.on_frame,
            on_state=console.on_state,
            on_journal=console.on_journal,
            on_ended=console.on_ended,
        ),
        reconnect=gateway.open,
    )
    client.start()
    try:
        assert console.wait(lambda: console.frames >= 1)
        frames_before = console.frames
        gateway.agent.send_chat("before")
        assert console.wait(lambda: "before" in console.chats())
        (gateway.console_proxy if side == "console" else gateway.agent_proxy).cut()
        gateway.agent.send_chat("during")
        assert console.wait(lambda: "reconnecting" in console.states)
        assert agent_watch.wait(lambda: "technician disconnected" in agent_watch.states)
        assert console.wait(lambda: console.states[-1] == "active" and console.frames > frames_before, timeout=40)
        assert gateway.publisher.remote_port == gateway.port  # the agent is published where the console looks
        assert console.latest is not None and np.array_equal(console.latest, screen.image)
        assert console.chats().count("before") == 1 and console.chats().count("during") == 1
        assert console.kinds().count("paired") == 1
        assert "technician_reconnected" in agent_watch.kinds()
    finally:
        client.stop()
        assert client.wait_closed(10)


@pytest.mark.parametrize("gateway_config", [PROMPT_CLIENT_ALIVE])
def test_the_agent_link_going_dark_is_found_and_the_old_gateway_port_reclaimed(
    gateway: Gateway, agent_watch: Watch, screen: FakeScreen
) -> None:
    """The agent's path to the gateway goes dark (no FIN, no RST) while a new path works, as on a network switch.

    The publisher's round-trip probe finds the dead link and reconnects; the gateway still holds the old port for
    the dead connection, so the agent is published on another port meanwhile and keeps asking for the old one.
    Once the gateway drops the dead connection (ClientAlive), the old port is the agent's again and the console,
    which only knows that port, resumes the same session there.
    """
    ports: list[int] = []
    gateway.publisher.on_port = ports.append
    console = Watch()
    client = TechnicianClient(
        gateway.open(),
        code=gateway.agent.code(),
        capabilities=frozenset({VIEW}),
        callbacks=TechnicianCallbacks(
            on_frame=console.on_frame, on_state=console.on_state, on_journal=console.on_journal
        ),
        reconnect=gateway.open,
    )
    client.start()
    try:
        assert console.wait(lambda: console.frames >= 1)
        frames_before = console.frames
        gateway.agent_proxy.stall_live()  # today's agent link goes dark; a new one passes
        assert console.wait(lambda: "reconnecting" in console.states)
        # The publisher noticed, reconnected and, the old port still being held, took another one meanwhile...
        assert console.wait(lambda: len(ports) >= 1 and ports[0] != gateway.port, timeout=30)
        # ...then got the old one back once the gateway dropped the dead connection.
        assert console.wait(lambda: ports[-1] == gateway.port, timeout=40)
        assert console.wait(lambda: console.states[-1] == "active" and console.frames > frames_before, timeout=40)
        assert gateway.publisher.remote_port == gateway.port
        assert gateway.agent_proxy.accepted >= 2  # the agent really came back over a new gateway connection
        assert console.latest is not None and np.array_equal(console.latest, screen.image)
        assert console.kinds().count("paired") == 1  # the same session, no new code
        assert "technician_reconnected" in agent_watch.kinds()
    finally:
        client.stop()
        assert client.wait_closed(10)
