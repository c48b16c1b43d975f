"""Shared fixtures: real sshd servers, a real X display, offscreen Qt, isolated Podpora folders.

Every fixture that needs an external program starts it itself and fails loudly when it cannot.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

# Qt must never try to open a real display in widget tests (without this the qapp fixture aborts).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests.helpers.sshd import KeyPair, SshServerFactory
from tests.helpers.xvfb import VirtualDisplay, start_xvfb


@pytest.fixture(autouse=True)
def podpora_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point Podpora's config, data and cache folders into the test's own temporary folder."""
    home = tmp_path / "podpora-home"
    monkeypatch.setenv("PODPORA_HOME", str(home))
    # A real /etc/podpora/assist.toml on a developer's machine must not leak into tests.
    monkeypatch.setenv("PODPORA_ORG_CONFIG", str(tmp_path / "no-org-config" / "assist.toml"))
    # Never talk to a real ssh-agent of whoever runs the tests unless a test starts its own.
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    return home


@pytest.fixture(autouse=True)
def collect_garbage_on_the_main_thread() -> Iterator[None]:
    """After each test, collect its cyclic garbage here, on the main (GUI) thread.

    Otherwise a later test's worker thread may run the collector and destroy this test's Qt objects there, which
    Qt does not allow (it crashed a run once).  A test that started the product's GUI-thread collector
    (``start_qt``) leaves automatic collection switched off; it is switched back on for the next test.

    What survives the collection is moved to the permanent generation (``gc.freeze``): the next test's
    collection then scans only the objects made since, instead of the whole heap of every module and fixture
    loaded so far (a full scan after each of 1,100 tests cost minutes).  Frozen objects that become garbage later
    are never collected, which only costs a test process some memory.
    """
    yield
    qt_widgets = sys.modules.get("PySide6.QtWidgets")
    application = qt_widgets.QApplication.instance() if qt_widgets is not None else None
    if application is not None and "app.ui.application" in sys.modules:
        from app.ui.application import GuiThreadGarbageCollector

        for collector in application.findChildren(GuiThreadGarbageCollector):
            collector.setParent(None)
            collector.deleteLater()
    gc.enable()
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def fail_on_unexpected_log_warnings(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test when Podpora logs a WARNING or worse that the test did not declare.

    A test that expects warnings marks itself ``@pytest.mark.expect_log_warnings``.
    """
    caplog.set_level(logging.WARNING, logger="app")
    yield
    if request.node.get_closest_marker("expect_log_warnings"):
        return
    unexpected = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING and r.name.startswith("app")]
    if unexpected:
        lines = "\n".join(f"{r.name} {r.levelname}: {r.getMessage()}" for r in unexpected)
        pytest.fail(f"unexpected log warnings:\n{lines}")


def pytest_configure(config: pytest.Config) -> None:
    """Register markers used by the fixtures."""
    config.addinivalue_line("markers", "expect_log_warnings: the test expects app.* to log warnings")


@pytest.fixture
def sshd_factory(tmp_path: Path) -> Iterator[SshServerFactory]:
    """Start any number of real OpenSSH servers on 127.0.0.1; all are stopped after the test."""
    factory = SshServerFactory(tmp_path / "sshd")
    yield factory
    factory.stop_all()


@pytest.fixture
def client_key(tmp_path: Path) -> KeyPair:
    """A fresh unencrypted Ed25519 client key."""
    return KeyPair.generate(tmp_path / "client" / "id_ed25519")


@pytest.fixture(scope="session")
def xvfb() -> Iterator[VirtualDisplay]:
    """A real X server for the whole test session (1280×800×24)."""
    display = start_xvfb()
    yield display
    display.stop()
