"""Shrink the PyInstaller bundle: replace libraries Podpora never calls with small stubs, drop the orphans.

PyAV's wheel carries a full FFmpeg linked against x265, SVT-AV1, vpx, dav1d, opus, mp3lame, AMR, WebP,
GnuTLS and ALSA; numpy's wheel carries OpenBLAS.  Podpora uses PyAV only for H.264 (libx264 encode, FFmpeg's
own h264 decoder, swscale for BGRA) and numpy only for integer pixel arrays, never for linear algebra.  The
libraries cannot simply be deleted: ``libavcodec`` names them in ``DT_NEEDED`` and Python loads extensions
with ``RTLD_NOW``, so every library must exist and every symbol a remaining library imports from it must
resolve.  A stub does exactly that: it has the original's file name and SONAME and defines each symbol that
something in the bundle imports from it (functions that print which library was left out and abort; data
objects of the original size, zeroed).  Nothing calls them unless someone uses a codec, TLS or BLAS, and then
the process stops loudly instead of computing garbage.

Libraries only the stubbed ones needed (GnuTLS's nettle/gmp/unistring, WebP's sharpyuv, OpenBLAS's gfortran
and quadmath) are then referenced by nothing and are removed.

Needs ``gcc`` and binutils' ``readelf`` at build time; the smoke test (``podpora --bundle-self-test``) proves
that H.264 still encodes and decodes afterwards.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# (folder inside _internal, file-name prefix): libraries replaced by stubs.  Prefixes, because auditwheel
# appends a hash to each file name and the hash changes with every wheel release.
STUBBED = (
    ("av.libs", "libx265-"),
    ("av.libs", "libSvtAv1Enc-"),
    ("av.libs", "libvpx-"),
    ("av.libs", "libdav1d-"),
    ("av.libs", "libopus-"),
    ("av.libs", "libmp3lame-"),
    ("av.libs", "libopencore-amrnb-"),
    ("av.libs", "libopencore-amrwb-"),
    ("av.libs", "libwebp-"),
    ("av.libs", "libwebpmux-"),
    ("av.libs", "libgnutls-"),  # libavformat's https:// and tls:// protocols
    ("av.libs", "libasound-"),  # libavdevice's ALSA input/output
    ("numpy.libs", "libscipy_openblas"),  # matrix products and numpy.linalg
)

# Functions FFmpeg calls for every codec it knows when the first codec is looked up (``init_static_data``
# asks each wrapper library which pixel formats and bit depths it supports).  Their stubs answer "nothing"
# (NULL / 0), which makes FFmpeg list those codecs with their basic formats; opening one still fails.
ANSWER_NOTHING = frozenset(
    {
        "x265_api_get_216",
        "x265_api_query",
        "vpx_codec_vp8_cx",
        "vpx_codec_vp8_dx",
        "vpx_codec_vp9_cx",
        "vpx_codec_vp9_dx",
        "vpx_codec_get_caps",
    }
)

_SYMBOL_LINE = re.compile(
    r"^\s*\d+:\s+(?P<address>[0-9a-f]+)\s+(?P<size>\d+|0x[0-9a-f]+)\s+(?P<type>\w+)\s+(?P<bind>\w+)\s+\w+\s+(?P<ndx>\w+)\s+"
    r"(?P<name>\S+)"
)
_C_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class StubError(Exception):
    """A stub could not be generated or compiled."""


@dataclass(frozen=True)
class Symbol:
    """One dynamic symbol: name, version node ("" when unversioned), type and size."""

    name: str
    version: str
    kind: str
    size: int
    address: int = 0


def is_elf(path: Path) -> bool:
    if not path.is_file() or path.is_symlink():
        return False
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def _readelf(*args: str | Path) -> str:
    result = subprocess.run(["readelf", *map(str, args)], capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        raise StubError(f"readelf {' '.join(map(str, args))} failed: {result.stderr.strip()}")
    return result.stdout


def soname(library: Path) -> str:
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", _readelf("-d", library))
    return match.group(1) if match else library.name


def needed(elf: Path) -> set[str]:
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", _readelf("-d", elf)))


def dynamic_symbols(elf: Path) -> tuple[dict[str, Symbol], set[str]]:
    """The symbols ``elf`` defines (by name) and the names it imports."""
    defined: dict[str, Symbol] = {}
    undefined: set[str] = set()
    for line in _readelf("--dyn-syms", "-W", elf).splitlines():
        match = _SYMBOL_LINE.match(line)
        if not match:
            continue
        full = match["name"].split(" ", 1)[0]
        name, _, version = full.partition("@")
        version = version.lstrip("@")
        if match["ndx"] == "UND":
            if name:
                undefined.add(name)
            continue
        if match["ndx"] == "ABS" or not name or match["type"] not in {"FUNC", "IFUNC", "OBJECT", "NOTYPE"}:
            continue  # version-node markers and section symbols
        if "@@" not in match["name"] and version:
            continue  # a non-default (old) version; nothing in a fresh link refers to it
        size = int(match["size"], 0)
        defined[name] = Symbol(name, version, match["type"], size, int(match["address"], 16))
    return defined, undefined


# The few BLAS level-1 routines numpy calls on its own: ``import numpy`` checks ``float32`` dot products
# (numpy/__init__.py ``_sanity_check``), and vdot/axpy/copy are cheap to do right.  ILP64 (``long``
# indices), strides as BLAS defines them (a negative stride walks the vector backwards).  Everything else in
# OpenBLAS (gemm, gemv, syrk, LAPACK) stays an aborting stub.
_BLAS_PRELUDE = r"""
#include <complex.h>
typedef long blasint;
/* Index of element i of an n-element vector with stride inc, as BLAS walks it. */
static long podpora_at(blasint i, blasint n, blasint inc) { return inc >= 0 ? i * inc : (i - n + 1) * inc; }
#define PODPORA_SAME(value) (value)
#define PODPORA_DOT(name, T, SUM) \
    T name(blasint n, const T *x, blasint incx, const T *y, blasint incy) { \
        SUM sum = 0; \
        for (blasint i = 0; i < n; i++) sum += (SUM)x[podpora_at(i, n, incx)] * y[podpora_at(i, n, incy)]; \
        return (T)sum; \
    }
