"""``pending_updates`` reads apt's own candidate versions (``apt-cache policy``) instead of running the solver.

Two real checks: on this machine its answer matches what ``apt-get -s dist-upgrade`` would upgrade, and in a
private apt root (real repositories on disk, fetched by a real ``apt-get update``) it honours security
suites, holds, pin priorities and epochs.
"""

from __future__ import annotations

import hashlib
import subprocess
import textwrap
from pathlib import Path

import pytest

from app.diagnostics.catalog import Catalog
from app.diagnostics.runner import Runner
from tests.diagnostics.conftest import SshTarget, checks_by_id

pytestmark = pytest.mark.sshd

APT_OPTIONS = ["-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root"]


def _installed_packages() -> set[str]:
    listing = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${Status}\n"], capture_output=True, text=True, check=True
    ).stdout
    return {line.split("\t")[0] for line in listing.splitlines() if line.endswith(" installed")}


def test_matches_what_apt_get_would_upgrade_on_this_machine(library: Catalog, ssh_target: SshTarget) -> None:
    simulated = subprocess.run(
        ["apt-get", "-s", *APT_OPTIONS, "dist-upgrade"],
        capture_output=True,
        text=True,
        check=True,
        env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    ).stdout
    installed = _installed_packages()
    # dist-upgrade also installs new dependencies; only upgrades of installed packages are "pending updates".
    inst_lines = [line.split() for line in simulated.splitlines() if line.startswith("Inst ")]
    expected = {parts[1] for parts in inst_lines if parts[1] in installed}
    expected_security = {parts[1] for parts in inst_lines if parts[1] in installed and "security" in " ".join(parts)}

    result = Runner(ssh_target.executor).run(library.get("pending_updates"))

    assert result.run_status == "completed", (result.error, result.stderr_tail)
    check = checks_by_id(result)["pending_updates"]
    assert check.evidence["count"] == len(expected)
    if len(expected) <= 200:
        assert set(check.evidence["updates"]) == expected
        assert set(check.evidence["security"]) == expected_security
    assert check.status == ("warning" if expected_security or len(expected) >= 50 else "ok")


def _package(name: str, version: str) -> str:
    return textwrap.dedent(
        f"""\
        Package: {name}
        Version: {version}
        Architecture: all
        Maintainer: Test <test@example.invalid>
        Filename: pool/{name}_{version.replace(":", "%3a")}_all.deb
        Size: 1000
        Description: test package {name}

        """
    )


def _repository(base: Path, suite: str, packages: list[tuple[str, str]], arch: str) -> None:
    """A real apt repository on disk (dists/<suite>/Release with hashes, main/binary-<arch>/Packages)."""
    index = base / "dists" / suite / "main" / f"binary-{arch}" / "Packages"
    index.parent.mkdir(parents=True)
    index.write_text("".join(_package(name, version) for name, version in packages))
    data = index.read_bytes()
    relative = f"main/binary-{arch}/Packages"
    (base / "dists" / suite / "Release").write_text(
        f"Origin: Test\nLabel: Test\nSuite: {suite}\nCodename: {suite}\n"
        f"Date: Sat, 01 Jan 2000 00:00:00 UTC\nArchitectures: {arch} all\nComponents: main\n"
        f"SHA256:\n {hashlib.sha256(data).hexdigest()} {len(data)} {relative}\n"
    )


def _status(packages: list[tuple[str, str, str]]) -> str:
    return "".join(
        f"Package: {name}\nStatus: {want} ok installed\nPriority: optional\nVersion: {version}\n"
        f"Architecture: all\nMaintainer: Test <test@example.invalid>\nDescription: test package {name}\n\n"
        for name, version, want in packages
    )


