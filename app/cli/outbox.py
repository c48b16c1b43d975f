"""``podpora outbox status|retry|login``: deliveries waiting for ticket systems, and their credentials."""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, datetime
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``podpora outbox``."""
    parser: argparse.ArgumentParser = subparsers.add_parser("outbox", help="deliveries to ticket systems")
    sub = parser.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    status = sub.add_parser("status", help="show every delivery and its state")
    status.set_defaults(func=_status)
    retry = sub.add_parser("retry", help="try waiting and failed deliveries now")
    retry.add_argument("item", nargs="?", help="one delivery id (default: all)")
    retry.set_defaults(func=_retry)
    login = sub.add_parser("login", help="store a ticket-system credential in the system keyring")
    login.add_argument("system", help="e.g. redmine, jira, zendesk")
    login.add_argument("name", help="e.g. api_key, api_token, password")
    login.set_defaults(func=_login)


def _outbox() -> Any:
    from app.cases.outbox import Outbox
    from app.config import default_paths

    return Outbox(default_paths().ensure().outbox_dir)


def _print(items: list[Any]) -> None:
    from app.cases.connectors import human_name

    now = datetime.now(UTC)
    for item in items:
        print(
            f"{item.id}\tcase {item.case_id}\tticket {item.ticket or '–'}\t"
            f"{item.status_text(now, human_name(item.connector))}"
        )


def _status(args: argparse.Namespace) -> int:
    items = _outbox().items()
    if not items:
        print("the outbox is empty")
        return 0
    _print(items)
    return 0


def _retry(args: argparse.Namespace) -> int:
    from app.cases.outbox import DELIVERED
    from app.cli.case import connector_factory

    outbox = _outbox()
    now = datetime.now(UTC)
    outbox.retry(now, args.item)
    attempted = outbox.process(now, connector_factory(), only=args.item, force=True)
    if not attempted:
        print("nothing to deliver")
        return 0
    _print(attempted)
    return 0 if all(item.state == DELIVERED for item in attempted) else 75


def _login(args: argparse.Namespace) -> int:
    from app.cases.keystore import set_credential

    secret = getpass.getpass(f"{args.name} for {args.system}: ")
    set_credential(args.system, args.name, secret)
    print(f"stored in the system keyring ({args.system} / {args.name})")
    return 0
