"""E-mail delivery against a real local SMTP server (aiosmtpd) that requires STARTTLS with a throwaway cert."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.cases.connectors import make_connector
from app.cases.outbox import DELIVERED, FAILED, WAITING, Outbox
from app.cases.report import render_comment
from tests.cases.sample import export_sample_bundle


def throwaway_cert(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "podpora-test-smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        assert session.ssl is not None, "the message arrived without STARTTLS"
        self.messages.append(envelope.original_content or envelope.content)
        self.arrived.set()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SMTP_PASSWORD = "Sm7p-Passw0rd-Canary"


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"podpora"
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


def _start_smtp(tmp_path: Path, **options) -> tuple[object, int, Path, Inbox]:
    from aiosmtpd.controller import Controller

    cert, key = throwaway_cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True, **options
    )
    controller.start()
    return controller, port, cert, inbox


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[int, Path, Inbox]]:
    controller, port, cert, inbox = _start_smtp(tmp_path)
    yield port, cert, inbox
    controller.stop()  # type: ignore[attr-defined]


@pytest.fixture
def smtp_server_with_login(tmp_path: Path) -> Iterator[tuple[int, Path, Inbox]]:
    controller, port, cert, inbox = _start_smtp(
        tmp_path, authenticator=_authenticator, auth_require_tls=True, auth_required=True
    )
    yield port, cert, inbox
    controller.stop()  # type: ignore[attr-defined]


def settings(port: int, cert: Path, **extra) -> dict:
    return {
        "host": "127.0.0.1",
        "port": port,
        "from": "podpora@example.com",
        "to": "help@example.com",
        "cafile": str(cert),
        **extra,
    }


def no_credential(system: str, name: str) -> str:
    raise AssertionError("no credential needed")


def test_email_with_starttls(smtp_server, tmp_path: Path, master_key, signer, clock) -> None:
    port, cert, inbox = smtp_server
    info, case = export_sample_bundle(tmp_path, master_key, signer, clock)
    outbox = Outbox(tmp_path / "outbox")
    outbox.enqueue(
        case_id=case.case_id,
        connector="email",
        ticket="42",
        bundle_path=info.path,
        bundle_name=info.path.name,
        comment=render_comment(case, bundle_name=info.path.name, bundle_sha256=info.sha256),
        now=clock(),
    )
    [done] = outbox.process(clock(), lambda name: make_connector(name, settings(port, cert), no_credential))
    assert done.state == DELIVERED, done.last_error
    assert inbox.arrived.wait(10)
    [raw] = inbox.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"].startswith("[#42] ")
    assert message["Message-ID"] == f"<podpora-{info.sha256[:32]}@podpora.invalid>"
    body = message.get_body(("plain",)).get_content()
    assert "Print queue: 3 jobs stuck" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == info.path.name
    assert hashlib.sha256(attachment.get_content()).hexdigest() == info.sha256


def test_untrusted_certificate_is_refused(smtp_server, tmp_path: Path, clock) -> None:
    port, _cert, inbox = smtp_server
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(b"PK bundle")
    outbox = Outbox(tmp_path / "outbox")
    outbox.enqueue(
        case_id="c", connector="email", ticket="1", bundle_path=bundle, bundle_name="b.zip", comment="x", now=clock()
    )
    (tmp_path / "other").mkdir()
    other_cert, _ = throwaway_cert(tmp_path / "other")  # a different self-signed CA
    [failed] = outbox.process(clock(), lambda name: make_connector(name, settings(port, other_cert), no_credential))
    assert failed.state == FAILED
    assert "TLS" in failed.last_error
    assert inbox.messages == []


def test_smtp_server_down_waits(tmp_path: Path, clock) -> None:
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(b"PK bundle")
    outbox = Outbox(tmp_path / "outbox")
    outbox.enqueue(
        case_id="c", connector="email", ticket="1", bundle_path=bundle, bundle_name="b.zip", comment="x", now=clock()
    )
    config = {"host": "127.0.0.1", "port": free_port(), "from": "a@example.com", "to": "b@example.com"}
    [waiting] = outbox.process(clock(), lambda name: make_connector(name, config, no_credential))
    assert waiting.state == WAITING
    assert waiting.status_text(clock(), "E-mail").startswith("waiting: E-mail unreachable")


def test_ticket_reference_cannot_inject_headers() -> None:
    from app.cases.connectors.base import Attachment, Delivery
    from app.cases.connectors.email import EmailConnector

    connector = EmailConnector("127.0.0.1", 25, "a@example.com", "b@example.com")
    message = connector.build_message(
        Delivery(
            ticket="42\r\nBcc: evil@example.com",
            comment="c",
            bundle_name="b.zip",
            bundle_sha256="ab" * 32,
            attachments=(Attachment("b.zip", b"PK"),),
        )
    )
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]


@pytest.mark.parametrize(("password", "delivered"), [(SMTP_PASSWORD, True), ("wrong-password", False)])
def test_login_after_starttls(smtp_server_with_login, tmp_path: Path, clock, password: str, delivered: bool) -> None:
    port, cert, inbox = smtp_server_with_login
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(b"PK bundle")
    outbox = Outbox(tmp_path / "outbox")
    outbox.enqueue(
        case_id="c", connector="email", ticket="9", bundle_path=bundle, bundle_name="b.zip", comment="x", now=clock()
    )
    asked: list[tuple[str, str]] = []

    def keyring_password(system: str, name: str) -> str:
        asked.append((system, name))
        return password

    [item] = outbox.process(
        clock(), lambda name: make_connector(name, settings(port, cert, username="podpora"), keyring_password)
    )
    assert asked == [("email", "password")]
    assert (item.state == DELIVERED) is delivered, item.last_error
    if not delivered:
        assert item.state == FAILED
        assert "refused the login" in item.last_error
        assert password not in item.last_error
    assert len(inbox.messages) == (1 if delivered else 0)