@pytest.fixture
def apt_root(tmp_path: Path) -> Path:
    """A private apt root: a main and a security repository, a dpkg status with holds, a pin preference."""
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    repos = tmp_path / "repos"
    _repository(
        repos / "debian",
        "stable",
        [("editor", "2.0-1"), ("held-tool", "3.0-1"), ("pinned-lib", "5.0-1"), ("old-epoch", "9.0-1"), ("same", "1.0")],
        arch,
    )
    _repository(repos / "debian-security", "stable-security", [("openssl-like", "1.1-1+deb1u1")], arch)
    root = tmp_path / "root"
    for folder in ("etc/apt/apt.conf.d", "etc/apt/preferences.d", "var/lib/dpkg", "var/lib/apt/lists/partial"):
        (root / folder).mkdir(parents=True)
    (root / "var/cache/apt/archives/partial").mkdir(parents=True)
    (root / "etc/apt/sources.list").write_text(
        f"deb [trusted=yes] file:{repos / 'debian'} stable main\n"
        f"deb [trusted=yes] file:{repos / 'debian-security'} stable-security main\n"
    )
    # Pinned below the installed version's priority (100): apt keeps the installed version.
    (root / "etc/apt/preferences.d/pin").write_text("Package: pinned-lib\nPin: release a=stable\nPin-Priority: 50\n")
    (root / "var/lib/dpkg/status").write_text(
        _status(
            [
                ("editor", "1.0-1", "install"),
                ("openssl-like", "1.1-1", "install"),
                ("held-tool", "2.0-1", "hold"),
                ("pinned-lib", "4.0-1", "install"),
                ("old-epoch", "1:1.0-1", "install"),  # the epoch makes the installed version newer than 9.0-1
                ("same", "1.0", "install"),
            ]
        )
    )
    done = subprocess.run(
        ["apt-get", "-o", f"Dir={root}", *APT_OPTIONS, "update"],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )
    if done.returncode != 0 or not list((root / "var/lib/apt/lists").glob("*_Packages*")):
        pytest.fail(f"apt-get update of the test repositories failed: {done.stdout}{done.stderr}")
    return root


def test_security_holds_pins_and_epochs_in_a_private_apt_root(
    library: Catalog, ssh_target: SshTarget, apt_root: Path
) -> None:
    result = Runner(ssh_target.executor).run(library.get("pending_updates"), {"root": str(apt_root)})

    assert result.run_status == "completed", (result.error, result.stderr_tail)
    check = checks_by_id(result)["pending_updates"]
    assert sorted(check.evidence["updates"]) == ["editor", "openssl-like"]
    assert check.evidence["security"] == ["openssl-like"]
    assert check.evidence["held"] == ["held-tool"]
    assert check.status == "warning"
    assert check.explain_key == "security"
    assert "1 security updates (of 2)" in check.explanation["en"]


def test_no_package_lists_is_a_warning_not_up_to_date(library: Catalog, ssh_target: SshTarget, apt_root: Path) -> None:
    for index in (apt_root / "var/lib/apt/lists").glob("*_Packages*"):
        index.unlink()

    result = Runner(ssh_target.executor).run(library.get("pending_updates"), {"root": str(apt_root)})

    check = checks_by_id(result)["pending_updates"]
    assert check.status == "warning"
    assert check.explain_key == "unknown"


def _system_cache_is_off() -> bool:
    shell = subprocess.run(["apt-config", "shell", "C", "Dir::Cache::pkgcache/f"], capture_output=True, text=True)
    return shell.stdout.strip() == "C=''"


def test_the_private_apt_cache_is_reused_and_never_stale(
    library: Catalog, ssh_target: SshTarget, apt_root: Path
) -> None:
    if not _system_cache_is_off():
        pytest.skip("this machine keeps apt's system cache; the script uses it and makes none of its own")
    runner = Runner(ssh_target.executor)
    script = library.get("pending_updates")
    first = checks_by_id(runner.run(script, {"root": str(apt_root)}))["pending_updates"]
    caches = list((ssh_target.server.root / "home" / ".cache" / "podpora").glob("apt-*/pkgcache.bin"))
    assert len(caches) == 1  # the sessions' HOME is the sshd's scratch home
    built = caches[0].stat().st_mtime_ns
    assert sorted(first.evidence["updates"]) == ["editor", "openssl-like"]

    again = checks_by_id(runner.run(script, {"root": str(apt_root)}))["pending_updates"]
    assert again.evidence == first.evidence
    assert caches[0].stat().st_mtime_ns == built  # reused, not rebuilt

    # The user installs the editor update: apt notices the changed status and the answer follows.
    status = apt_root / "var/lib/dpkg/status"
    entries = status.read_text().split("\n\n")
    entries = [e.replace("Version: 1.0-1", "Version: 2.0-1") if "Package: editor\n" in e else e for e in entries]
    status.write_text("\n\n".join(entries))
    after = checks_by_id(runner.run(script, {"root": str(apt_root)}))["pending_updates"]
    assert after.evidence["updates"] == ["openssl-like"]
