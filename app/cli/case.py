"""``podpora case list|show|export|verify``: the case log from the command line.

``export`` builds the signed bundle (with a PDF rendered by Qt via :mod:`app.ui.render_pdf`), queues it in the
outbox for the chosen ticket system and tries to deliver it at once; if the system is down, the outbox keeps
trying (``podpora outbox status``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.errors import PodporaError
from app.i18n import QT_TRANSLATE_NOOP

TECHNICIAN_KEY_FILE = "technician_ed25519"
TECHNICIAN_CERT_FILE = "technician.cert"


def register(subparsers: Any) -> None:
    """Add ``podpora case``."""
    parser: argparse.ArgumentParser = subparsers.add_parser("case", help="list, show, export and verify cases")
    sub = parser.add_subparsers(dest="case_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="list the cases on this computer")
    listing.set_defaults(func=_list)

    show = sub.add_parser("show", help="show one case (summary, timeline, integrity)")
    show.add_argument("case_id", metavar="ID")
    show.add_argument("--lang", default=os.environ.get("PODPORA_LANG", "en"), help="en, cs or sk")
    show.set_defaults(func=_show)

    export = sub.add_parser("export", help="export a case bundle and deliver it to a ticket system")
    export.add_argument("case_id", metavar="ID")
    export.add_argument("--to", dest="connector", default="folder", help="folder (default), email, redmine, …")
    export.add_argument("--ticket", default="", help="ticket reference (default: the one recorded in the case)")
    export.add_argument("--key", type=Path, help="technician's Ed25519 private key (default: config dir)")
    export.add_argument("--cert", type=Path, help="technician's certificate file (default: config dir)")
    export.add_argument("--lang", default=os.environ.get("PODPORA_LANG", "en"), help="en, cs or sk")
    export.add_argument("--public", action="store_true", help="post a public comment (default: internal)")
    export.add_argument("--no-pdf", action="store_true", help="skip report.pdf (no Qt needed)")
    export.set_defaults(func=_export)

    verify = sub.add_parser("verify", help="check every hash and signature in a case bundle")
    verify.add_argument("bundle", type=Path, metavar="BUNDLE")
    verify.add_argument("--trusted-key", help="the technician's public key (64 hex digits) to require")
    verify.add_argument(
        "--journal-key",
        help="the journal's first sealing key (64 hex digits) as anchored at case open, to require",
    )
    verify.add_argument(
        "--require-forward-integrity",
        action="store_true",
        help="refuse a journal without forward-integrity seals (recorded before they existed, or downgraded)",
    )
    verify.set_defaults(func=_verify)


def _now() -> datetime:
    return datetime.now(UTC)


def _store() -> Any:
    from app.cases.keystore import load_journal_key
    from app.cases.store import CaseStore
    from app.config import default_paths

    paths = default_paths().ensure()
    return CaseStore(paths.cases_dir, load_journal_key(paths.data_dir).key)


def _list(args: argparse.Namespace) -> int:
    from app.cases.journal import JournalError

    store = _store()
    ids = store.case_ids()
    if not ids:
        print("no cases yet")
        return 0
    for case_id in ids:
        try:
            loaded = store.load(case_id)
        except JournalError as error:
            print(f"{case_id}\tunreadable: {error.user_message}")
            continue
        case = loaded.case
        state = "torn tail!" if loaded.contents.torn else ("closed" if _closed(loaded) else "open")
        print(f"{case_id}\tticket {case.ticket_ref or '–'}\t{case.opened_at}\t{len(case.timeline)} records\t{state}")
    return 0


def _closed(loaded: Any) -> bool:
    records = loaded.contents.records
    return bool(records) and records[-1].type == "checkpoint" and bool(records[-1].fields.get("final"))


def _show(args: argparse.Namespace) -> int:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from app.cases.journal import header_forward_key, verify_chain
    from app.cases.report import render_markdown

    loaded = _store().load(args.case_id)
    print(render_markdown(loaded.case, args.lang))
    header = loaded.contents.header
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(str(header["public_key"])))
    forward_key = header_forward_key(header)
    result = verify_chain(
        [r.raw for r in loaded.contents.records], str(header["journal_id"]), public, forward_key=forward_key
    )
    if result.ok:
        tail = f", {result.unanchored_tail} records after the last signed checkpoint" if result.unanchored_tail else ""
        print(f"integrity: OK ({result.records} records{tail})")
        print(_forward_line(forward_key))
    else:
        print(f"integrity: FAILED: {result.message}")
    if loaded.contents.torn is not None:
        print(f"warning: {loaded.contents.torn.describe()}")
    return 0 if result.ok else 1


def _forward_line(journal_key: str | None) -> str:
    """One line on forward integrity (T31): what it protects, or that this journal predates it."""
    if journal_key is None:
        return "forward integrity: none (a journal recorded before version 2 of the format)"
    return (
        f"forward integrity: every record sealed; journal key {journal_key} "
        "(compare it with the one anchored at case open)"
    )


def load_technician_key(path: Path | None) -> Any:
    """The technician's Ed25519 private key (OpenSSH or PEM format, unencrypted or via env passphrase)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_ssh_private_key

    from app.config import default_paths

    key_path = path or Path(
        os.environ.get("PODPORA_TECHNICIAN_KEY", str(default_paths().config_dir / TECHNICIAN_KEY_FILE))
    )
    try:
        data = key_path.read_bytes()
    except OSError as error:
        raise PodporaError(
            f"cannot read technician key {key_path}: {error}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The technician key {path} cannot be read. Pass it with --key."),
            path=str(key_path),
        ) from error
    passphrase_text = os.environ.get("PODPORA_TECHNICIAN_KEY_PASSPHRASE")
    passphrase = passphrase_text.encode() if passphrase_text else None
    key: object
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key = load_ssh_private_key(data, passphrase)
        else:
            key = load_pem_private_key(data, passphrase)
    except (ValueError, TypeError) as error:
        raise PodporaError(
            f"cannot load technician key {key_path}: {error}",
            user_text=QT_TRANSLATE_NOOP("podpora", "The technician key {path} is not a usable Ed25519 key."),
            path=str(key_path),
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise PodporaError(
            f"{key_path} is not an Ed25519 key",
            user_text=QT_TRANSLATE_NOOP("podpora", "The technician key {path} is not an Ed25519 key."),
            path=str(key_path),
        )
    return key


def connector_factory() -> Any:
    """Build connectors from connectors.toml/environment and keyring credentials (used by the outbox too)."""
    from app.cases.connectors import load_settings, make_connector
    from app.cases.keystore import get_credential
    from app.config import default_paths

    paths = default_paths().ensure()

    def credential(system: str, name: str) -> str:
        return get_credential(system, name) or ""  # required=True raises when missing

    def build(name: str) -> Any:
        settings = load_settings(paths.config_dir, name)
        if name == "folder":
            settings.setdefault("path", str(paths.data_dir / "exports"))
        return make_connector(name, settings, credential)

    return build


def _export(args: argparse.Namespace) -> int:
    from app.cases.bundle import bundle_file_name, export_bundle
    from app.cases.connectors import REGISTRY, human_name
    from app.cases.outbox import DELIVERED, Outbox
    from app.cases.report import render_comment
    from app.config import default_paths

    if args.connector not in REGISTRY:
        raise PodporaError(
            f"unknown connector {args.connector}",
            user_text=QT_TRANSLATE_NOOP("podpora", "Unknown ticket system {name}. Known: {known}."),
            name=args.connector,
            known=", ".join(REGISTRY),
        )
    store = _store()
    loaded = store.load(args.case_id)
    if loaded.contents.torn is not None:
        print(f"warning: {loaded.contents.torn.describe()} (not part of the bundle)", file=sys.stderr)
    signer = load_technician_key(args.key)
    cert_path = args.cert or default_paths().config_dir / TECHNICIAN_CERT_FILE
    certificate = cert_path.read_bytes() if cert_path.exists() else None
    html_to_pdf = None
    if not args.no_pdf:
        from app.ui.render_pdf import html_to_pdf as qt_html_to_pdf

        html_to_pdf = qt_html_to_pdf
    now = _now()
    exports = store.exports_dir(args.case_id)
    temp = export_bundle(
        exports / ".export-in-progress.zip",
        case=loaded.case,
        header=loaded.contents.header,
        records=loaded.contents.records,
        signer=signer,
        exported_at=now,
        lang=args.lang,
        certificate=certificate,
        html_to_pdf=html_to_pdf,
    )
    final = exports / bundle_file_name(loaded.case.case_id, temp.sha256)
    os.replace(temp.path, final)
    print(f"bundle: {final} (SHA-256 {temp.sha256})")
    ticket = args.ticket or loaded.case.ticket_ref
    if not ticket and args.connector != "folder":
        raise PodporaError(
            "no ticket reference",
            user_text=QT_TRANSLATE_NOOP("podpora", "This case has no ticket reference. Pass one with --ticket."),
        )
    comment = render_comment(loaded.case, bundle_name=final.name, bundle_sha256=temp.sha256, lang=args.lang)
    outbox = Outbox(default_paths().outbox_dir)
    item = outbox.enqueue(
        case_id=loaded.case.case_id,
        connector=args.connector,
        ticket=ticket,
        bundle_path=final,
        bundle_name=final.name,
        comment=comment,
        now=now,
        internal=not args.public,
    )
    attempted = outbox.process(now, connector_factory(), only=item.id, force=True)
    item = attempted[0] if attempted else outbox.load(item.id)
    print(f"{human_name(args.connector)}: {item.status_text(_now(), human_name(args.connector))}")
    return 0 if item.state == DELIVERED else (75 if item.state == "waiting" else 1)


def _verify(args: argparse.Namespace) -> int:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from app.cases.bundle import verify_bundle

    trusted = None
    if args.trusted_key:
        try:
            trusted = Ed25519PublicKey.from_public_bytes(bytes.fromhex(args.trusted_key))
        except ValueError as error:
            raise PodporaError(
                "bad trusted key",
                user_text=QT_TRANSLATE_NOOP("podpora", "--trusted-key must be 64 hexadecimal digits."),
            ) from error
    journal_key = args.journal_key
    if journal_key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", journal_key):
        raise PodporaError(
            "bad journal key",
            user_text=QT_TRANSLATE_NOOP("podpora", "--journal-key must be 64 hexadecimal digits."),
        )
    result = verify_bundle(
        args.bundle,
        trusted_public_key=trusted,
        journal_key=journal_key,
        require_forward_integrity=args.require_forward_integrity,
    )
    if result.ok:
        print(f"{args.bundle}: {result.message}")
        print(f"signed by Ed25519 key {result.public_key}")
        print(_forward_line(result.journal_key or None))
        return 0
    print(f"{args.bundle}: TAMPERED: {result.message}", file=sys.stderr)
    return 1
