"""E-mail (SMTP with STARTTLS): many helpdesks turn e-mail into tickets or comments.

The message goes to the helpdesk's address with the ticket reference in the subject (``[#42] …``, the form most
helpdesks use to thread replies), the comment as the body and the bundle attached.  STARTTLS is required unless
``starttls = false`` is set explicitly (e.g. a relay on localhost); the server certificate is verified (system
CAs, or ``cafile``).  SMTP cannot be asked what a ticket already has, so exactly-once rests on the outbox's
state plus a ``Message-ID`` derived from the bundle hash, which helpdesks use to drop duplicates.
Settings: ``host``, ``port`` (587), ``from``, ``to``, ``username`` (optional; password from the keyring as
``email``/``password``), ``starttls``, ``cafile``, ``max_attachment_mb`` (10).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from app.cases.connectors.base import (
    CredentialGetter,
    Delivery,
    DeliveryRejected,
    DeliveryResult,
    Settings,
    TicketSystemUnavailable,
    require,
)


def _flag(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


class EmailConnector:
    """Sends the comment and the bundle as an e-mail."""

    name = "E-mail"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipient: str,
        *,
        username: str = "",
        password: str = "",
        starttls: bool = True,
        cafile: str | None = None,
        max_attachment_mb: float = 10,
        timeout: float = 30,
    ) -> None:
        self.host, self.port = host, port
        self.sender, self.recipient = sender, recipient
        self.username, self._password = username, password
        self.starttls = starttls
        self.context = ssl.create_default_context(cafile=cafile)
        self.max_attachment_bytes: int | None = int(max_attachment_mb * 1024 * 1024)
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings, credential: CredentialGetter, **kwargs: Any) -> EmailConnector:
        del kwargs
        username = str(settings.get("username", ""))
        return cls(
            require(settings, "email", "host"),
            int(settings.get("port", 587)),
            require(settings, "email", "from"),
            require(settings, "email", "to"),
            username=username,
            password=credential("email", "password") if username else "",
            starttls=_flag(settings.get("starttls"), True),
            cafile=str(settings["cafile"]) if settings.get("cafile") else None,
            max_attachment_mb=float(settings.get("max_attachment_mb", 10)),
        )

    def find_delivered(self, ticket: str, bundle_sha256: str) -> DeliveryResult | None:
        del ticket, bundle_sha256
        return None  # SMTP cannot be asked; see the module docstring

    def build_message(self, delivery: Delivery) -> EmailMessage:
        message = EmailMessage()
        ticket = re.sub(r"[\x00-\x1f\x7f]", "", delivery.ticket).strip()  # no header injection
        prefix = f"[#{ticket.lstrip('#')}] " if ticket else ""
        message["Subject"] = f"{prefix}Podpora case log {delivery.bundle_name}"
        message["From"] = self.sender
        message["To"] = self.recipient
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = f"<podpora-{delivery.bundle_sha256[:32]}@podpora.invalid>"
        message.set_content(delivery.comment)
        for attachment in delivery.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.name)
        return message

    def deliver(self, delivery: Delivery) -> DeliveryResult:
        message = self.build_message(delivery)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.ehlo()
                if self.starttls:
                    if not smtp.has_extn("starttls"):
                        raise DeliveryRejected(
                            self.name, "the mail server does not offer STARTTLS; refusing to send in clear text"
                        )
                    smtp.starttls(context=self.context)
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self._password)
                smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryRejected(self.name, "the mail server refused the login") from error
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryRejected(self.name, f"the mail server refused {self.recipient}") from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code >= 500:
                raise DeliveryRejected(self.name, f"SMTP {error.smtp_code}") from error
            raise TicketSystemUnavailable(self.name, f"SMTP {error.smtp_code}") from error
        except ssl.SSLError as error:
            raise DeliveryRejected(self.name, f"TLS failed ({error.reason})") from error
        except (smtplib.SMTPException, OSError) as error:
            raise TicketSystemUnavailable(self.name, f"cannot reach {self.host}:{self.port}") from error
        return DeliveryResult(f"mailto:{self.recipient}", (str(message["Message-ID"]),))

    def close(self) -> None:
        return None
