"""packaging/slim_bundle.py: stubs load in place of the real library, abort loudly, and the BLAS ones compute.

Small real libraries are compiled with gcc for each test: an "original" with functions, a data object and
versioned symbols, and a "consumer" that links against it, as libavcodec links against libx265.  The stub
must satisfy the dynamic linker exactly where the original did.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "packaging"))
import slim_bundle  # noqa: E402

pytestmark = pytest.mark.skipif(
    shutil.which("gcc") is None or shutil.which("readelf") is None, reason="needs gcc and readelf"
)

ORIGINAL_C = """
int codec_open(int x) { return x + 1; }
int codec_unused(void) { return 7; }
int codec_table[32] = {1, 2, 3};
int codec_query(void) { return 5; }
"""
CONSUMER_C = """
extern int codec_open(int);
extern int codec_table[32];
int consumer_table_first(void) { return codec_table[0]; }
int consumer_open(int x) { return codec_open(x); }
"""


def compile_library(folder: Path, name: str, source: str, *extra: str) -> Path:
    (folder / f"{name}.c").write_text(source, encoding="utf-8")
    output = folder / f"{name}.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", f"-Wl,-soname,{name}.so", "-o", output, folder / f"{name}.c", *extra],
        check=True,
        capture_output=True,
    )
    return output


def make_bundle(tmp_path: Path, versioned: bool) -> tuple[Path, Path, Path]:
    """A fake bundle: _internal/av.libs/libx265-test.so (the original) and a consumer beside it."""
    libs = tmp_path / "bundle" / "_internal" / "av.libs"
    libs.mkdir(parents=True)
    extra: list[str] = []
    if versioned:
        (tmp_path / "codec.map").write_text("CODEC_1 { global: codec_open; codec_table; codec_unused; local: *; };\n")
        extra = [f"-Wl,--version-script={tmp_path / 'codec.map'}"]
    original = compile_library(libs, "libx265-test", ORIGINAL_C, *extra)
    consumer = compile_library(libs, "libconsumer", CONSUMER_C, f"-L{libs}", "-l:libx265-test.so", "-Wl,-rpath,$ORIGIN")
    return tmp_path / "bundle", original, consumer


@pytest.mark.parametrize("versioned", [False, True])
def test_a_stub_defines_what_the_consumer_imports_and_loads_in_its_place(tmp_path: Path, versioned: bool) -> None:
    bundle, original, consumer = make_bundle(tmp_path, versioned)
    # Each load happens in a fresh process: the dynamic linker shares libraries by SONAME within one.
    probe = (
        "import ctypes, os, sys\n"
        f"lib = ctypes.CDLL({str(consumer)!r}, mode=os.RTLD_NOW)\n"
        "print(lib.consumer_table_first(), flush=True)\n"
        "print(lib.consumer_open(41), flush=True)\n"
    )
    before = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert before.stdout.split() == ["1", "42"]
    report = slim_bundle.slim(bundle)
    assert list(report["stubbed"]) == ["libx265-test.so"]  # type: ignore[call-overload]
    assert slim_bundle.soname(original) == "libx265-test.so"
    defined, _ = slim_bundle.dynamic_symbols(original)
    # Exactly what the consumer uses; codec_unused is left out, the data object keeps its size.
    assert set(defined) == {"codec_open", "codec_table"}
    assert defined["codec_table"].size == 32 * 4
    assert {symbol.version for symbol in defined.values()} == ({"CODEC_1"} if versioned else {""})
    # A fresh process loads the consumer with the stub (RTLD_NOW: every symbol must resolve) and reads the
    # zeroed table; calling the stubbed function stops the process with a message naming the library.
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60)
    assert result.stdout.strip() == "0"
    assert result.returncode == -6  # SIGABRT
    assert "leaves out libx265-test.so" in result.stderr and "codec_open" in result.stderr


def test_libraries_only_the_stubbed_one_needed_are_removed(tmp_path: Path) -> None:
    libs = tmp_path / "bundle" / "_internal" / "av.libs"
    libs.mkdir(parents=True)
    helper = compile_library(libs, "libhelper", "int helper(void) { return 3; }\n")
    compile_library(
        libs,
        "libx265-test",
        "extern int helper(void);\nint codec_open(int x) { return x + helper(); }\n",
        f"-L{libs}",
        "-l:libhelper.so",
    )
    kept = compile_library(libs, "libkept", "int kept(void) { return 1; }\n")
    compile_library(
        libs,
        "libconsumer",
        CONSUMER_C.replace("codec_table[0]", "1").replace("extern int codec_table[32];", ""),
        f"-L{libs}",
        "-l:libx265-test.so",
    )
    report = slim_bundle.slim(tmp_path / "bundle")
    assert report["removed"] == ["libhelper.so"]
    assert not helper.exists()
    assert kept.exists()  # nothing needed it before either: not the stub's business


def test_the_blas_stub_computes_dot_products_axpy_and_copy_like_blas(tmp_path: Path) -> None:
    """numpy calls sdot at import; the stub's level-1 routines must honour negative and odd strides."""
    names = [
        "scipy_cblas_sdot64_",
        "scipy_cblas_ddot64_",
        "scipy_cblas_zdotc_sub64_",
        "scipy_cblas_cdotu_sub64_",
        "scipy_cblas_daxpy64_",
        "scipy_cblas_zaxpy64_",
        "scipy_dcopy_64_",
        "scipy_cblas_dgemm64_",
    ]
    libs = tmp_path / "bundle" / "_internal" / "numpy.libs"
    libs.mkdir(parents=True)
    compile_library(libs, "libscipy_openblas64_-test", "".join(f"void {name}(void) {{}}\n" for name in names))
    calls = "".join(f"extern void {name}(void);\n" for name in names)
    body = "".join(f"    {name}();\n" for name in names)
    compile_library(
        libs,
        "libconsumer",
        f"{calls}void never_called(void) {{\n{body}}}\n",
        f"-L{libs}",
        "-l:libscipy_openblas64_-test.so",
    )
    slim_bundle.slim(tmp_path / "bundle")
    blas = ctypes.CDLL(str(libs / "libscipy_openblas64_-test.so"), mode=os.RTLD_NOW)
    rng = np.random.default_rng(7)
    n = 9
    pointer = ctypes.c_void_p
    for incx, incy in [(1, 1), (2, 3), (-1, 2), (-2, -3)]:
        x = rng.standard_normal(n * abs(incx))
        y = rng.standard_normal(n * abs(incy))
        # BLAS walks a vector with a negative stride from its far end.
        xs = x[:: abs(incx)][:n][:: 1 if incx > 0 else -1]
        ys = y[:: abs(incy)][:n][:: 1 if incy > 0 else -1]
        blas.scipy_cblas_ddot64_.restype = ctypes.c_double
        got = blas.scipy_cblas_ddot64_(
            ctypes.c_long(n),
            x.ctypes.data_as(pointer),
            ctypes.c_long(incx),
            y.ctypes.data_as(pointer),
            ctypes.c_long(incy),
        )
        assert got == pytest.approx(float(xs @ ys))
        x32, y32 = x.astype(np.float32), y.astype(np.float32)
        blas.scipy_cblas_sdot64_.restype = ctypes.c_float
        got32 = blas.scipy_cblas_sdot64_(
            ctypes.c_long(n),
            x32.ctypes.data_as(pointer),
            ctypes.c_long(incx),
            y32.ctypes.data_as(pointer),
            ctypes.c_long(incy),
        )
        assert got32 == pytest.approx(float(xs @ ys), rel=1e-4)
        y_before = ys.copy()
        blas.scipy_cblas_daxpy64_(
            ctypes.c_long(n),
            ctypes.c_double(2.5),
            x.ctypes.data_as(pointer),
            ctypes.c_long(incx),
            y.ctypes.data_as(pointer),
            ctypes.c_long(incy),
        )
        ys_after = y[:: abs(incy)][:n][:: 1 if incy > 0 else -1]
        np.testing.assert_allclose(ys_after, y_before + 2.5 * xs)
    zx = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    zy = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    out = np.zeros(1, dtype=np.complex128)
    blas.scipy_cblas_zdotc_sub64_(
        ctypes.c_long(n),
        zx.ctypes.data_as(pointer),
        ctypes.c_long(1),
        zy.ctypes.data_as(pointer),
        ctypes.c_long(1),
        out.ctypes.data_as(pointer),
    )
    assert out[0] == pytest.approx(np.vdot(zx, zy))
    cx, cy = zx.astype(np.complex64), zy.astype(np.complex64)
    out64 = np.zeros(1, dtype=np.complex64)
    blas.scipy_cblas_cdotu_sub64_(
        ctypes.c_long(n),
        cx.ctypes.data_as(pointer),
        ctypes.c_long(1),
        cy.ctypes.data_as(pointer),
        ctypes.c_long(1),
        out64.ctypes.data_as(pointer),
    )
    assert complex(out64[0]) == pytest.approx(complex(cx @ cy), rel=1e-4)
    source = np.arange(6, dtype=np.float64)
    target = np.zeros(3)
    count, one, two = ctypes.c_long(3), ctypes.c_long(1), ctypes.c_long(2)
    blas.scipy_dcopy_64_(
        ctypes.byref(count),
        source.ctypes.data_as(pointer),
        ctypes.byref(two),
        target.ctypes.data_as(pointer),
        ctypes.byref(one),
    )
    assert target.tolist() == [0.0, 2.0, 4.0]


