"""A canonical zip container for case bundles: every byte of the file is determined by its entries.

Why our own writer: a bundle must show tampering anywhere, including in bytes that do not change any file's
content, such as a local header's CRC, padding or trailing data.  With a fixed layout (fixed time stamps, no
extra fields, no comments, entries in order, central directory right after them), :func:`build_zip` of the
entries read back must reproduce the file byte for byte.  Each entry's *stored* bytes (deflated or not) are
hashed into the signed statement as well, so a change to compressed data that decompresses to the same content
is caught too.  The files are ordinary zips: any unzip tool opens them.  No ZIP64: bundles stay under 4 GB.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

STORED = 0
DEFLATED = 8
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
_VERSION_NEEDED = 20
_MADE_BY = (3 << 8) | 20  # Unix host, so the file mode below means something
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00: the same case gives the same bytes
_FILE_MODE = 0o100644 << 16
_UTF8_FLAG = 0x800
LIMIT = 0xFFFFFFFF


class ZipFormatError(ValueError):
    """The bytes are not a zip this module can read."""


@dataclass(frozen=True)
class ZipEntry:
    """One file: its name, how it is stored, the CRC and size of its content, and its stored bytes."""

    name: str
    method: int
    crc: int
    size: int
    payload: bytes

    @classmethod
    def make(cls, name: str, content: bytes, *, compress: bool = True) -> ZipEntry:
        """Build an entry from content (deflated at level 6, or stored)."""
        if len(content) >= LIMIT:
            raise ZipFormatError(f"{name} is too large for a bundle")
        if compress:
            deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload = deflater.compress(content) + deflater.flush()
            return cls(name, DEFLATED, zlib.crc32(content), len(content), payload)
        return cls(name, STORED, zlib.crc32(content), len(content), content)

    def content(self) -> bytes:
        """Decompress and check CRC and size; raise :class:`ZipFormatError` when they do not match."""
        if self.method == STORED:
            data = self.payload
        elif self.method == DEFLATED:
            inflater = zlib.decompressobj(-15)
            try:
                data = inflater.decompress(self.payload, self.size + 1)
            except zlib.error as error:
                raise ZipFormatError(f"{self.name} cannot be decompressed") from error
            if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
                raise ZipFormatError(f"{self.name} has extra or missing compressed bytes")
        else:
            raise ZipFormatError(f"{self.name} uses an unsupported compression method {self.method}")
        if len(data) != self.size or zlib.crc32(data) != self.crc:
            raise ZipFormatError(f"{self.name} fails its CRC check")
        return data


def _flags(name: str) -> int:
    return 0 if name.isascii() else _UTF8_FLAG


def build_zip(entries: list[ZipEntry]) -> bytes:
    """The canonical zip file of ``entries``, in the order given."""
    body = bytearray()
    central = bytearray()
    for entry in entries:
        name = entry.name.encode("utf-8")
        offset = len(body)
        if offset >= LIMIT or len(entry.payload) >= LIMIT:
            raise ZipFormatError("the bundle is too large (over 4 GB)")
        fields = (entry.method, _DOS_TIME, _DOS_DATE, entry.crc, len(entry.payload), entry.size, len(name), 0)
        body += _LOCAL.pack(_LOCAL_SIG, _VERSION_NEEDED, _flags(entry.name), *fields) + name + entry.payload
        central += (
            _CENTRAL.pack(
                _CENTRAL_SIG, _MADE_BY, _VERSION_NEEDED, _flags(entry.name), *fields, 0, 0, 0, _FILE_MODE, offset
            )
            + name
        )
    end = _END.pack(_END_SIG, 0, 0, len(entries), len(entries), len(central), len(body), 0)
    return bytes(body + central + end)


def read_zip(data: bytes) -> list[ZipEntry]:
    """Read the entries of a zip (leniently: any ordinary zip without ZIP64), in central-directory order."""
    position = data.rfind(struct.pack("<I", _END_SIG))
    if position < 0 or position + _END.size > len(data):
        raise ZipFormatError("no end-of-archive record (the file is cut short or not a zip)")
    _, _, _, _, count, cd_size, cd_offset, _ = _END.unpack_from(data, position)
    if cd_offset + cd_size > position:
        raise ZipFormatError("the central directory lies outside the file")
    entries: list[ZipEntry] = []
    cursor = cd_offset
    for _ in range(count):
        if cursor + _CENTRAL.size > len(data):
            raise ZipFormatError("the central directory is cut short")
        fields = _CENTRAL.unpack_from(data, cursor)
        if fields[0] != _CENTRAL_SIG:
            raise ZipFormatError("damaged central directory")
        flags, method, crc, csize, size = fields[3], fields[4], fields[7], fields[8], fields[9]
        name_len, extra_len, comment_len, offset = fields[10], fields[11], fields[12], fields[16]
        name = data[cursor + _CENTRAL.size : cursor + _CENTRAL.size + name_len].decode(
            "utf-8" if flags & _UTF8_FLAG else "cp437"
        )
        cursor += _CENTRAL.size + name_len + extra_len + comment_len
        if offset + _LOCAL.size > len(data):
            raise ZipFormatError(f"{name}: its data lies outside the file")
        local = _LOCAL.unpack_from(data, offset)
        if local[0] != _LOCAL_SIG:
            raise ZipFormatError(f"{name}: damaged local header")
        start = offset + _LOCAL.size + local[9] + local[10]
        if start + csize > len(data):
            raise ZipFormatError(f"{name}: its data is cut short")
        entries.append(ZipEntry(name, method, crc, size, data[start : start + csize]))
    return entries