#define PODPORA_DOT_SUB(name, T, CONJUGATE) \
    void name(blasint n, const void *xv, blasint incx, const void *yv, blasint incy, void *out) { \
        const T *x = xv, *y = yv; \
        T sum = 0; \
        for (blasint i = 0; i < n; i++) sum += CONJUGATE(x[podpora_at(i, n, incx)]) * y[podpora_at(i, n, incy)]; \
        *(T *)out = sum; \
    }
#define PODPORA_AXPY(name, T) \
    void name(blasint n, T a, const T *x, blasint incx, T *y, blasint incy) { \
        for (blasint i = 0; i < n; i++) y[podpora_at(i, n, incy)] += a * x[podpora_at(i, n, incx)]; \
    }
#define PODPORA_AXPY_COMPLEX(name, T) \
    void name(blasint n, const void *av, const void *xv, blasint incx, void *yv, blasint incy) { \
        const T a = *(const T *)av, *x = xv; \
        T *y = yv; \
        for (blasint i = 0; i < n; i++) y[podpora_at(i, n, incy)] += a * x[podpora_at(i, n, incx)]; \
    }
#define PODPORA_COPY(name, T) \
    void name(const blasint *n, const void *xv, const blasint *incx, void *yv, const blasint *incy) { \
        const T *x = xv; \
        T *y = yv; \
        for (blasint i = 0; i < *n; i++) y[podpora_at(i, *n, *incy)] = x[podpora_at(i, *n, *incx)]; \
    }
