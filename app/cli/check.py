"""``podpora check HOST``: connect exactly as the console would, and report how it went.

Prints the resolved route (every hop with host, port and user), each host key's SHA256 fingerprint and its
verdict, the authentication method that worked, and the SSH round-trip time.  An unknown host key is asked
about on the terminal when there is one (trust once, trust and remember, refuse) and refused otherwise.

Exit codes: 0 ok, 3 unknown host key refused, 4 host key changed, 5 authentication failed, 6 unreachable,
7 timeout, 8 forward refused, 9 SSH protocol error, 78 configuration error.
"""

from __future__ import annotations

import argparse
import getpass
import json
import statistics
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # paramiko loads only when a check runs, so `podpora --help` stays quick
    from app.remote.ssh import HostKeyDecision, HostKeyInfo, SshConnection


def register(subparsers: Any) -> None:
    """Add ``podpora check``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="connect to a machine as the console would and report route, host keys, auth and round trip",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("host", help="an alias from your ssh config, or [user@]host[:port]")
    parser.add_argument("-F", dest="config", type=Path, help="use this ssh config file instead of ~/.ssh/config")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--no-agent", action="store_true", help="do not use ssh-agent")
    parser.set_defaults(func=run)


def ask_on_terminal(info: HostKeyInfo) -> HostKeyDecision:
    """Ask about an unknown host key on the terminal; refuse when nobody can be asked."""
    from app.remote.ssh import HostKeyDecision

    if not sys.stdin.isatty():
        return HostKeyDecision.REFUSE
    print(
        f"The host {info.known_hosts_name} is not known yet.\n"
        f"  {info.key_type} key fingerprint: {info.fingerprint}\n"
        "Compare it with the fingerprint your administrator gave you.",
        file=sys.stderr,
    )
    answer = input("Trust [o]nce, trust and [r]emember, or [N]o? ").strip().lower()
    if answer in {"o", "once"}:
        return HostKeyDecision.TRUST_ONCE
    if answer in {"r", "remember"}:
        return HostKeyDecision.TRUST_AND_REMEMBER
    return HostKeyDecision.REFUSE


def ask_passphrase(path: Path) -> str | None:
    """Ask for a key's passphrase on the terminal (never echoed, never stored)."""
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"Passphrase for {path}: ")


def build_report(conn: SshConnection, samples: int = 5) -> dict[str, Any]:
    """The JSON report of a successful connection."""
    round_trips = [conn.round_trip_seconds() * 1000 for _ in range(samples)]
    return {
        "ok": True,
        "route": [
            {
                "alias": r.hop.alias,
                "host": r.hop.host,
                "port": r.hop.port,
                "user": r.hop.user,
                "host_key": {"type": r.key_type, "fingerprint": r.fingerprint, "verdict": r.verdict},
                "auth": r.auth_method,
                "strict_kex": r.strict_kex,
                "cipher": r.cipher,
            }
            for r in conn.reports
        ],
        "connect_ms": round(conn.connect_seconds * 1000, 1),
        "round_trip_ms": round(statistics.median(round_trips), 2),
    }


def run(args: argparse.Namespace) -> int:
    """Connect, print the report, and return the exit code for the outcome."""
    from app.remote.ssh import ConnectOptions, SshError, connect

    options = ConnectOptions(
        config_path=args.config,
        host_key_decider=ask_on_terminal,
        passphrase_provider=ask_passphrase,
        use_agent=not args.no_agent,
    )
    try:
        with connect(args.host, options) as conn:
            report = build_report(conn)
    except SshError as error:
        if args.json:
            print(json.dumps({"ok": False, "error": type(error).__name__, "message": error.user_message}, indent=2))
        else:
            print(f"podpora check: {error.user_message}", file=sys.stderr)
        return error.exit_code
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for index, hop in enumerate(report["route"]):
        role = "target" if index == len(report["route"]) - 1 else f"jump {index + 1}"
        key = hop["host_key"]
        print(f"{role:>8}: {hop['user']}@{hop['host']}:{hop['port']} ({hop['alias']})")
        print(f"          host key {key['type']} {key['fingerprint']} [{key['verdict']}]")
        print(
            f"          auth: {hop['auth']}; cipher {hop['cipher']}; strict KEX {'on' if hop['strict_kex'] else 'OFF'}"
        )
    print(f"connected in {report['connect_ms']} ms; SSH round trip {report['round_trip_ms']} ms")
    return 0
