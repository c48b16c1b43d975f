"""``needs_admin`` scripts through a sudo that asks for a password, for real.

A dedicated non-root account with a password and a sudoers rule that requires it logs in through a private
sshd; the runner asks a prompt callback for the password and hands it to ``sudo -S`` on the exec channel's
stdin.  The password never shows up in any process's argv or environment, the result, the logs or sshd's log.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.cli.diag import SshExecutor
from app.diagnostics.runner import PasswordRequest, RunControl, Runner
from app.remote.ssh import ConnectOptions, SshConnection, connect
from tests.diagnostics.conftest import ScriptFolder, wait_for_processes_with, wait_until_gone
from tests.helpers.sshd import KeyPair, SshServer, SshServerFactory

pytestmark = pytest.mark.sshd


def add_admin(scripts: ScriptFolder, script_id: str, body: str) -> None:
    """A signed test script with ``needs_admin = true``."""
    manifest = scripts.add(script_id, body, sign=False)
    manifest.write_text(manifest.read_text().replace("needs_admin = false", "needs_admin = true"))
    scripts.sign(manifest)


@dataclass
class SudoAccount:
    """A throwaway local account whose sudo rule requires its password."""

    name: str
    password: str


ACCOUNT_TOOL_TIMEOUT = 60


def _account_tool(argv: list[str], what: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run useradd/chpasswd/userdel; a hang (the account database locked, /dev/log not read) fails loudly."""
    try:
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=ACCOUNT_TOOL_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"{what} did not finish within {ACCOUNT_TOOL_TIMEOUT} s: another process holds the account database "
            "lock (/etc/.pwd.lock), or whatever listens on /dev/log does not read (shadow-utils and PAM log there)"
        )


