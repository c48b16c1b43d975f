#!/usr/bin/env python3
"""Build Podpora's installable artefacts and smoke-test each one; figures are printed as JSON.

Usage (from anywhere; uses the Python that runs it, normally ``.venv/bin/python``)::

    .venv/bin/python packaging/build.py wheel          # sdist + wheel in dist/, installed into a clean venv
    .venv/bin/python packaging/build.py linux-bundle   # PyInstaller one-folder bundle in dist/podpora/
    .venv/bin/python packaging/build.py deb            # the bundle as dist/podpora_<version>_<arch>.deb,
                                                       # installed, started, purged (needs root)
    .venv/bin/python packaging/build.py appimage       # the bundle as dist/Podpora.AppDir (+ .AppImage
                                                       # when appimagetool is installed)
    .venv/bin/python packaging/build.py icons          # PNG/ICO renderings of packaging/icons/*.svg

Every target ends with a smoke test of what it built: ``podpora --version``, ``podpora --help`` and, when
the ``console``/``assist`` subcommands offer ``--smoke``, both apps started offscreen.  A failing smoke test
fails the target (exit code 1).  The last line on stdout is one JSON object with sizes and times.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import slim_bundle

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
DIST = REPO / "dist"
WORK = REPO / "build" / "packaging"
BUNDLE_NAME = "podpora"
DEB_PACKAGE = "podpora"
INSTALL_PREFIX = Path("/opt/podpora")
# Runtime libraries the Qt wheels load that are not bundled (ECOSYSTEM-FACTS §3(a)/(f)); libc6 is added with
# the newest GLIBC symbol version the bundle actually references.
DEB_DEPENDS = [
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xkb1",
    "libdbus-1-3",
    "libxcb1",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
]
ICON_NAMES = ("org.podpora.Console", "org.podpora.Assist")
PNG_SIZES = (16, 32, 48, 64, 128, 256)
SMOKE_TIMEOUT_S = 90.0


class BuildError(Exception):
    """A build step or smoke test failed; the message says which and why."""


def log(message: str) -> None:
    print(f"build: {message}", file=sys.stderr, flush=True)


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 1800.0,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv``, capture its output, and raise :class:`BuildError` with that output when it fails."""
    printable = " ".join(str(part) for part in argv)
    log(f"$ {printable[:300]}")
    try:
        result = subprocess.run(
            [str(part) for part in argv],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise BuildError(f"{printable} did not finish within {timeout:.0f} s") from error
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-4000:]
        raise BuildError(f"{printable} failed with exit code {result.returncode}:\n{tail}")
    return result