"""
# Symbol name pattern (OpenBLAS builds add prefixes and suffixes such as scipy_…64_) → its implementation.
_BLAS_ROUTINES = (
    (re.compile(r"cblas_sdot"), "PODPORA_DOT({name}, float, double)"),
    (re.compile(r"cblas_ddot"), "PODPORA_DOT({name}, double, double)"),
    (re.compile(r"cblas_cdotu_sub"), "PODPORA_DOT_SUB({name}, float _Complex, PODPORA_SAME)"),
    (re.compile(r"cblas_cdotc_sub"), "PODPORA_DOT_SUB({name}, float _Complex, conjf)"),
    (re.compile(r"cblas_zdotu_sub"), "PODPORA_DOT_SUB({name}, double _Complex, PODPORA_SAME)"),
    (re.compile(r"cblas_zdotc_sub"), "PODPORA_DOT_SUB({name}, double _Complex, conj)"),
    (re.compile(r"cblas_saxpy"), "PODPORA_AXPY({name}, float)"),
    (re.compile(r"cblas_daxpy"), "PODPORA_AXPY({name}, double)"),
    (re.compile(r"cblas_caxpy"), "PODPORA_AXPY_COMPLEX({name}, float _Complex)"),
    (re.compile(r"cblas_zaxpy"), "PODPORA_AXPY_COMPLEX({name}, double _Complex)"),
    (re.compile(r"(?<!cblas_)scopy_"), "PODPORA_COPY({name}, float)"),
    (re.compile(r"(?<!cblas_)dcopy_"), "PODPORA_COPY({name}, double)"),
    (re.compile(r"(?<!cblas_)ccopy_"), "PODPORA_COPY({name}, float _Complex)"),
    (re.compile(r"(?<!cblas_)zcopy_"), "PODPORA_COPY({name}, double _Complex)"),
)


def _implementation(name: str) -> str | None:
    """C source of a real implementation for ``name`` (a BLAS level-1 routine), or None for an aborting stub."""
    for pattern, template in _BLAS_ROUTINES:
        if pattern.search(name):
            return template.format(name=name)
    return None


def _stub_source(library_name: str, symbols: list[Symbol]) -> str:
    message = f"podpora: this build leaves out {library_name}, but its function was called: "
    lines = [
        "/* Generated by packaging/slim_bundle.py: a stand-in for a library Podpora never calls. */",
        "#include <stdlib.h>",
        "#include <unistd.h>",
        '__attribute__((visibility("hidden"), noreturn)) void podpora_stub_missing(const char *name) {',
        f"    static const char message[] = {message!r};".replace("'", '"'),
        "    (void)!write(2, message, sizeof message - 1);",
        "    (void)!write(2, name, __builtin_strlen(name));",
        '    (void)!write(2, "\\n", 1);',
        "    abort();",
        "}",
    ]
    implementations = {symbol.name: _implementation(symbol.name) for symbol in symbols}
    if any(implementations.values()):
        lines.append(_BLAS_PRELUDE)
    for symbol in symbols:
        if implementations[symbol.name]:
            lines.append(str(implementations[symbol.name]))
        elif symbol.name in ANSWER_NOTHING:
            lines.append(f"long {symbol.name}(void) {{ return 0; }}")
        elif symbol.kind == "OBJECT":
            size = max(symbol.size, 1)
            lines.append(f"__attribute__((aligned(16))) char {symbol.name}[{size}];")
        else:
            lines.append(f'void {symbol.name}(void) {{ podpora_stub_missing("{symbol.name}"); }}')
    return "\n".join(lines) + "\n"


def _version_script(symbols: list[Symbol]) -> str | None:
    nodes: dict[str, list[str]] = {}
    for symbol in symbols:
        nodes.setdefault(symbol.version, []).append(symbol.name)
    if set(nodes) == {""}:
        return None
    unversioned = nodes.pop("", [])
    parts = []
    for index, (node, names) in enumerate(sorted(nodes.items())):
        extra = unversioned if index == 0 else []
        exported = " ".join(f"{name};" for name in [*names, *extra])
        parts.append(f"{node} {{ global: {exported} local: *; }};")
    return "\n".join(parts) + "\n"


def build_stub(original: Path, wanted_names: set[str], output: Path) -> int:
    """Compile a stub for ``original`` that defines ``wanted_names``; return how many symbols it has."""
    defined, _ = dynamic_symbols(original)
    symbols = sorted((defined[name] for name in wanted_names if name in defined), key=lambda symbol: symbol.name)
    odd = [symbol.name for symbol in symbols if not _C_IDENTIFIER.match(symbol.name)]
    if odd:
        raise StubError(f"{original.name}: symbols that are not C identifiers cannot be stubbed: {odd[:5]}")
    with tempfile.TemporaryDirectory(prefix="podpora-stub-") as scratch:
        source = Path(scratch) / "stub.c"
        source.write_text(_stub_source(original.name, symbols), encoding="utf-8")
        argv = ["gcc", "-shared", "-fPIC", "-O2", "-s", "-Wall", "-Werror", f"-Wl,-soname,{soname(original)}"]
        script = _version_script(symbols)
        if script is not None:
            (Path(scratch) / "stub.map").write_text(script, encoding="utf-8")
            argv.append(f"-Wl,--version-script={Path(scratch) / 'stub.map'}")
        result = subprocess.run(
            [*argv, "-o", str(output), str(source)], capture_output=True, text=True, check=False, timeout=300
        )
        if result.returncode != 0:
            raise StubError(f"gcc could not build the stub for {original.name}:\n{result.stderr[-3000:]}")
    return len(symbols)


# ICU's data (libicudata, 31 MiB) holds every locale, legacy character set and dictionary ICU knows.  Qt
# uses ICU for collation (QCollator) and locale-aware case mapping; Podpora speaks English, Czech and
# Slovak.  Kept: the root locale and en/cs/sk in every tree (collation, currencies, zones...), all
# language-independent data (normalisation, break rules, time zones, likely subtags).  Dropped: other
# languages' locale files (they fall back to the root locale's rules), legacy converters (*.cnv), word
# dictionaries for Thai/Lao/Khmer/Burmese/CJK line breaking (*.dict; Qt breaks lines itself), StringPrep
# profiles (*.spp), the spoof checker's confusables, Unicode character names and transliterators.
ICU_KEEP_LANGUAGES = frozenset({"en", "cs", "sk"})
_ICU_LOCALE_FILE = re.compile(r"^(?P<language>[a-z]{2,3})(_[A-Za-z0-9]*)*\.res$")
_ICU_DATA_SYMBOL = re.compile(r"^icudt\d+_dat$")


def icu_item_unused(item: str) -> bool:
    """True for an item of ICU's data package (``coll/de.res``, ``gb18030.cnv``...) that the bundle drops."""
    folder, _, name = item.rpartition("/")
    if name.endswith((".cnv", ".dict", ".spp", ".cfu")) or name == "unames.icu" or folder == "translit":
        return True
    match = _ICU_LOCALE_FILE.match(name)
    return bool(match) and match["language"] not in ICU_KEEP_LANGUAGES


