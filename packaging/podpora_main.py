"""Entry script of the frozen ``podpora`` executable (PyInstaller runs this as ``__main__``).

``podpora --bundle-self-test`` exists only in the frozen bundle (packaging/build.py's smoke test runs it):
it proves that what the bundle trimmed away did not take anything Podpora needs with it, and that the bundle
runs isolated (SECURITY-BAR T28).  It prints one JSON object and exits 0 when every check passed:

* H.264 through PyAV still encodes (libx264) and decodes (FFmpeg's h264) a test picture faithfully, although
  the other codec libraries, GnuTLS and OpenBLAS are stubs (packaging/slim_bundle.py);
* ICU still collates Czech (its data was cut down to en/cs/sk);
* ``sys.path`` holds only folders inside the bundle, and ``paramiko`` (the first dependency an attacker
  would shadow) was loaded from the bundle, not from the working directory or ``$PYTHONPATH``.
"""

import sys


def bundle_self_test() -> int:
    import json
    import os

    import numpy as np

    from app.remote.video import VideoDecoder, VideoEncoder

    report: dict[str, object] = {}
    failures: list[str] = []
    # A picture with edges, gradients and flat areas; integer arithmetic only (BLAS is not in the bundle).
    height, width = 96, 128
    rows = np.arange(height, dtype=np.uint16)[:, None]
    columns = np.arange(width, dtype=np.uint16)[None, :]
    picture = np.zeros((height, width, 4), dtype=np.uint8)
    picture[:, :, 0] = (columns * 2) % 256
    picture[:, :, 1] = (rows * 2) % 256
    picture[:, :, 2] = np.where((rows // 16 + columns // 16) % 2 == 0, 220, 30)
    picture[:, :, 3] = 255
    encoder = VideoEncoder(width, height, bitrate=4_000_000)
    decoder = VideoDecoder(width, height)
    errors = []
    sizes = []
    for shift in range(3):
        frame = np.roll(picture, shift * 8, axis=1)
        access_unit = encoder.encode(frame)
        sizes.append(len(access_unit))
        decoded = decoder.decode(access_unit)
        errors.append(float(np.abs(decoded[:, :, :3].astype(np.int16) - frame[:, :, :3].astype(np.int16)).mean()))
    encoder.close()
    report["h264"] = {"frames": len(sizes), "bytes": sizes, "mean_abs_error": [round(e, 2) for e in errors]}
    # Lossy, but at 4 Mbit/s for 128x96 the error is a few levels; a broken codec gives tens or fails outright.
    if max(errors) > 12:
        failures.append(f"H.264 round trip too lossy: {errors}")

    # ICU's data was cut down to en/cs/sk (packaging/slim_bundle.py): Czech collation must still sort
    # "ch" after "h" and accented letters after their base letter.
    from PySide6.QtCore import QCollator, QLocale

    collator = QCollator(QLocale("cs_CZ"))
    words = ["hrad", "chata", "čaj", "cesta", "šum", "sova"]
    collated = sorted(words, key=collator.sortKey)
    report["czech_collation"] = collated
    if collated != ["cesta", "čaj", "hrad", "chata", "sova", "šum"]:
        failures.append(f"Czech collation is wrong (ICU data missing?): {collated}")

    import paramiko

    bundle_dir = os.path.realpath(getattr(sys, "_MEIPASS", os.path.dirname(sys.executable)))

    def inside_bundle(path: str) -> bool:
        return os.path.realpath(path or os.getcwd()).startswith(bundle_dir + os.sep) or (
            os.path.realpath(path) == bundle_dir
        )

    outside = [entry for entry in sys.path if not inside_bundle(entry)]
    report["isolation"] = {
        "sys_path": sys.path,
        "paramiko": paramiko.__file__ or "",
        "sitecustomize_loaded": "sitecustomize" in sys.modules,
    }
    if outside:
        failures.append(f"sys.path has folders outside the bundle: {outside}")
    if not inside_bundle(paramiko.__file__ or ""):
        failures.append(f"paramiko was loaded from {paramiko.__file__}, outside the bundle")
    if "sitecustomize" in sys.modules or "usercustomize" in sys.modules:
        failures.append("a sitecustomize/usercustomize module was loaded")
    report["failures"] = failures
    print(json.dumps(report))
    return 1 if failures else 0


def run_app_module(module: str, arguments: list[str]) -> None:
    """``podpora -m app.<module> ARGS``: what ``python -m`` does, for Podpora's own modules only.

    Parts of Podpora start helper processes as ``sys.executable -m app.cli.demo_user ...`` (the demo's user
    machine, the benchmarks' agents).  In the frozen bundle ``sys.executable`` is this executable, so it
    accepts that form; anything outside ``app`` is refused, so the bundle never becomes a general
    interpreter.
    """
    import runpy

    if not (module == "app" or module.startswith("app.")) or not all(part.isidentifier() for part in module.split(".")):
        print(f"podpora: -m runs only Podpora's own modules (app.*), not {module!r}", file=sys.stderr)
        raise SystemExit(2)
    sys.argv = [module, *arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    raise SystemExit(0)


if sys.argv[1:] == ["--bundle-self-test"]:
    raise SystemExit(bundle_self_test())
if len(sys.argv) >= 3 and sys.argv[1] == "-m":
    run_app_module(sys.argv[2], sys.argv[3:])

from app.cli import main  # noqa: E402 - only after the self-test check, so that one needs no CLI

raise SystemExit(main())