def _pids_of(uid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        real = next((line.split()[1] for line in status.splitlines() if line.startswith("Uid:")), None)
        if real == str(uid):
            found.append(int(entry.name))
    return found


def _remove_account(name: str) -> None:
    """Kill what the account still runs (sshd sessions), wait until it is gone, then delete the account."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    for _ in range(3):
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True, timeout=30)
        left = wait_until_gone(_pids_of(uid), 10)
        done = _account_tool(["userdel", "--remove", name], "userdel")
        if done.returncode in (0, 6, 12):  # removed; no such user; removed but the home was not empty
            return
        if done.returncode != 8:  # 8: still logged in (a session process had not gone yet): kill again
            break
    pytest.fail(f"the test account {name} could not be removed: {done.stderr.strip()} (left: {left})")


def _sudo_rule(name: str, rule: str) -> None:
    """Install ``rule`` as the account's sudoers file, checked by visudo first."""
    path = Path("/etc/sudoers.d") / f"podpora-test-{name}"
    staged = path.with_name(path.name + ".new")
    staged.write_text(f"Defaults:{name} !lecture\n{rule}\n")
    os.chmod(staged, 0o440)
    checked = subprocess.run(["visudo", "-c", "-f", str(staged)], capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        staged.unlink()
        pytest.fail(f"the test sudoers rule is invalid: {checked.stdout}{checked.stderr}")
    staged.rename(path)


@pytest.fixture(scope="module")
def sudo_account() -> Iterator[SudoAccount]:
    """One account for the module (creating accounts is slow); its rule requires the password."""
    if os.geteuid() != 0:
        pytest.fail("the sudo tests create a local account and must run as root")
    for tool in ("sudo", "useradd", "userdel", "chpasswd", "visudo", "pkill"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (scripts/setup installs sudo)")
    name = "pdsudo" + secrets.token_hex(4)
    password = "Pw-" + secrets.token_urlsafe(12)
    rule = Path("/etc/sudoers.d") / f"podpora-test-{name}"
    created = _account_tool(["useradd", "--create-home", "--shell", "/bin/sh", name], "useradd")
    if created.returncode != 0:
        pytest.fail(f"cannot create the test account {name}: {created.stderr.strip()}")
    try:
        changed = _account_tool(["chpasswd"], "chpasswd", stdin=f"{name}:{password}\n")
        if changed.returncode != 0:
            pytest.fail(f"cannot set the test account's password: {changed.stderr.strip()}")
        _sudo_rule(name, PASSWORD_RULE.format(name=name))
        yield SudoAccount(name, password)
    finally:
        rule.unlink(missing_ok=True)
        rule.with_name(rule.name + ".new").unlink(missing_ok=True)
        _remove_account(name)


PASSWORD_RULE = "{name} ALL=(ALL:ALL) ALL"


@dataclass
class UserTarget:
    """The private sshd, logged into as the test account."""

    server: SshServer
    connection: SshConnection
    executor: SshExecutor


@pytest.fixture
def user_target(
    sudo_account: SudoAccount, sshd_factory: SshServerFactory, client_key: KeyPair, tmp_path: Path
) -> Iterator[UserTarget]:
    # sshd reads authorized_keys as the logging-in user, who cannot enter the test's private folders: the
    # account gets its own file in its home (the folders the fixture made are root's, mode 0700).
    home = Path(pwd.getpwnam(sudo_account.name).pw_dir)
    keys = home / ".ssh" / "authorized_keys"
    keys.parent.mkdir(mode=0o700, exist_ok=True)
    keys.write_text(client_key.public_line + "\n")
    shutil.chown(keys.parent, sudo_account.name)
    shutil.chown(keys, sudo_account.name)
    server = sshd_factory.start(
        authorized_keys=[],
        extra_config=f"MaxSessions 64\nMatch User {sudo_account.name}\n  AuthorizedKeysFile {keys}\n",
    )
    known = tmp_path / "known_hosts"
    known.write_text(server.known_hosts_line() + "\n")
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host box\n  HostName 127.0.0.1\n  Port {server.port}\n  User {sudo_account.name}\n"
        f"  IdentityFile {client_key.path}\n  IdentitiesOnly yes\n  UserKnownHostsFile {known}\n"
        "  StrictHostKeyChecking yes\n"
    )
    options = ConnectOptions(
        config_path=config, known_hosts_paths=[known], use_agent=False, own_known_hosts=tmp_path / "own_known"
    )
    connection = connect("box", options)
    try:
        yield UserTarget(server, connection, SshExecutor(connection, "box"))
    finally:
        connection.close()


class Prompt:
    """Answers the password prompt from a list and records what it was asked (thread-safe)."""

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.requests: list[PasswordRequest] = []
        self.lock = threading.Lock()

    def __call__(self, request: PasswordRequest) -> str | None:
        with self.lock:
            self.requests.append(request)
            return self.answers.pop(0) if self.answers else None


#: Reports who it runs as and every command line and environment of its own process tree up to sshd.
WHOAMI = """
pid, lines = os.getpid(), []
while pid > 1:
    with open("/proc/%d/cmdline" % pid, "rb") as handle:
        lines.append(handle.read().replace(b"\\0", b" ").decode("utf-8", "replace"))
    with open("/proc/%d/environ" % pid, "rb") as handle:
        lines.append(handle.read().replace(b"\\0", b" ").decode("utf-8", "replace"))
    with open("/proc/%d/stat" % pid) as handle:
        pid = int(handle.read().rsplit(")", 1)[1].split()[1])
    if lines[-2].startswith("sshd"):
        break
emit("check", id=P["id"], status="ok", finding="euid %d" % os.geteuid(), evidence={"euid": os.geteuid(), "tree": lines})
emit("done")
"""


def _admin_scripts(scripts: ScriptFolder, *ids: str) -> None:
    for script_id in ids:
        add_admin(scripts, script_id, f"P['id'] = {script_id!r}\n" + WHOAMI)


def test_the_password_is_asked_once_and_reaches_sudo_only_on_stdin(
    scripts: ScriptFolder, user_target: UserTarget, sudo_account: SudoAccount, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    _admin_scripts(scripts, "admin_one", "admin_two", "admin_three")
    catalog = scripts.catalog()
    prompt = Prompt(sudo_account.password)
    runner = Runner(user_target.executor, sudo_password=prompt)

    results = runner.run_many([catalog.get(i) for i in ("admin_one", "admin_two", "admin_three")])

    assert [r.run_status for r in results] == ["completed"] * 3, [(r.error, r.stderr_tail) for r in results]
    assert [r.checks[0].evidence["euid"] for r in results] == [0, 0, 0]
    assert prompt.requests == [PasswordRequest("box", 1, False)]  # parallel scripts share one answer
    trees = " ".join(line for r in results for line in r.checks[0].evidence["tree"])
    assert "sudo -S -k -p  -- setsid" in trees  # the tree really went through sudo -S ...
    assert sudo_account.password not in trees  # ... and the password is in no argv or environment
    document = json.dumps([r.to_dict() for r in results])
    assert sudo_account.password not in document
    assert sudo_account.password not in caplog.text
    assert sudo_account.password not in user_target.server.log_text()

    # A later batch reuses the accepted password without asking again.
    again = runner.run(catalog.get("admin_one"))
    assert again.run_status == "completed" and len(prompt.requests) == 1


def test_a_wrong_password_is_asked_again_then_refused_in_plain_words(
    scripts: ScriptFolder, user_target: UserTarget, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    add_admin(
        scripts,
        "admin_touch",
        f"open({str(marker)!r}, 'w').close()\n"
        "emit('check', id='admin_touch', status='ok', finding='x')\nemit('done')\n",
    )
    prompt = Prompt("wrong-1", "wrong-2", "wrong-3")
    runner = Runner(user_target.executor, sudo_password=prompt)

    result = runner.run(scripts.catalog().get("admin_touch"))

    assert result.run_status == "error"
    assert result.error == "the administrator (sudo) password was not accepted"
    assert [(r.attempt, r.previous_wrong) for r in prompt.requests] == [(1, False), (2, True), (3, True)]
    assert not marker.exists()
    assert "wrong-" not in json.dumps(result.to_dict())


def test_a_declined_prompt_refuses_every_admin_script_of_the_batch_once(
    scripts: ScriptFolder, user_target: UserTarget, sudo_account: SudoAccount
) -> None:
    _admin_scripts(scripts, "admin_one", "admin_two")
    scripts.add("plain", "emit('check', id='plain', status='ok', finding='no admin')\nemit('done')\n")
    catalog = scripts.catalog()
    prompt = Prompt(None, sudo_account.password)
    runner = Runner(user_target.executor, sudo_password=prompt)

    first = runner.run_many([catalog.get("admin_one"), catalog.get("admin_two"), catalog.get("plain")])

    assert [r.run_status for r in first] == ["error", "error", "completed"]
    assert first[0].error == "administrator rights are needed, and no sudo password was given"
    assert len(prompt.requests) == 1
    # The next batch asks afresh.
    second = runner.run(catalog.get("admin_one"))
    assert second.run_status == "completed", second.error
    assert len(prompt.requests) == 2


def test_without_a_prompt_the_run_says_sudo_wants_a_password(scripts: ScriptFolder, user_target: UserTarget) -> None:
    _admin_scripts(scripts, "admin_one")
    result = Runner(user_target.executor).run(scripts.catalog().get("admin_one"))
    assert result.run_status == "error"
    assert result.error == "administrator rights are needed, and sudo asks for a password on that computer"


def test_cancel_of_an_admin_script_run_with_a_password_leaves_nothing_running(
    scripts: ScriptFolder, user_target: UserTarget, sudo_account: SudoAccount
) -> None:
    token = "podpora-sudo-sleeper-" + secrets.token_hex(4)
    add_admin(
        scripts,
        "admin_sleep",
        f"""
        import subprocess
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", {token!r}])
        emit("progress", percent=10, message="child %d" % child.pid)
        child.wait()
        """,
    )
    runner = Runner(user_target.executor, sudo_password=Prompt(sudo_account.password))
    control = RunControl()
    started = threading.Event()

    def on_event(event: object) -> None:
        started.set()

    thread = threading.Thread(
        target=lambda: results.append(
            runner.run(scripts.catalog().get("admin_sleep"), control=control, on_event=on_event)
        )
    )
    results: list = []
    thread.start()
    assert started.wait(30), "the admin script never started"
    running = wait_for_processes_with(token)
    assert running, "the sleeping child is not running"
    control.cancel()
    thread.join(30)
    assert results and results[0].run_status == "cancelled"
    assert wait_until_gone(running, 10) == []


def test_a_nopasswd_rule_is_used_without_asking_and_an_unasked_password_never_reaches_the_script(
    scripts: ScriptFolder, user_target: UserTarget, sudo_account: SudoAccount
) -> None:
    _sudo_rule(sudo_account.name, f"{sudo_account.name} ALL=(ALL:ALL) NOPASSWD: ALL")
    try:
        _nopasswd_checks(scripts, user_target, sudo_account)
    finally:
        _sudo_rule(sudo_account.name, PASSWORD_RULE.format(name=sudo_account.name))


def _nopasswd_checks(scripts: ScriptFolder, user_target: UserTarget, sudo_account: SudoAccount) -> None:
    _admin_scripts(scripts, "admin_one")
    script = scripts.catalog().get("admin_one")
    prompt = Prompt(sudo_account.password)

    plain = Runner(user_target.executor, sudo_password=prompt).run(script)
    assert plain.run_status == "completed", (plain.error, plain.stderr_tail)
    assert plain.checks[0].evidence["euid"] == 0
    assert prompt.requests == []
    assert "sudo -n setsid" in " ".join(plain.checks[0].evidence["tree"])

    # Were a password sent while sudo does not ask for it (the rule changed between check and run), the
    # bootstrap drops it before the marker line: the script runs and the password appears nowhere.
    runner = Runner(user_target.executor)
    runner.admin_access._mode, runner.admin_access._password = "password", sudo_account.password.encode()
    unasked = runner.run(script)
    assert unasked.run_status == "completed", (unasked.error, unasked.stderr_tail)
    assert "sudo -S -k -p  -- setsid" in " ".join(unasked.checks[0].evidence["tree"])
    assert sudo_account.password not in json.dumps(unasked.to_dict())


# -- the console's password dialog ---------------------------------------------------------------------------


def test_the_console_asks_in_a_password_dialog_and_the_admin_script_runs(
    qtbot: Any, scripts: ScriptFolder, user_target: UserTarget, sudo_account: SudoAccount
) -> None:
    from PySide6.QtWidgets import QLineEdit

    from app.ui.diagnostics_wiring import gui_sudo_prompt

    _admin_scripts(scripts, "admin_one")
    prompt = gui_sudo_prompt()
    assert prompt is not None
    asker = prompt.asker
    runner = Runner(user_target.executor, sudo_password=prompt)
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(runner.run(scripts.catalog().get("admin_one"))))
    worker.start()

    # First a wrong password: the dialog comes back saying so.
    qtbot.waitUntil(lambda: len(asker.open_dialogs) == 1, timeout=30000)
    dialog = asker.open_dialogs[0]
    assert dialog.textEchoMode() == QLineEdit.EchoMode.Password
    assert "box" in dialog.labelText()
    dialog.setTextValue("not-the-password")
    dialog.accept()
    qtbot.waitUntil(lambda: len(asker.open_dialogs) == 1 and asker.open_dialogs[0] is not dialog, timeout=30000)
    again = asker.open_dialogs[0]
    assert "not accepted" in again.labelText()
    again.setTextValue(sudo_account.password)
    again.accept()

    qtbot.waitUntil(lambda: bool(results), timeout=30000)
    worker.join(10)
    assert results[0].run_status == "completed", (results[0].error, results[0].stderr_tail)
    assert results[0].checks[0].evidence["euid"] == 0
    assert again.textValue() == ""  # the dialog does not keep the password


def test_closing_the_password_dialog_refuses_the_admin_scripts(
    qtbot: Any, scripts: ScriptFolder, user_target: UserTarget
) -> None:
    from app.ui.console.diagnostics_panel import SudoPasswordAsker

    _admin_scripts(scripts, "admin_one")
    asker = SudoPasswordAsker()
    runner = Runner(user_target.executor, sudo_password=lambda r: asker.ask(r.host, r.previous_wrong))
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(runner.run(scripts.catalog().get("admin_one"))))
    worker.start()
    qtbot.waitUntil(lambda: len(asker.open_dialogs) == 1, timeout=30000)
    asker.open_dialogs[0].reject()
    qtbot.waitUntil(lambda: bool(results), timeout=30000)
    worker.join(10)
    assert results[0].run_status == "error"
    assert results[0].error == "administrator rights are needed, and no sudo password was given"


def test_the_asker_made_on_a_worker_lives_on_the_gui_thread_and_never_blocks_it(qtbot: Any) -> None:
    from PySide6.QtCore import QCoreApplication

    from app.ui.console.diagnostics_panel import SudoPasswordAsker

    made: list[SudoPasswordAsker] = []
    maker = threading.Thread(target=lambda: made.append(SudoPasswordAsker()))
    maker.start()
    maker.join(10)
    assert made[0].thread() is QCoreApplication.instance().thread()  # type: ignore[union-attr]
    assert made[0].ask("box", False) is None  # asked on the GUI thread itself: no dialog, no deadlock
    assert made[0].open_dialogs == []


def test_cancel_while_the_password_is_asked_starts_nothing(
    scripts: ScriptFolder, user_target: UserTarget, sudo_account: SudoAccount, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    add_admin(
        scripts,
        "admin_touch",
        f"open({str(marker)!r}, 'w').close()\n"
        "emit('check', id='admin_touch', status='ok', finding='x')\nemit('done')\n",
    )
    control = RunControl()

    def prompt(request: PasswordRequest) -> str:
        control.cancel()  # the technician pressed Cancel on the run while the dialog was open
        return sudo_account.password

    result = Runner(user_target.executor, sudo_password=prompt).run(
        scripts.catalog().get("admin_touch"), control=control
    )
    assert result.run_status == "cancelled"
    assert not marker.exists()