def project_version() -> str:
    """Read ``__version__`` from app/__init__.py without importing the package."""
    text = (REPO / "app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise BuildError("app/__init__.py has no __version__")
    return match.group(1)


def tree_size(path: Path) -> int:
    """Bytes in a file or folder (files only; symlinks not followed)."""
    if path.is_file():
        return path.stat().st_size
    return sum(item.lstat().st_size for item in path.rglob("*") if item.is_file() and not item.is_symlink())


def display_path(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (shorter reports), else absolute."""
    path = path.resolve()
    return str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


def mib(size: int) -> float:
    return round(size / (1024 * 1024), 1)


def smoke_env(home: Path) -> dict[str, str]:
    """Environment for a smoke run: offscreen Qt, throwaway Podpora folders, no organisation file."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PODPORA_HOME=str(home / "podpora-home"),
        PODPORA_ORG_CONFIG=str(home / "no-org-config.toml"),
        HOME=str(home),
    )
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def timed_run(argv: Sequence[str | os.PathLike[str]], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = run(argv, env=env, timeout=SMOKE_TIMEOUT_S)
    return time.perf_counter() - started, result.stdout + result.stderr


PLANTED_MODULES = ("paramiko", "sitecustomize", "usercustomize")


def plant_canaries(folder: Path, canaries: Path, where: str) -> None:
    """Put modules named like a dependency or a startup hook in ``folder``; each writes a canary if imported."""
    folder.mkdir(parents=True, exist_ok=True)
    for module in PLANTED_MODULES:
        canary = canaries / f"{where}-{module}"
        (folder / f"{module}.py").write_text(
            f"import pathlib\npathlib.Path({str(canary)!r}).write_text('loaded')\n", encoding="utf-8"
        )


def isolation_check(podpora: Sequence[str | os.PathLike[str]], env: dict[str, str], *, frozen: bool) -> dict[str, Any]:
    """SECURITY-BAR T28: code planted in the working directory or on ``$PYTHONPATH`` is never loaded.

    ``paramiko.py``, ``sitecustomize.py`` and ``usercustomize.py`` that write a canary are planted in the
    working directory and in a folder on ``$PYTHONPATH``; then a command that imports paramiko runs from
    there.  The frozen bundle runs ``--bundle-self-test``, which also proves H.264 encode and decode and
    reports where paramiko came from.  An installed wheel runs ``podpora check 127.0.0.1:1`` (paramiko
    loads, the connection is refused: exit code 6).  A control run of the venv's plain ``python -c "import
    paramiko"`` shows that the planted files do work when nothing isolates Python.
    """
    with tempfile.TemporaryDirectory(prefix="podpora-t28-") as scratch:
        root = Path(scratch)
        canaries = root / "canaries"
        canaries.mkdir()
        workdir, pythonpath = root / "workdir", root / "pythonpath"
        plant_canaries(workdir, canaries, "workdir")
        plant_canaries(pythonpath, canaries, "pythonpath")
        planted_env = dict(env, PYTHONPATH=str(pythonpath))
        command = ["--bundle-self-test"] if frozen else ["check", "127.0.0.1:1", "--no-agent"]
        result = subprocess.run(
            [str(part) for part in (*podpora, *command)],
            env=planted_env,
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=SMOKE_TIMEOUT_S,
            check=False,
        )
        loaded = sorted(path.name for path in canaries.iterdir())
        report: dict[str, Any] = {"command": " ".join(command), "exit_code": result.returncode, "loaded": loaded}
        if frozen:
            if result.returncode != 0:
                raise BuildError(f"`podpora --bundle-self-test` failed:\n{(result.stdout + result.stderr)[-3000:]}")
            self_test = json.loads(result.stdout.strip().splitlines()[-1])
            report["h264"] = self_test["h264"]
            report["czech_collation"] = self_test["czech_collation"]
            report["paramiko_from"] = self_test["isolation"]["paramiko"]
        elif result.returncode != 6:
            raise BuildError(
                f"`podpora check 127.0.0.1:1` should fail to connect (6), got {result.returncode}:\n"
                f"{(result.stdout + result.stderr)[-3000:]}"
            )
        # Anything planted that ran is a failure, except what docs/install.md states for pip installs:
        # Python itself imports a sitecustomize on $PYTHONPATH while starting, before any entry point runs.
        tolerated = set() if frozen else {"pythonpath-sitecustomize"}
        if set(loaded) - tolerated:
            raise BuildError(f"planted modules were loaded (T28): {sorted(set(loaded) - tolerated)}")
        if not frozen:
            control = Path(podpora[0]).resolve().parent / "python"  # pipx links the command; the venv is behind
            subprocess.run(
                [str(control), "-c", "import paramiko"],
                env=planted_env,
                cwd=workdir,
                capture_output=True,
                check=False,
                timeout=SMOKE_TIMEOUT_S,
            )
            report["control_plain_python_loaded"] = sorted(path.name for path in canaries.iterdir())
            if not {"workdir-paramiko", "pythonpath-paramiko"} & set(report["control_plain_python_loaded"]):
                raise BuildError(
                    "control run: a plain python did not load the planted paramiko; the check proves nothing"
                )
    return report


def smoke_test(
    podpora: Sequence[str | os.PathLike[str]], *, repeat: int = 3, require_resources: bool = True, frozen: bool = True
) -> dict[str, Any]:
    """Run the built ``podpora`` command and report what worked and how long it took.

    ``podpora`` is the argv prefix that starts the command (an executable, or a launcher plus arguments).
    Timings are the median of ``repeat`` runs after one warm-up run (the first start also pays for the
    page cache); the warm-up time is reported as ``cold``.  ``podpora diag list`` proves the signed script
    library and its key (``resources/``) came along; with ``require_resources`` a failure fails the build.
    """
    version = project_version()
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="podpora-smoke-") as scratch:
        env = smoke_env(Path(scratch))
        cold, output = timed_run([*podpora, "--version"], env)
        if f"podpora {version}" not in output:
            raise BuildError(f"`podpora --version` printed {output!r}, expected 'podpora {version}'")
        warm = [timed_run([*podpora, "--version"], env)[0] for _ in range(repeat)] or [cold]
        report["version"] = {"cold_s": round(cold, 3), "median_s": round(statistics.median(warm), 3)}
        _, help_text = timed_run([*podpora, "--help"], env)
        if "usage: podpora" not in help_text:
            raise BuildError(f"`podpora --help` printed no usage:\n{help_text}")
        report["subcommands"] = sorted(set(re.findall(r"^    (\w[\w-]*)", help_text, re.MULTILINE)))
        for app_name in ("console", "assist"):
            report[app_name] = smoke_app(podpora, app_name, help_text, env, repeat)
        report["diag_list"] = smoke_diag_list(podpora, help_text, env)
        if require_resources and report["diag_list"].get("ok") is False:
            raise BuildError(f"`podpora diag list` failed: {report['diag_list']['error']}")
        report["isolation"] = isolation_check(podpora, env, frozen=frozen)
        if frozen:
            report["helper_modules"] = smoke_helper_modules(podpora, env)
    return report


def smoke_helper_modules(podpora: Sequence[str | os.PathLike[str]], env: dict[str, str]) -> dict[str, Any]:
    """The frozen ``podpora -m app.<module>`` form that the demo and benchmarks use for helper processes.

    ``podpora -m app.cli.demo_user --help`` must print that helper's usage; ``-m`` with a module outside
    ``app`` must be refused (exit code 2), so the bundle is no general interpreter.
    """
    helper = run([*podpora, "-m", "app.cli.demo_user", "--help"], env=env, timeout=SMOKE_TIMEOUT_S).stdout
    if "usage: podpora-demo-user" not in helper:
        raise BuildError(f"`podpora -m app.cli.demo_user --help` printed no usage:\n{helper[-2000:]}")
    refused = subprocess.run(
        [str(part) for part in (*podpora, "-m", "json.tool", "--help")],
        env=env,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_S,
        check=False,
    )
    if refused.returncode != 2 or "only Podpora's own modules" not in refused.stderr:
        raise BuildError(f"`podpora -m json.tool` was not refused: {refused.returncode} {refused.stderr[-500:]}")
    return {"app.cli.demo_user": "usage printed", "json.tool": "refused"}


def smoke_diag_list(podpora: Sequence[str | os.PathLike[str]], help_text: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``podpora diag list`` (verifies every bundled script's signature) and count the scripts."""
    if not re.search(r"^    diag\b", help_text, re.MULTILINE):
        return {"ok": None, "why": "this build has no `podpora diag` subcommand"}
    result = subprocess.run(
        [str(part) for part in (*podpora, "diag", "list")],
        env=env,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        return {"ok": False, "error": (result.stderr or result.stdout).strip()[-500:]}
    return {"ok": True, "scripts": len(re.findall(r"^  \S", result.stdout, re.MULTILINE))}


def smoke_app(
    podpora: Sequence[str | os.PathLike[str]], app_name: str, help_text: str, env: dict[str, str], repeat: int
) -> dict[str, Any]:
    """Start ``podpora <app_name> --smoke`` offscreen if the subcommand offers it; else say why not."""
    if not re.search(rf"^    {app_name}\b", help_text, re.MULTILINE):
        return {"started": False, "why": f"this build has no `podpora {app_name}` subcommand"}
    sub_help = run([*podpora, app_name, "--help"], env=env, timeout=SMOKE_TIMEOUT_S).stdout
    if "--smoke" not in sub_help:
        return {"started": False, "why": f"`podpora {app_name}` has no --smoke option"}
    cold, _ = timed_run([*podpora, app_name, "--smoke"], env)
    warm = [timed_run([*podpora, app_name, "--smoke"], env)[0] for _ in range(repeat)] or [cold]
    return {"started": True, "cold_s": round(cold, 3), "median_s": round(statistics.median(warm), 3)}


# --------------------------------------------------------------------------------------------- wheel


def wheel_has_resources(wheel: Path) -> bool:
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        return any("/resources/" in f"/{name}" and not name.endswith(".py") for name in archive.namelist())


def build_wheel(args: argparse.Namespace) -> dict[str, Any]:
    """sdist + wheel with ``python -m build``; then install the wheel into a clean venv and smoke-test it."""
    out_dir = Path(args.dist_dir)
    version = project_version()
    for old in out_dir.glob(f"podpora-{version}*"):
        old.unlink()
    compile_translations()  # the wheel carries resources/ (as app.resources), compiled translations included
    started = time.perf_counter()
    run([sys.executable, "-m", "build", "--outdir", out_dir, REPO], cwd=REPO)
    build_s = time.perf_counter() - started
    wheel = next(out_dir.glob(f"podpora-{version}-*.whl"), None)
    sdist = next(out_dir.glob(f"podpora-{version}.tar.gz"), None)
    if wheel is None or sdist is None:
        raise BuildError(f"python -m build left no wheel/sdist for {version} in {out_dir}")
    with tempfile.TemporaryDirectory(prefix="podpora-wheel-venv-") as scratch:
        started = time.perf_counter()
        # A clean environment: only the wheel and what it declares; pip's cache keeps repeat runs quick.
        # --no-compile: the environment is thrown away, and byte-compiling 650 MB of dependencies costs seconds.
        pip_args = ["--no-compile", "--disable-pip-version-check"]
        if importlib.util.find_spec("pipx") is not None:
            # The way technicians install it: pipx makes the venv and links the commands into its bin folder.
            pipx_env = dict(
                os.environ,
                PIPX_HOME=str(Path(scratch) / "pipx"),
                PIPX_BIN_DIR=str(Path(scratch) / "bin"),
                PIPX_MAN_DIR=str(Path(scratch) / "man"),
            )
            run([sys.executable, "-m", "pipx", "install", f"--pip-args={' '.join(pip_args)}", wheel], env=pipx_env)
            venv = Path(scratch) / "pipx" / "venvs" / "podpora"
            command = Path(scratch) / "bin" / "podpora"
            installer = "pipx"
        else:
            venv = Path(scratch) / "venv"
            run([sys.executable, "-m", "venv", venv])
            run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", *pip_args, wheel])
            command = venv / "bin" / "podpora"
            installer = "pip into a fresh venv"
        install_s = time.perf_counter() - started
        installed = run([venv / "bin" / "python", "-m", "pip", "list", "--format=json"]).stdout
        # Required: the signed script library and its key come along in app.resources.
        smoke = smoke_test([command], repeat=args.repeat, require_resources=True, frozen=False)
        venv_size = tree_size(venv)
    return {
        "target": "wheel",
        "wheel": display_path(wheel),
        "wheel_mib": mib(wheel.stat().st_size),
        # resources/ (translations, diagnostic scripts, keys) is installed as app.resources; say that it is there.
        "wheel_has_resources": wheel_has_resources(wheel),
        "sdist_mib": mib(sdist.stat().st_size),
        "build_s": round(build_s, 1),
        "installed_with": installer,
        "clean_venv_install_s": round(install_s, 1),
        "clean_venv_mib": mib(venv_size),
        "clean_venv_packages": len(json.loads(installed)),
        "smoke": smoke,
    }


# ------------------------------------------------------------------------------------------ icons


def build_icons(args: argparse.Namespace) -> dict[str, Any]:
    """Render packaging/icons/*.svg to PNG sizes and a Windows .ico with Qt (offscreen, no Pillow needed)."""
    out = Path(args.work_dir) / "icons"
    out.mkdir(parents=True, exist_ok=True)
    script = f"""
import sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
app = QGuiApplication([])
for name in {ICON_NAMES!r}:
    renderer = QSvgRenderer({str(PACKAGING / "icons")!r} + "/" + name + ".svg")
    if not renderer.isValid():
        sys.exit("invalid SVG: " + name)
    for size in {PNG_SIZES!r}:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        if not image.save({str(out)!r} + f"/{{name}}-{{size}}.png"):
            sys.exit("cannot write PNG")
        if size == 256 and not image.save({str(out)!r} + f"/{{name}}.ico", "ICO"):
            sys.exit("cannot write ICO")
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run([sys.executable, "-c", script], env=env)
    return {"target": "icons", "files": sorted(path.name for path in out.iterdir())}


# ------------------------------------------------------------------------------------ linux-bundle


def compile_translations() -> None:
    """Make resources/translations/*.qm from the .ts sources (as scripts/setup does) so the bundle has them."""
    sources = sorted((REPO / "resources" / "translations").glob("*.ts"))
    if not sources:
        return
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    run([lrelease if lrelease.exists() else "pyside6-lrelease", "-silent", *sources])


def is_elf(path: Path) -> bool:
    if not path.is_file() or path.is_symlink():
        return False
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def strip_bundle(bundle: Path) -> None:
    """Strip debug symbols from the bundle's shared libraries, leaving alone what stripping would break.

    Skipped: the executables at the top (the bootloader carries its archive appended; PyInstaller already
    stripped it) and libraries that auditwheel/patchelf repaired (``*.libs/`` folders), which ``strip``
    corrupts.
    """
    candidates = [
        item
        for item in bundle.rglob("*")
        if item.parent != bundle
        and not any(part.endswith(".libs") for part in item.relative_to(bundle).parts)
        and is_elf(item)
    ]
    for start in range(0, len(candidates), 100):
        run(["strip", "--strip-unneeded", *candidates[start : start + 100]], timeout=600)


def build_linux_bundle(args: argparse.Namespace) -> dict[str, Any]:
    """PyInstaller one-folder bundle from packaging/podpora.spec into dist/podpora, then smoke-test it."""
    build_icons(args)
    compile_translations()
    bundle = Path(args.dist_dir) / BUNDLE_NAME
    started = time.perf_counter()
    # PYZ entries stored, not zlib-compressed: the .deb's xz then compresses the bytecode about 4:1, where
    # zlib-compressed entries would pass through it unchanged (10 MB instead of 6 MB in the package).
    pyinstaller_env = dict(os.environ, PYINSTALLER_ZLIB_COMPRESSION_LEVEL="0")
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            args.dist_dir,
            "--workpath",
            Path(args.work_dir) / "pyinstaller",
            PACKAGING / "podpora.spec",
        ],
        env=pyinstaller_env,
        cwd=REPO,
    )
    executable = bundle / BUNDLE_NAME
    if not executable.is_file():
        raise BuildError(f"PyInstaller did not produce {executable}")
    unslimmed = tree_size(bundle)
    try:
        slimmed = slim_bundle.slim(bundle)
    except slim_bundle.StubError as error:
        raise BuildError(str(error)) from error
    unstripped = tree_size(bundle)
    strip_bundle(bundle)
    build_s = time.perf_counter() - started
    biggest = sorted(
        (item for item in bundle.rglob("*") if item.is_file() and not item.is_symlink()),
        key=lambda item: item.stat().st_size,
        reverse=True,
    )[:8]
    smoke = smoke_test([executable], repeat=args.repeat)
    return {
        "target": "linux-bundle",
        "needed_from_system": needed_from_system(bundle),
        "bundle": display_path(bundle),
        "bundle_mib": mib(tree_size(bundle)),
        "unslimmed_mib": mib(unslimmed),
        "unstripped_mib": mib(unstripped),
        "stubbed_libraries": sorted(slimmed["stubbed"]),  # type: ignore[call-overload]
        "icu_data": slimmed["icu_data"],
        "removed_libraries": slimmed["removed"],
        "files": sum(1 for item in bundle.rglob("*") if item.is_file()),
        "largest_files_mib": {str(item.relative_to(bundle)): mib(item.stat().st_size) for item in biggest},
        "build_s": round(build_s, 1),
        "smoke": smoke,
    }


# --------------------------------------------------------------------------------------------- deb


def glibc_requirement(bundle: Path) -> str:
    """The newest GLIBC_x.y symbol version any ELF file in the bundle needs (for ``libc6 (>= x.y)``)."""
    newest = (2, 17)
    for item in bundle.rglob("*"):
        if not is_elf(item):
            continue
        result = subprocess.run(["objdump", "-T", str(item)], capture_output=True, text=True, check=False, timeout=60)
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", result.stdout):
            newest = max(newest, (int(major), int(minor)))
    return f"{newest[0]}.{newest[1]}"


def needed_from_system(bundle: Path) -> list[str]:
    """Shared libraries the bundle's ELF files need (DT_NEEDED) that the bundle does not carry itself.

    This is what the target system must provide: glibc, OpenGL/EGL, and the X/Wayland client libraries
    named in the package's ``Depends``.  A library dropped from the bundle by mistake shows up here.
    """
    carried = {item.name for item in bundle.rglob("*.so*")}
    needed: set[str] = set()
    for item in bundle.rglob("*"):
        if not is_elf(item):
            continue
        result = subprocess.run(["readelf", "-d", str(item)], capture_output=True, text=True, check=False, timeout=60)
        needed.update(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", result.stdout))
    return sorted(needed - carried)


def debian_architecture() -> str:
    return run(["dpkg", "--print-architecture"]).stdout.strip()


def stage_deb(bundle: Path, root: Path, version: str, icons: Path) -> dict[str, str]:
    """Lay out the package tree under ``root``; return the control fields that depend on the contents."""
    if root.exists():
        shutil.rmtree(root)
    opt = root / INSTALL_PREFIX.relative_to("/")
    shutil.copytree(bundle, opt, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "podpora").symlink_to(INSTALL_PREFIX / BUNDLE_NAME)
    share = root / "usr" / "share"
    applications = share / "applications"
    applications.mkdir(parents=True)
    metainfo = share / "metainfo"
    metainfo.mkdir(parents=True)
    for name in ICON_NAMES:
        shutil.copy(PACKAGING / "linux" / f"{name}.desktop", applications / f"{name}.desktop")
        text = (PACKAGING / "linux" / f"{name}.metainfo.xml").read_text(encoding="utf-8")
        (metainfo / f"{name}.metainfo.xml").write_text(text.replace("@VERSION@", version), encoding="utf-8")
        scalable = share / "icons" / "hicolor" / "scalable" / "apps"
        scalable.mkdir(parents=True, exist_ok=True)
        shutil.copy(PACKAGING / "icons" / f"{name}.svg", scalable / f"{name}.svg")
        for size in PNG_SIZES:
            folder = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(icons / f"{name}-{size}.png", folder / f"{name}.png")
    doc = share / "doc" / DEB_PACKAGE
    doc.mkdir(parents=True)
    shutil.copy(PACKAGING / "linux" / "copyright", doc / "copyright")
    debian = root / "DEBIAN"
    debian.mkdir()
    for script in ("postrm",):
        target = debian / script
        shutil.copy(PACKAGING / "linux" / f"deb-{script}", target)
        target.chmod(0o755)
    # dpkg-deb insists on sane permissions: directories 0755, files 0644 unless executable.
    for item in root.rglob("*"):
        if item.is_symlink():
            continue
        if item.is_dir():
            item.chmod(0o755)
        elif item.parent != debian:
            item.chmod(0o755 if os.access(item, os.X_OK) else 0o644)
    return {
        "Installed-Size": str(tree_size(root) // 1024),
        "Depends": ", ".join([f"libc6 (>= {glibc_requirement(opt)})", *DEB_DEPENDS]),
    }


def write_control(root: Path, version: str, fields: dict[str, str]) -> None:
    control = [
        f"Package: {DEB_PACKAGE}",
        f"Version: {version}",
        f"Architecture: {debian_architecture()}",
        "Maintainer: Podpora developers <podpora@example.org>",
        f"Installed-Size: {fields['Installed-Size']}",
        f"Depends: {fields['Depends']}",
        "Section: net",
        "Priority: optional",
        "Homepage: https://example.org/podpora",
        "Description: remote assistance for IT technicians over SSH",
        " Podpora lets a technician see and control a user's screen, chat, run signed",
        " diagnostic and repair scripts with the user's consent, and deliver a complete,",
        " verifiable case log to the ticket system. The package contains the technician",
        " console (Podpora Console) and the end-user app (Podpora Get Help) as one",
        " self-contained bundle in /opt/podpora; it does not use the system Python.",
    ]
    (root / "DEBIAN" / "control").write_text("\n".join(control) + "\n", encoding="utf-8")


def validate_desktop_metadata(root: Path) -> dict[str, str]:
    """Run desktop-file-validate and appstreamcli on the staged files when those tools are installed."""
    results: dict[str, str] = {}
    desktop_validate = shutil.which("desktop-file-validate")
    appstreamcli = shutil.which("appstreamcli")
    for name in ICON_NAMES:
        if desktop_validate:
            run([desktop_validate, root / "usr/share/applications" / f"{name}.desktop"])
            results[f"{name}.desktop"] = "valid"
        if appstreamcli:
            run(
                [
                    appstreamcli,
                    "validate",
                    "--no-net",
                    "--pedantic",
                    root / "usr/share/metainfo" / f"{name}.metainfo.xml",
                ]
            )
            results[f"{name}.metainfo.xml"] = "valid"
    return results


def package_state() -> str:
    """dpkg's state word for the package here (``installed``, ``half-installed``, ``config-files``…), or ""."""
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", DEB_PACKAGE], capture_output=True, text=True, check=False
    ).stdout.split()
    return status[-1] if status else ""


def package_paths(deb: Path) -> list[Path]:
    """Every path (files, links, folders) in the .deb's data archive, as absolute paths."""
    import tarfile

    with subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE) as process:
        if process.stdout is None:
            raise BuildError("dpkg-deb --fsys-tarfile gave no output")
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            names = [member.name for member in archive]
    return [Path("/", name.removeprefix(".").lstrip("/")) for name in names]


def deb_smoke_test(deb: Path, repeat: int) -> dict[str, Any]:
    """Install the .deb on this machine, start what it installed, purge it, and check nothing is left."""
    if os.geteuid() != 0:
        raise BuildError("installing the .deb for its smoke test needs root")
    if package_state() not in ("", "not-installed"):
        raise BuildError(f"{DEB_PACKAGE} is already installed here; remove it first (dpkg --purge {DEB_PACKAGE})")
    # What exists before the install (/, /usr/bin, /usr/share/icons/hicolor, ...) may stay afterwards;
    # everything else the package brought must be gone after the purge.
    existed_before = {path for path in package_paths(deb) if path.is_symlink() or path.exists()}
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    purge_s = 0.0
    try:
        started = time.perf_counter()
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", deb.resolve()], env=env, timeout=600)
        install_s = time.perf_counter() - started
        files = [Path(line) for line in run(["dpkg", "-L", DEB_PACKAGE]).stdout.splitlines() if line.strip()]
        smoke = smoke_test(["/usr/bin/podpora"], repeat=repeat)
    finally:
        # Also after a failed install: never leave a half-installed package on the build machine.
        if package_state() not in ("", "not-installed"):
            started = time.perf_counter()
            run(["dpkg", "--purge", DEB_PACKAGE], env=env, timeout=600)
            purge_s = time.perf_counter() - started
    left = [str(path) for path in files if (path.is_symlink() or path.exists()) and path not in existed_before]
    if INSTALL_PREFIX.exists():
        left.append(str(INSTALL_PREFIX))
    if left:
        raise BuildError(f"purging {DEB_PACKAGE} left files behind: {left[:20]}")
    return {
        "where": "this machine (apt-get install, dpkg --purge)",
        "install_s": round(install_s, 1),
        "purge_s": round(purge_s, 1),
        "files_installed": len(files),
        "files_left_after_purge": 0,
        "smoke": smoke,
    }


def fresh_root_smoke_test(deb: Path, root: Path, repeat: int) -> dict[str, Any]:
    """Install the .deb into an empty dpkg root (``dpkg --root``), start it there, purge, expect emptiness.

    Nothing on this machine changes.  The root has no other packages, so dependencies are not checked
    (``--force-depends``) and the maintainer scripts run without chroot against ``$DPKG_ROOT``.  Because
    every folder in that root came from this package, a clean purge leaves only dpkg's own database.
    """
    if os.geteuid() != 0:
        raise BuildError("dpkg --root needs root")
    if root.exists():
        shutil.rmtree(root)
    admin = root / "var" / "lib" / "dpkg"
    for folder in ("info", "updates", "triggers"):
        (admin / folder).mkdir(parents=True)
    (admin / "status").touch()
    dpkg = ["dpkg", f"--root={root}", "--force-script-chrootless", "--log=/dev/null"]
    started = time.perf_counter()
    run([*dpkg, "--force-depends", "--install", deb.resolve()], timeout=600)
    install_s = time.perf_counter() - started
    try:
        files = [line for line in run([*dpkg, "--listfiles", DEB_PACKAGE]).stdout.splitlines() if line.strip()]
        link = root / "usr" / "bin" / "podpora"
        if not link.is_symlink() or os.readlink(link) != str(INSTALL_PREFIX / BUNDLE_NAME):
            raise BuildError(f"/usr/bin/podpora is not a symlink to {INSTALL_PREFIX / BUNDLE_NAME}")
        smoke = smoke_test([root / INSTALL_PREFIX.relative_to("/") / BUNDLE_NAME], repeat=repeat)
    finally:
        run([*dpkg, "--purge", DEB_PACKAGE], timeout=600)
    left = sorted(
        str(item.relative_to(root))
        for item in root.rglob("*")
        if admin not in (item, *item.parents) and item not in admin.parents
    )
    if left:
        raise BuildError(f"purging {DEB_PACKAGE} left files behind in the fresh root: {left[:20]}")
    return {
        "where": "fresh dpkg root",
        "install_s": round(install_s, 1),
        "files_installed": len(files),
        "files_left_after_purge": 0,
        "smoke": smoke,
    }


def build_deb(args: argparse.Namespace) -> dict[str, Any]:
    """Bundle → package tree → ``dpkg-deb --build --root-owner-group -Zxz`` → install, start, purge."""
    report: dict[str, Any] = {"target": "deb"}
    bundle = Path(args.dist_dir) / BUNDLE_NAME
    if args.reuse_bundle and (bundle / BUNDLE_NAME).is_file():
        build_icons(args)
        report["bundle"] = "reused"
    else:
        report["bundle"] = build_linux_bundle(args)
    version = project_version()
    root = Path(args.work_dir) / "deb-root"
    started = time.perf_counter()
    fields = stage_deb(bundle, root, version, Path(args.work_dir) / "icons")
    write_control(root, version, fields)
    report["metadata"] = validate_desktop_metadata(root)
    deb = Path(args.dist_dir) / f"{DEB_PACKAGE}_{version}_{debian_architecture()}.deb"
    run(["dpkg-deb", "--build", "--root-owner-group", f"-Z{args.compression}", root, deb])
    report["package_s"] = round(time.perf_counter() - started, 1)
    report["deb"] = display_path(deb)
    report["deb_mib"] = mib(deb.stat().st_size)
    report["deb_bytes"] = deb.stat().st_size  # MiB above; targets in "MB" may mean 10^6 bytes
    report["installed_mib"] = mib(int(fields["Installed-Size"]) * 1024)
    report["depends"] = fields["Depends"]
    if args.install == "none":
        report["install"] = "skipped (--install none)"
    elif args.install == "fresh-root":
        report["install"] = fresh_root_smoke_test(deb, Path(args.work_dir) / "fresh-root", args.repeat)
    else:
        report["install"] = deb_smoke_test(deb, args.repeat)
    return report


# ------------------------------------------------------------------------------------------ appimage


def build_appimage(args: argparse.Namespace) -> dict[str, Any]:
    """The bundle as an AppDir (``dist/Podpora.AppDir``), smoke-tested through its AppRun; packed as an
    AppImage when ``appimagetool`` is on the PATH (it is not on the build machines: the AppDir is tested)."""
    report: dict[str, Any] = {"target": "appimage"}
    bundle = Path(args.dist_dir) / BUNDLE_NAME
    if args.reuse_bundle and (bundle / BUNDLE_NAME).is_file():
        build_icons(args)
        report["bundle"] = "reused"
    else:
        report["bundle"] = build_linux_bundle(args)
    version = project_version()
    appdir = Path(args.dist_dir) / "Podpora.AppDir"
    if appdir.exists():
        shutil.rmtree(appdir)
    shutil.copytree(bundle, appdir / INSTALL_PREFIX.relative_to("/"), symlinks=True)
    shutil.copy(PACKAGING / "linux" / "appimage" / "AppRun", appdir / "AppRun")
    (appdir / "AppRun").chmod(0o755)
    # appimagetool wants exactly one desktop entry and its icon at the top; the console is the main face.
    name = ICON_NAMES[0]
    shutil.copy(PACKAGING / "linux" / f"{name}.desktop", appdir / f"{name}.desktop")
    shutil.copy(Path(args.work_dir) / "icons" / f"{name}-256.png", appdir / f"{name}.png")
    (appdir / ".DirIcon").symlink_to(f"{name}.png")
    metainfo = appdir / "usr" / "share" / "metainfo"
    metainfo.mkdir(parents=True)
    text = (PACKAGING / "linux" / f"{name}.metainfo.xml").read_text(encoding="utf-8")
    (metainfo / f"{name}.appdata.xml").write_text(text.replace("@VERSION@", version), encoding="utf-8")
    report["appdir"] = display_path(appdir)
    report["appdir_mib"] = mib(tree_size(appdir))
    report["smoke"] = smoke_test([appdir / "AppRun"], repeat=args.repeat)
    appimagetool = shutil.which("appimagetool")
    if appimagetool:
        image = Path(args.dist_dir) / f"Podpora-{version}-x86_64.AppImage"
        run([appimagetool, "--no-appstream", appdir, image], env=dict(os.environ, ARCH="x86_64"))
        report["appimage"] = display_path(image)
        report["appimage_mib"] = mib(image.stat().st_size)
    else:
        report["appimage"] = "not packed: appimagetool is not installed (the AppDir above is what it packs)"
    return report


TARGETS = {
    "wheel": build_wheel,
    "icons": build_icons,
    "linux-bundle": build_linux_bundle,
    "deb": build_deb,
    "appimage": build_appimage,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--dist-dir", type=Path, default=DIST, help="where artefacts go (default: dist/)")
    parser.add_argument("--work-dir", type=Path, default=WORK, help="scratch space (default: build/packaging/)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per smoke step after the cold one (median; 0: cold only)"
    )
    parser.add_argument(
        "--compression", choices=("xz", "zstd", "gzip", "none"), default="xz", help="deb compression (xz)"
    )
    parser.add_argument("--reuse-bundle", action="store_true", help="deb, appimage: package dist/podpora as it is")
    parser.add_argument(
        "--install",
        choices=("host", "fresh-root", "none"),
        default="host",
        help="deb: install on this machine with apt-get (default), into an empty dpkg root, or not at all",
    )
    parser.add_argument("--json-out", help="also write the JSON report to this file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        report = TARGETS[args.target](args)
    except BuildError as error:
        log(f"FAILED: {error}")
        return 1
    report["total_s"] = round(time.perf_counter() - started, 1)
    text = json.dumps(report, ensure_ascii=False)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