def slim_icu_data(library: Path) -> dict[str, int]:
    """Rebuild ``libicudata.so.NN`` with only the items :func:`icu_item_unused` keeps; needs icupkg."""
    symbols = [symbol for symbol in dynamic_symbols(library)[0].values() if _ICU_DATA_SYMBOL.match(symbol.name)]
    if len(symbols) != 1:
        raise StubError(f"{library.name} does not look like ICU's data library (symbols: {symbols})")
    symbol = symbols[0]
    sections = _readelf("-S", "-W", library)
    # The data is the one symbol in .rodata; find its file offset from the section's address and offset.
    rodata = re.search(r"\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", sections)
    if rodata is None:
        raise StubError(f"{library.name} has no .rodata section")
    file_offset = symbol.address - int(rodata.group(1), 16) + int(rodata.group(2), 16)
    package_name = symbol.name.removesuffix("_dat") + "l"  # icudt73l: little-endian ASCII data
    with tempfile.TemporaryDirectory(prefix="podpora-icu-") as scratch:
        folder = Path(scratch)
        original = folder / "original" / f"{package_name}.dat"
        original.parent.mkdir()
        with library.open("rb") as handle:
            handle.seek(file_offset)
            original.write_bytes(handle.read(symbol.size))
        listing = subprocess.run(
            ["icupkg", "-l", str(original)], capture_output=True, text=True, check=False, timeout=120
        )
        if listing.returncode != 0:
            raise StubError(f"icupkg cannot read the data in {library.name}: {listing.stderr.strip()}")
        items = listing.stdout.split()
        unused = [item for item in items if icu_item_unused(item)]
        (folder / "remove.txt").write_text("\n".join(unused) + "\n", encoding="utf-8")
        slimmed = folder / f"{package_name}.dat"
        # --ignore-deps: brkitr/root.res names the dropped dictionaries; ICU then breaks those scripts by rule.
        result = subprocess.run(
            ["icupkg", "--ignore-deps", "-r", str(folder / "remove.txt"), str(original), str(slimmed)],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if result.returncode != 0 or not slimmed.is_file():
            raise StubError(f"icupkg could not slim {library.name}: {result.stderr.strip()[-2000:]}")
        (folder / "data.S").write_text(
            "\n".join(
                [
                    "    .section .rodata",
                    f"    .globl {symbol.name}",
                    f"    .type {symbol.name}, @object",
                    "    .balign 16",
                    f"{symbol.name}:",
                    f'    .incbin "{slimmed}"',
                    f"    .size {symbol.name}, . - {symbol.name}",
                    '    .section .note.GNU-stack,"",@progbits',
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        output = folder / library.name
        compiled = subprocess.run(
            [
                "gcc",
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{soname(library)}",
                "-o",
                str(output),
                str(folder / "data.S"),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if compiled.returncode != 0:
            raise StubError(f"gcc could not build the slim {library.name}: {compiled.stderr[-2000:]}")
        before = library.stat().st_size
        library.unlink()
        output.replace(library)
    return {
        "items_before": len(items),
        "items_after": len(items) - len(unused),
        "bytes_before": before,
        "bytes_after": library.stat().st_size,
    }


def slim(bundle: Path) -> dict[str, object]:
    """Stub the libraries in :data:`STUBBED` inside ``bundle`` and delete the ones nothing needs any more."""
    internal = bundle / "_internal"
    targets = [
        library
        for folder, prefix in STUBBED
        for library in sorted((internal / folder).glob(f"{prefix}*"))
        if is_elf(library)
    ]
    elves = [item for item in bundle.rglob("*") if is_elf(item)]
    needed_before = {item: needed(item) for item in elves}
    target_set = set(targets)
    stubbed: dict[str, dict[str, int]] = {}
    for library in targets:
        # Only what the library's direct users import from it: a stub that exported more could interpose
        # on a symbol some other library is meant to get from elsewhere.
        name = soname(library)
        imported: set[str] = set()
        for item in elves:
            if item not in target_set and name in needed_before[item]:
                imported |= dynamic_symbols(item)[1]
        before = library.stat().st_size
        with tempfile.TemporaryDirectory(prefix="podpora-stub-out-") as scratch:
            output = Path(scratch) / library.name
            count = build_stub(library, imported, output)
            library.unlink()
            output.replace(library)
        stubbed[library.name] = {"symbols": count, "bytes_before": before, "bytes_after": library.stat().st_size}
    # Libraries the originals needed that nothing needs now (checked to a fixed point, in *.libs only:
    # those are named only through DT_NEEDED, never loaded by path).
    removed: list[str] = []
    while True:
        present = [item for item in bundle.rglob("*") if is_elf(item)]
        still_needed = set().union(*(needed(item) for item in present))
        previously_needed = set().union(*needed_before.values())
        orphans = [
            item
            for item in present
            if item.parent.name.endswith(".libs")
            and item not in target_set
            and soname(item) in previously_needed
            and soname(item) not in still_needed
        ]
        if not orphans:
            break
        for item in orphans:
            removed.append(item.name)
            item.unlink()
    icu: dict[str, dict[str, int]] = {}
    for library in sorted(internal.rglob("libicudata.so*")):
        if is_elf(library):
            icu[library.name] = slim_icu_data(library)
    return {"stubbed": stubbed, "removed": sorted(removed), "icu_data": icu}
