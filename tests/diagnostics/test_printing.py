"""Printing against a private, real CUPS scheduler started by the test.

``cupsd`` runs in the foreground with its own configuration, spool, state and a UNIX socket in a scratch
folder (never the system's printing); the sshd that the scripts run through sets ``CUPS_SERVER`` to that
socket.  A stuck queue is real: a disabled printer with jobs submitted by ``lp``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli.diag import SshExecutor
from app.diagnostics.catalog import Catalog
from app.diagnostics.runner import ApprovalDecision, ApprovalRequest, RefuseAll, Runner
from app.remote.ssh import ConnectOptions, connect
from tests.diagnostics.conftest import SshTarget, checks_by_id
from tests.helpers.sshd import KeyPair, SshServerFactory

pytestmark = pytest.mark.sshd

CUPSD = shutil.which("cupsd") or "/usr/sbin/cupsd"
START_TIMEOUT = 20.0


class Approve:
    """The person responsible says yes."""

    def request_approval(self, request: ApprovalRequest) -> ApprovalDecision:
        return ApprovalDecision.answer(request, True, "technician")


@dataclass
class Cups:
    """A private cupsd: its socket is what CUPS_SERVER points at."""

    socket_path: Path
    folder: Path

    def run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {"CUPS_SERVER": str(self.socket_path), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
        return subprocess.run(list(argv), capture_output=True, text=True, env=env, check=check, timeout=30)

    def jobs(self, printer: str) -> list[str]:
        return [line.split()[0] for line in self.run("lpstat", "-o", printer).stdout.splitlines() if line.strip()]


def _wait_for_socket(path: Path, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until cupsd accepts connections on ``path`` (or exits, or the deadline passes)."""
    deadline = time.monotonic() + START_TIMEOUT
    waiter = threading.Event()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"cupsd exited with status {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        if path.exists():
            with socket.socket(socket.AF_UNIX) as probe:
                try:
                    probe.connect(str(path))
                    return
                except OSError:
                    pass
        waiter.wait(0.05)  # polling a condition with a deadline; cupsd has no readiness signal
    pytest.fail(f"cupsd did not open {path} within {START_TIMEOUT} s")


@pytest.fixture
def cups() -> Iterator[Cups]:
    if not Path(CUPSD).exists() or shutil.which("lpadmin") is None:
        pytest.fail("CUPS is not installed (scripts/setup installs cups-daemon and cups-client)")
    # A short folder in /tmp: a UNIX socket path must stay under 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="podpora-cups-"))
    for name in ("spool", "tmp", "cache", "state", "log"):
        (folder / name).mkdir()
    socket_path = folder / "cups.sock"
    (folder / "cupsd.conf").write_text(
        f"Listen {socket_path}\nLogLevel info\nWebInterface No\nBrowsing No\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    (folder / "cups-files.conf").write_text(
        f"ServerRoot {folder}\nRequestRoot {folder}/spool\nTempDir {folder}/tmp\nCacheDir {folder}/cache\n"
        f"StateDir {folder}/state\nErrorLog {folder}/log/error_log\nAccessLog {folder}/log/access_log\n"
        f"PageLog {folder}/log/page_log\nSystemGroup root\nFileDevice Yes\nSandboxing Relaxed\n"
    )
    log = folder / "log" / "cupsd.out"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [CUPSD, "-f", "-c", str(folder / "cupsd.conf"), "-s", str(folder / "cups-files.conf")],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_socket(socket_path, process, log)
        yield Cups(socket_path, folder)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def _target(factory: SshServerFactory, client_key: KeyPair, root: Path, cups_server: Path) -> SshTarget:
    """A private sshd whose sessions talk to the test's cupsd.

    The sessions' HOME is the scratch folder that :class:`SshServerFactory` sets (sshd keeps the first
    ``SetEnv``), and the CUPS clients read ``$HOME/.cups/client.conf``, so that file names the private socket.
    """
    root.mkdir(parents=True)
    server = factory.start(authorized_keys=[client_key.public_line], extra_config="MaxSessions 64\n")
    client_conf = server.root / "home" / ".cups" / "client.conf"
    client_conf.parent.mkdir(parents=True, exist_ok=True)
    client_conf.write_text(f"ServerName {cups_server}\n")
    known = root / "known_hosts"
    known.write_text(server.known_hosts_line() + "\n")
    config = root / "ssh_config"
    config.write_text(
        f"Host printhost\n  HostName 127.0.0.1\n  Port {server.port}\n  User {server.user}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n  UserKnownHostsFile {known}\n"
        "  StrictHostKeyChecking yes\n"
    )
    options = ConnectOptions(
        config_path=config, known_hosts_paths=[known], use_agent=False, own_known_hosts=root / "own_known_hosts"
    )
    connection = connect("printhost", options)
    return SshTarget(server, connection, SshExecutor(connection, "printhost"), config)


@pytest.fixture
def print_target(
    cups: Cups, sshd_factory: SshServerFactory, client_key: KeyPair, tmp_path: Path
) -> Iterator[SshTarget]:
    target = _target(sshd_factory, client_key, tmp_path / "ssh", cups.socket_path)
    yield target
    target.connection.close()