@pytest.mark.parametrize(
    ("item", "unused"),
    [
        ("coll/de.res", True),
        ("coll/de_.res", True),
        ("zh_Hant_TW.res", True),
        ("gb18030.cnv", True),
        ("brkitr/thaidict.dict", True),
        ("translit/root.res", True),
        ("coll/cs.res", False),
        ("sk_SK.res", False),
        ("curr/en_GB.res", False),
        ("coll/root.res", False),
        ("coll/ucadata.icu", False),
        ("supplementalData.res", False),
        ("zoneinfo64.res", False),
        ("nfkc.nrm", False),
        ("brkitr/line.brk", False),
    ],
)
def test_icu_keeps_root_en_cs_sk_and_language_independent_data(item: str, unused: bool) -> None:
    assert slim_bundle.icu_item_unused(item) is unused


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("icupkg") is None, reason="needs icupkg (Debian package icu-devtools)")
def test_slim_icu_data_still_collates_and_case_maps_like_the_full_data(tmp_path: Path) -> None:
    """Qt loads the slimmed libicudata (preloaded in place of PySide6's) and sorts and upper-cases as before."""
    import PySide6

    original = next((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    slimmed = tmp_path / original.name
    shutil.copy(original, slimmed)
    report = slim_bundle.slim_icu_data(slimmed)
    assert report["items_after"] < report["items_before"] / 3
    assert slimmed.stat().st_size < original.stat().st_size / 4
    probe = (
        "from PySide6.QtCore import QCollator, QCoreApplication, QLocale\n"
        "app = QCoreApplication([])\n"
        "words = ['chata', 'hrad', 'cesta', 'čaj', 'šum', 'sova', 'zebra', 'žába', 'Äpfel', 'apfel']\n"
        "for name in ('cs_CZ', 'sk_SK', 'en_US', 'de_DE'):\n"
        "    print(name, sorted(words, key=QCollator(QLocale(name)).sortKey))\n"
        "print(QLocale('cs_CZ').toUpper('příliš žluťoučký'), QLocale('tr_TR').toUpper('istanbul'))\n"
        "print(sorted(line.split()[-1] for line in open('/proc/self/maps') if 'libicudata' in line)[0])\n"
    )

    def run(preload: Path | None) -> list[str]:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        if preload is not None:
            env["LD_PRELOAD"] = str(preload)
        result = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True, timeout=60
        )
        return result.stdout.splitlines()

    full, slim = run(None), run(slimmed)
    assert slim[-1] == str(slimmed)  # the slimmed data is what ICU used
    assert slim[:-1] == full[:-1]
    assert "cs_CZ ['apfel', 'Äpfel', 'cesta', 'čaj', 'hrad', 'chata'" in slim[0]  # Czech: ch after h


def test_app_calls_no_numpy_routine_that_needs_the_stubbed_blas() -> None:
    """The bundle's OpenBLAS stub aborts on matrix products and numpy.linalg; app/ must not use them.

    A failure here means new code multiplies matrices: either avoid it, or drop OpenBLAS from
    ``slim_bundle.STUBBED`` (the .deb grows by about 5 MB).
    """
    import ast

    blas_attributes = {"dot", "matmul", "linalg", "einsum", "tensordot", "inner", "vdot", "lstsq", "solve"}
    found: list[str] = []
    for path in sorted((REPO / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.BinOp | ast.AugAssign) and isinstance(node.op, ast.MatMult):
                found.append(f"{where} uses @")
            elif isinstance(node, ast.Attribute) and node.attr in blas_attributes:
                found.append(f"{where} uses .{node.attr}")
    assert not found, found
