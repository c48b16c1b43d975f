"""T29/T50: what the user and technician say and share never reaches a log, even at DEBUG.

A whole session runs with unique canaries in every field a person fills in (the session code, the consent
reason and case, chat both ways, clipboard both ways); every log record from every logger, at every level,
is captured and searched. Journals are not logs: what they may hold is the journal's own business (redacted).
"""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from app.remote import protocol as p
from app.remote.agent import AgentCallbacks, AssistAgent
from app.remote.client import TechnicianCallbacks, TechnicianClient
from tests.remote.agentkit import FakeScreen, RecordingSink, ScriptedConsent

VIEW, CONTROL, CLIPBOARD = p.Capability.VIEW, p.Capability.CONTROL, p.Capability.CLIPBOARD


class Waiter:
    """Collects values from a callback; the test waits for a specific one."""

    def __init__(self) -> None:
        self.values: list[object] = []
        self._changed = threading.Condition()

    def __call__(self, value: object, *rest: object) -> None:
        with self._changed:
            self.values.append(value)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = 10) -> bool:  # type: ignore[no-untyped-def]
        with self._changed:
            return self._changed.wait_for(lambda: any(predicate(v) for v in self.values), timeout)


def test_no_session_content_reaches_any_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level: paramiko, app.*, the lot
    caplog.set_level(logging.DEBUG, logger="app")  # the shared autouse fixture set app.* to WARNING
    canaries = {
        "reason": "CANARY-reason-7f3a",
        "case": "CANARY-case-19bc",
        "chat_to_user": "CANARY-chat-to-user-55d1",
        "chat_to_technician": "CANARY-chat-to-tech-a0e2",
        "clip_to_user": "CANARY-clip-to-user-c4f8",
        "clip_to_technician": "CANARY-clip-to-tech-2b6d",
    }
    user_chat, user_clip = Waiter(), Waiter()
    tech_messages, tech_chat, frames = Waiter(), Waiter(), threading.Event()
    agent = AssistAgent(
        screen=FakeScreen(),
        consent=ScriptedConsent(frozenset({VIEW, CONTROL, CLIPBOARD})),
        input_sink=RecordingSink(),
        callbacks=AgentCallbacks(on_chat=user_chat, on_clipboard=user_clip),
    )
    port = agent.listen(0)
    code = agent.code()
    client = TechnicianClient(
        socket.create_connection(("127.0.0.1", port), timeout=10),
        code=code,
        capabilities=frozenset({VIEW, CONTROL, CLIPBOARD}),
        reason=canaries["reason"],
        case_ref=canaries["case"],
        callbacks=TechnicianCallbacks(on_message=tech_messages, on_chat=tech_chat, on_frame=lambda fb, d: frames.set()),
    )
    client.start()
    try:
        assert frames.wait(20)
        client.send_chat(canaries["chat_to_user"])
        client.send_clipboard(canaries["clip_to_user"])
        agent.send_chat(canaries["chat_to_technician"])
        agent.send_local(p.Clipboard(canaries["clip_to_technician"]))
        assert user_chat.wait_for(lambda v: v == canaries["chat_to_user"])
        assert user_clip.wait_for(lambda v: v == canaries["clip_to_user"])
        assert tech_messages.wait_for(lambda m: m == p.Clipboard(canaries["clip_to_technician"]))
        assert tech_chat.wait_for(lambda text: text == canaries["chat_to_technician"])
        client.stop()
        assert client.wait_closed(10)
    finally:
        agent.stop()
        assert agent.wait_stopped(10)
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.get_records("call")
    )
    assert logged, "nothing was logged at all: the capture is not working, so the test would prove nothing"
    leaked = {name: value for name, value in canaries.items() if value in logged}
    assert leaked == {}
    digits = code.replace("-", "").replace(" ", "")
    assert code not in logged and digits not in logged


@pytest.mark.sshd
def test_key_passphrases_stay_out_of_every_log_and_error(
    caplog: pytest.LogCaptureFixture,
    sshd_factory,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """T29: the right and a wrong passphrase for an encrypted key, with paramiko logging at DEBUG."""
    from app.remote.ssh import AuthFailed, ConnectOptions, connect
    from tests.helpers.sshd import KeyPair

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="app")
    right, wrong = "CANARY-right-passphrase-91c3", "CANARY-wrong-passphrase-4e7a"
    key = KeyPair.generate(tmp_path / "locked" / "id_ed25519", passphrase=right.encode())
    server = sshd_factory.start(authorized_keys=[key.public_line])
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host pc\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
        f"  IdentityFile {key.path}\n  IdentitiesOnly yes\n  ConnectTimeout 5\n"
    )
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(server.known_hosts_line() + "\n")

    def options(passphrase: str) -> ConnectOptions:
        return ConnectOptions(
            config_path=config,
            known_hosts_paths=[known_hosts],
            own_known_hosts=tmp_path / "own_known_hosts",
            use_agent=False,
            passphrase_provider=lambda path: passphrase,
        )

    with connect("pc", options(right)):
        pass
    with pytest.raises(AuthFailed) as refused:
        connect("pc", options(wrong))
    texts = [f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.get_records("call")]
    texts += [str(refused.value), refused.value.user_message, repr(refused.value)]
    assert any("paramiko" in text for text in texts), "paramiko's DEBUG log was not captured"
    assert [text for text in texts if right in text or wrong in text] == []