@pytest.fixture
def stuck_queue(cups: Cups, tmp_path: Path) -> list[str]:
    """A disabled printer with six jobs waiting: a real stuck queue."""
    cups.run("lpadmin", "-p", "stuck", "-E", "-v", "file:///dev/null")
    cups.run("cupsdisable", "-r", "paper jam", "stuck")
    document = tmp_path / "letter.txt"
    document.write_text("Dear printer,\n")
    for _ in range(6):
        cups.run("lp", "-d", "stuck", str(document))
    jobs = cups.jobs("stuck")
    assert len(jobs) == 6, jobs
    return jobs


def test_a_stopped_printer_with_waiting_jobs_is_found_and_cleared(
    library: Catalog, print_target: SshTarget, cups: Cups, stuck_queue: list[str]
) -> None:
    runner = Runner(print_target.executor)
    found = checks_by_id(runner.run(library.get("printers")))["printers:stuck"]
    assert found.status == "fail"
    assert found.evidence["enabled"] is False
    assert sorted(found.evidence["jobs"]) == sorted(stuck_queue)
    assert found.repair == "clear_print_queue"
    assert "stopped (6 jobs waiting)" in found.explanation["en"]

    outcome = runner.run_change(library.get("clear_print_queue"), {"printer": "stuck"}, library, Approve())

    assert outcome.repair.run_status == "completed", (outcome.repair.error, outcome.repair.stderr_tail)
    assert sorted(outcome.repair.checks[0].evidence["cancelled"]) == sorted(stuck_queue)
    assert [c.status for c in outcome.before if c.id == "printers:stuck"] == ["fail"]
    assert [c.status for c in outcome.after if c.id == "printers:stuck"] == ["ok"]
    assert outcome.verified
    assert cups.jobs("stuck") == []
    assert "enabled" in cups.run("lpstat", "-p", "stuck").stdout


def test_a_refused_clear_leaves_the_queue_alone(
    library: Catalog, print_target: SshTarget, cups: Cups, stuck_queue: list[str]
) -> None:
    outcome = Runner(print_target.executor).run_change(
        library.get("clear_print_queue"), {"printer": "stuck"}, library, RefuseAll()
    )
    assert outcome.repair.run_status == "refused"
    assert sorted(cups.jobs("stuck")) == sorted(stuck_queue)


def test_a_busy_queue_on_a_working_printer_warns(library: Catalog, print_target: SshTarget, cups: Cups) -> None:
    # Jobs held by the user stay queued on an enabled printer: more than stuck_jobs of them is a warning.
    cups.run("lpadmin", "-p", "busy", "-E", "-v", "file:///dev/null")
    for _ in range(3):
        cups.run("lp", "-d", "busy", "-H", "hold", "/etc/hostname")
    result = Runner(print_target.executor).run(library.get("printers"), {"stuck_jobs": 3})
    check = checks_by_id(result)["printers:busy"]
    assert check.status == "warning", check.finding
    assert check.evidence["enabled"] is True and len(check.evidence["jobs"]) == 3


@pytest.fixture
def ipp_listener() -> Iterator[int]:
    """Something that accepts TCP connections where the new printer is said to be."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_add_a_network_printer_and_remove_it_again(
    library: Catalog, print_target: SshTarget, cups: Cups, ipp_listener: int
) -> None:
    runner = Runner(print_target.executor)
    uri = f"ipp://127.0.0.1:{ipp_listener}/ipp/print"
    added = runner.run_change(
        library.get("add_network_printer"),
        {"name": "frontdesk", "uri": uri, "model": "raw", "location": "Reception"},
        library,
        Approve(),
    )

    assert added.repair.run_status == "completed", (added.repair.error, added.repair.stderr_tail)
    assert added.repair.checks[0].status == "ok", added.repair.checks[0].finding
    assert [c.status for c in added.after if c.id == "printers:frontdesk"] == ["ok"]
    assert "printers:frontdesk" not in {c.id for c in added.before}
    assert uri in cups.run("lpstat", "-v", "frontdesk").stdout

    removed = runner.run_change(library.get("remove_printer"), {"name": "frontdesk"}, library, Approve())
    assert removed.repair.checks[0].status == "ok"
    assert "printers:frontdesk" not in {c.id for c in removed.after}
    assert cups.run("lpstat", "-v", "frontdesk", check=False).returncode != 0


def test_adding_a_printer_that_does_not_answer_warns(library: Catalog, print_target: SshTarget, cups: Cups) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        outcome = Runner(print_target.executor).run_change(
            library.get("add_network_printer"),
            {"name": "ghost", "uri": f"ipp://127.0.0.1:{port}/ipp/print", "model": "raw"},
            library,
            Approve(),
        )
    check = outcome.repair.checks[0]
    assert check.status == "warning", check.finding
    assert check.explain_key == "unreachable"
    assert check.evidence["reachable"] is False


def test_a_scheduler_that_does_not_run_is_a_finding(
    library: Catalog, sshd_factory: SshServerFactory, client_key: KeyPair, tmp_path: Path
) -> None:
    target = _target(sshd_factory, client_key, tmp_path / "ssh", tmp_path / "no-cupsd.sock")
    try:
        result = Runner(target.executor).run(library.get("printers"))
    finally:
        target.connection.close()
    check = checks_by_id(result)["printers"]
    assert check.status == "fail", check.finding
    assert check.explain_key == "cups_down"
