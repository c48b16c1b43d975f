"""packaging/build.py end to end: the wheel in a clean venv, and the PyInstaller bundle as a .deb.

CI runs the wheel test (build, clean venv, ``--version``, both apps offscreen, the T28 planted-module check;
under a minute).  The bundle takes 1.5 minutes on its own, so the .deb test runs only when
``PODPORA_TEST_BUNDLE=1`` is set; the full ``build.py deb`` (xz-compressed, installed on this machine with
apt-get, then purged; about 4 minutes) is the release command (docs/install.md).  The .deb test builds the
same bundle and package tree with ``--compression none`` and installs it into an empty dpkg root, which
checks everything but the compression and the host's dependency resolution.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app import __version__

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "packaging" / "linux"


def check_smoke(smoke: dict[str, Any]) -> None:
    """The built ``podpora`` ran, and the console and Get Help apps started offscreen from it."""
    assert smoke["version"]["median_s"] > 0
    assert {"console", "assist"} <= set(smoke["subcommands"]), smoke["subcommands"]
    for app_name in ("console", "assist"):
        assert smoke[app_name]["started"], smoke[app_name]
        assert smoke[app_name]["median_s"] > 0


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_wheel_installs_into_a_clean_venv_and_runs(run_build: Callable[..., dict[str, Any]], tmp_path: Path) -> None:
    report = run_build("wheel")
    wheel = tmp_path / "dist" / f"podpora-{__version__}-py3-none-any.whl"
    assert wheel.is_file()
    assert (tmp_path / "dist" / f"podpora-{__version__}.tar.gz").is_file()
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(f"podpora-{__version__}.dist-info/entry_points.txt").decode()
    assert {"app/__init__.py", "app/cli/__init__.py", "app/launcher.py", "app/orgconfig.py", "app/py.typed"} <= names
    # Every installed command enters through the isolating launcher (T28).
    assert "podpora = app.launcher:main" in entry_points
    assert "podpora-console = app.launcher:console_main" in entry_points
    assert "podpora-assist = app.launcher:assist_main" in entry_points
    assert not any(name.startswith("tests/") for name in names)
    # resources/ travels as app.resources: the signed script library, its key and the compiled translations.
    assert "app/resources/keys/podpora-scripts.pub" in names
    assert any(name.startswith("app/resources/scripts/linux/") and name.endswith(".sig") for name in names)
    assert {"app/resources/translations/podpora_cs.qm", "app/resources/translations/podpora_sk.qm"} <= names
    assert report["wheel_has_resources"] is True
    assert report["clean_venv_packages"] > 10  # the declared dependencies, installed by pip
    check_smoke(report["smoke"])
    # T28: the pip entry point re-ran Python isolated, so the planted paramiko was never imported.
    isolation = report["smoke"]["isolation"]
    assert isolation["exit_code"] == 6
    assert "workdir-paramiko" in isolation["control_plain_python_loaded"]  # `python -c`: the cwd comes first
    assert not {"workdir-paramiko", "pythonpath-paramiko"} & set(isolation["loaded"])


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.skipif(
    os.environ.get("PODPORA_TEST_BUNDLE") != "1", reason="the bundle takes minutes: set PODPORA_TEST_BUNDLE=1"
)
@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="dpkg --root needs root")
@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb (Debian/Ubuntu)")
def test_bundle_packs_into_a_deb_and_an_appdir_that_install_run_and_purge_cleanly(
    run_build: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    report = run_build("deb", "--compression", "none", "--install", "fresh-root")
    bundle = report["bundle"]
    check_smoke(bundle["smoke"])
    # Nothing the target must provide is missing from Depends: glibc, GL/EGL, xcb, wayland client only.
    system_libs = set(bundle["needed_from_system"])
    allowed_prefixes = (
        "ld-linux",
        "libc.so",
        "libm.so",
        "libdl.so",
        "libpthread.so",
        "librt.so",
        "libresolv.so",
        "libutil.so",
        "libEGL.so",
        "libGL.so",
        "libOpenGL.so",
        "libGLX.so",
        "libxcb.so",
        "libwayland-",
    )
    assert all(lib.startswith(allowed_prefixes) for lib in system_libs), system_libs
    # Unused Qt parts were kept out.
    largest = " ".join(bundle["largest_files_mib"])
    assert "WebEngine" not in largest and "Qml" not in largest

    deb = tmp_path / "dist" / Path(report["deb"]).name
    fields = {
        name: subprocess.run(
            ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
        ).stdout.strip()
        for name in ("Package", "Version", "Depends", "Installed-Size")
    }
    assert fields["Package"] == "podpora"
    assert fields["Version"] == __version__
    assert fields["Depends"].startswith("libc6 (>= 2.")
    for library_package in ("libegl1", "libxkbcommon-x11-0", "libxcb-cursor0", "libdbus-1-3"):
        assert library_package in fields["Depends"]
    assert int(fields["Installed-Size"]) > 50_000  # KiB: the whole bundle is in there

    contents = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True)
    listing = contents.stdout
    assert "./usr/bin/podpora -> /opt/podpora/podpora" in listing
    for name in ("org.podpora.Console", "org.podpora.Assist"):
        assert f"./usr/share/applications/{name}.desktop" in listing
        assert f"./usr/share/metainfo/{name}.metainfo.xml" in listing
        assert f"./usr/share/icons/hicolor/scalable/apps/{name}.svg" in listing
        assert f"./usr/share/icons/hicolor/256x256/apps/{name}.png" in listing
    assert "./opt/podpora/_internal/" in listing
    assert " root/root " in listing and "/home/" not in listing  # --root-owner-group, no build paths

    install = report["install"]
    assert install["where"] == "fresh dpkg root"
    assert install["files_installed"] > 100
    assert install["files_left_after_purge"] == 0
    check_smoke(install["smoke"])
    # The installed frozen bundle: H.264 round trip with the codec stubs in place, and T28 isolation.
    for smoke in (bundle["smoke"], install["smoke"]):
        isolation = smoke["isolation"]
        assert isolation["loaded"] == []
        assert isolation["h264"]["frames"] == 3 and max(isolation["h264"]["mean_abs_error"]) < 12
        assert isolation["paramiko_from"].startswith(str(tmp_path))
    assert "libx265" in " ".join(bundle["stubbed_libraries"])
    # `sys.executable -m app.cli.demo_user` (the demo's helper process) works frozen; other modules are refused.
    assert bundle["smoke"]["helper_modules"] == {"app.cli.demo_user": "usage printed", "json.tool": "refused"}
    # The same bundle as an AppDir (the AppImage's contents), started through its AppRun.
    appimage = run_build("appimage", "--reuse-bundle")
    check_smoke(appimage["smoke"])
    assert appimage["smoke"]["isolation"]["loaded"] == []
    appdir = tmp_path / "dist" / "Podpora.AppDir"
    assert read_desktop_entry(appdir / "org.podpora.Console.desktop")["Icon"] == "org.podpora.Console"
    assert (appdir / "org.podpora.Console.png").is_file() and (appdir / ".DirIcon").is_symlink()
    assert bundle["icu_data"], "libicudata was not slimmed"
    assert all(icu["bytes_after"] < icu["bytes_before"] / 4 for icu in bundle["icu_data"].values())


def read_desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


@pytest.mark.parametrize(
    ("name", "title", "subcommand"),
    [("org.podpora.Console", "Podpora Console", "console"), ("org.podpora.Assist", "Podpora Get Help", "assist")],
)
def test_desktop_entries_start_the_right_app_in_three_languages(name: str, title: str, subcommand: str) -> None:
    entry = read_desktop_entry(LINUX / f"{name}.desktop")
    assert entry["Type"] == "Application"
    assert entry["Name"] == title
    assert entry["Exec"] == f"podpora {subcommand}"
    assert entry["Icon"] == name
    assert (REPO / "packaging" / "icons" / f"{name}.svg").is_file()
    for language in ("cs", "sk"):
        assert entry[f"Name[{language}]"] and entry[f"Comment[{language}]"]
    validator = shutil.which("desktop-file-validate")
    if validator:
        subprocess.run([validator, str(LINUX / f"{name}.desktop")], check=True)


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="needs appstreamcli (Debian package appstream)")
@pytest.mark.parametrize("name", ["org.podpora.Console", "org.podpora.Assist"])
def test_appstream_metainfo_is_valid(name: str, tmp_path: Path) -> None:
    text = (LINUX / f"{name}.metainfo.xml").read_text(encoding="utf-8").replace("@VERSION@", __version__)
    (tmp_path / f"{name}.metainfo.xml").write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(tmp_path / f"{name}.metainfo.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f'<launchable type="desktop-id">{name}.desktop</launchable>' in text


def test_postrm_removes_only_the_bundle_folder_under_dpkg_root(tmp_path: Path) -> None:
    """postrm honours $DPKG_ROOT and leaves user data and the organisation's /etc/podpora alone."""
    (tmp_path / "opt" / "podpora" / "_internal").mkdir(parents=True)
    (tmp_path / "opt" / "podpora" / "_internal" / "left-over").write_text("x")
    (tmp_path / "etc" / "podpora").mkdir(parents=True)
    (tmp_path / "etc" / "podpora" / "assist.toml").write_text('language = "cs"\n')
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DPKG_ROOT": str(tmp_path)}
    subprocess.run([str(LINUX / "deb-postrm"), "purge"], env=env, check=True)
    assert not (tmp_path / "opt" / "podpora").exists()
    assert (tmp_path / "opt").is_dir()
    assert (tmp_path / "etc" / "podpora" / "assist.toml").is_file()
    # Upgrades call postrm with "upgrade": the new version's files must stay.
    (tmp_path / "opt" / "podpora").mkdir()
    subprocess.run([str(LINUX / "deb-postrm"), "upgrade", "0.1.0"], env=env, check=True)
    assert (tmp_path / "opt" / "podpora").is_dir()


def test_windows_version_template_is_a_python_expression_once_filled() -> None:
    """PyInstaller eval()s the version resource file on Windows; it must be one valid expression."""
    import ast

    template = (REPO / "packaging" / "windows" / "version_info.txt").read_text(encoding="utf-8")
    filled = (
        template.replace("@VERSION_TUPLE@", "0, 1, 0, 0")
        .replace("@VERSION@", __version__)
        .replace("@NAME@", "podpora-assist")
        .replace("@DESCRIPTION@", "Podpora Get Help")
    )
    assert "@" not in filled
    tree = ast.parse(filled, mode="eval")
    assert isinstance(tree.body, ast.Call) and isinstance(tree.body.func, ast.Name)
    assert tree.body.func.id == "VSVersionInfo"
