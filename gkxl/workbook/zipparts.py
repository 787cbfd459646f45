"""The template's zip rewritten part by part, without `zipfile` (whose import pulls in pathlib, shutil, bz2,
lzma, threading and importlib.util: a quarter of a small merge's imports).

Parts left unchanged are copied as they are stored, compressed, with no inflating and deflating again (the
校验 sheet alone is 650 kB of XML); changed parts are deflated anew; new parts are streamed. Only what gkxl's
own committed templates use is supported (deflated or stored entries, no zip64, no encryption): anything else
raises ValueError, and the template cannot have it.

Its central-directory reader is not gkxl.read.package's: that one checks hostile input and says what is wrong
in Chinese; this one reads gkxl's own template, keeps each entry's record to copy it, and runs standalone
(standard library only), as setup.py loads it to split the templates a wheel ships.
"""

from __future__ import annotations

import struct
import time
import zlib

_EOCD = b"PK\x05\x06"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_DEFLATED, _STORED = 8, 0
_CENTRAL_FIXED = struct.Struct("<4s6H3L5H2L")  # 46 bytes, up to the name
_LOCAL_FIXED = struct.Struct("<4s5H3L2H")  # 30 bytes, up to the name
_DATA_DESCRIPTOR = 0x08  # flag bit 3: sizes after the data (never written here: the sizes are in the header)
_LIMIT = 0xFFFFFFFF


_FLUSH = b"\x00\x00\xff\xff"  # the empty stored block a deflate full flush ends with
FOOTER = b"<headerFooter"  # where a template's sheets are split: the footer is all a filled copy changes there
_TAIL_SEARCH = 8192  # the split is this close to the end: a sheet's page setup and footer


class Entry:
    """One part of the template: its central-directory record and where its stored bytes are."""

    __slots__ = ("central", "crc", "method", "name", "raw", "size")

    def __init__(self, central: bytes, name: str, method: int, crc: int, size: int, raw: memoryview) -> None:
        self.central, self.name, self.method, self.crc, self.size, self.raw = central, name, method, crc, size, raw

    def read(self) -> bytes:
        if self.method == _STORED:
            return bytes(self.raw)
        if self.method == _DEFLATED:
            return zlib.decompress(self.raw, -15)
        raise ValueError(f"{self.name}: compression method {self.method} not supported")

    def split(self, marker: bytes = FOOTER) -> tuple[int, bytes] | None:
        """(offset, tail) when the stored stream was fully flushed near its end, just before `marker`
        (`split_template`): `raw[:offset]` inflates to the part's content but for `tail`, and the bytes after it
        inflate to `tail` on their own. None for any other entry (it is then inflated and deflated whole)."""
        if self.method != _DEFLATED:
            return None
        start = max(0, len(self.raw) - _TAIL_SEARCH)
        at = bytes(self.raw[start:]).rfind(_FLUSH)
        if at < 0:
            return None
        at += start + len(_FLUSH)
        inflate = zlib.decompressobj(-15)
        try:
            tail = inflate.decompress(self.raw[at:])
        except zlib.error:
            return None
        if not inflate.eof or inflate.unused_data or len(tail) > self.size or not tail.startswith(marker):
            return None
        return at, tail


def read_entries(path: str) -> list[Entry]:
    """The parts of the zip at `path`, in its central directory's order."""
    with open(path, "rb") as f:
        data = memoryview(f.read())
    end = bytes(data[-(22 + 0xFFFF) :]).rfind(_EOCD)
    if end < 0:
        raise ValueError(f"{path}: not a zip file")
    end += max(0, len(data) - (22 + 0xFFFF))
    count, _, at = struct.unpack_from("<2xHLL", data, end + 8)
    out = []
    for _ in range(count):
        fields = _CENTRAL_FIXED.unpack_from(data, at)
        if fields[0] != _CENTRAL:
            raise ValueError(f"{path}: damaged central directory")
        flags, method, crc, csize, size = fields[3], fields[4], fields[7], fields[8], fields[9]
        name_len, extra_len, comment_len, offset = fields[10], fields[11], fields[12], fields[16]
        if flags & 0x01 or _LIMIT in (csize, size, offset):
            raise ValueError(f"{path}: encrypted or zip64 entries are not supported")
        total = _CENTRAL_FIXED.size + name_len + extra_len + comment_len
        central = bytes(data[at : at + total])
        name = central[_CENTRAL_FIXED.size : _CENTRAL_FIXED.size + name_len]
        # Names are ASCII in gkxl's templates: the cp437 codec (a module of its own) only for any other.
        name = name.decode("utf-8" if flags & 0x800 or name.isascii() else "cp437")
        local = _LOCAL_FIXED.unpack_from(data, offset)
        if local[0] != _LOCAL:
            raise ValueError(f"{path}: damaged entry {name}")
        start = offset + _LOCAL_FIXED.size + local[9] + local[10]
        out.append(Entry(central, name, method, crc, size, data[start : start + csize]))
        at += total
    return out


class ZipWriter:
    """A zip written entry by entry to a seekable binary file."""

    def __init__(self, stream) -> None:
        self.stream, self.central, self.count = stream, [], 0

    def _entry(self, template: bytes | None, name: bytes, method: int, crc: int, csize: int, size: int,
               write_data) -> None:  # fmt: skip
        """Write one entry's local header and data; remember its central record (from `template`'s, or new)."""
        offset = self.stream.tell()
        if template is not None:
            f = list(_CENTRAL_FIXED.unpack_from(template))
            tail = template[_CENTRAL_FIXED.size :]
        else:
            t = time.localtime()
            dostime = t.tm_hour << 11 | t.tm_min << 5 | t.tm_sec // 2
            dosdate = (t.tm_year - 1980) << 9 | t.tm_mon << 5 | t.tm_mday
            f = [_CENTRAL, 3 << 8 | 20, 20, 0x800, method, dostime, dosdate, 0, 0, 0, len(name), 0, 0, 0, 0,
                 0o600 << 16, 0]  # fmt: skip
            tail = name
        f[3] &= ~_DATA_DESCRIPTOR
        f[4] = method
        local = _LOCAL_FIXED.pack(_LOCAL, f[2], f[3], method, f[5], f[6], crc, csize, size, len(name), 0)
        self.stream.write(local + name)
        if write_data is not None:
            crc, csize, size = write_data()
            end = self.stream.tell()
            self.stream.seek(offset + 14)
            self.stream.write(struct.pack("<3L", crc, csize, size))
            self.stream.seek(end)
        if max(csize, size, offset) >= _LIMIT:
            raise ValueError(f"{name.decode('utf-8')}: too large for a zip without zip64")
        f[7], f[8], f[9], f[16] = crc, csize, size, offset
        self.central.append(_CENTRAL_FIXED.pack(*f) + tail[: f[10] + f[11] + f[12]])
        self.count += 1

    def copy(self, entry: Entry) -> None:
        """The template's entry as it is stored."""
        self._entry(entry.central, _name(entry), entry.method, entry.crc, len(entry.raw), entry.size, None)
        self.stream.write(entry.raw)

    def replace(self, entry: Entry, data: bytes, level: int) -> None:
        """The template's entry with new content."""
        packed = zlib.compressobj(level, zlib.DEFLATED, -15)
        body = packed.compress(data) + packed.flush()
        self._entry(entry.central, _name(entry), _DEFLATED, zlib.crc32(data), len(body), len(data), None)
        self.stream.write(body)

    def replace_tail(self, entry: Entry, split: tuple[int, bytes], tail: bytes, level: int) -> None:
        """The template's entry with the `split` tail of its content (`Entry.split`) replaced by `tail`: the
        stored bytes before the split are copied as they are, only the tail is deflated anew."""
        at, old = split
        packed = zlib.compressobj(level, zlib.DEFLATED, -15)
        body = packed.compress(tail) + packed.flush()
        crc = zlib.crc32(tail, crc_before(entry.crc, old))
        size = entry.size - len(old) + len(tail)
        self._entry(entry.central, _name(entry), _DEFLATED, crc, at + len(body), size, None)
        self.stream.write(entry.raw[:at])
        self.stream.write(body)

    def replace_split(self, entry: Entry, data: bytes, at: int, level: int) -> None:
        """The template's entry with content `data`, deflated with a full flush at `at`, so that the part after
        `at` can later be replaced alone (`replace_tail`)."""
        packed = zlib.compressobj(level, zlib.DEFLATED, -15)
        body = packed.compress(data[:at]) + packed.flush(zlib.Z_FULL_FLUSH) + packed.compress(data[at:])
        body += packed.flush()
        self._entry(entry.central, _name(entry), _DEFLATED, zlib.crc32(data), len(body), len(data), None)
        self.stream.write(body)

    def stream_new(self, name: str, level: int, fill) -> None:
        """A new entry whose content `fill(out)` writes to `out.write` in pieces."""
        sink = _Deflating(self.stream, level)
        self._entry(None, name.encode("utf-8"), _DEFLATED, 0, 0, 0, lambda: (fill(sink), sink.close())[1])

    def close(self) -> None:
        at = self.stream.tell()
        directory = b"".join(self.central)
        self.stream.write(directory)
        self.stream.write(struct.pack("<4s4H2LH", _EOCD, 0, 0, self.count, self.count, len(directory), at, 0))


def _name(entry: Entry) -> bytes:
    return entry.central[_CENTRAL_FIXED.size : _CENTRAL_FIXED.size + _CENTRAL_FIXED.unpack_from(entry.central)[10]]


class _Deflating:
    """A write() that deflates into the zip as it goes; close() gives (crc, compressed size, size)."""

    def __init__(self, stream, level: int) -> None:
        self.stream, self.packer, self.crc, self.size, self.csize = stream, zlib.compressobj(level, 8, -15), 0, 0, 0

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        body = self.packer.compress(data)
        self.csize += len(body)
        self.stream.write(body)

    def close(self) -> tuple[int, int, int]:
        body = self.packer.flush()
        self.csize += len(body)
        self.stream.write(body)
        return self.crc, self.csize, self.size


_CRC_TABLE: list[int] = []
_CRC_TOP: dict[int, int] = {}


def crc_before(crc: int, tail: bytes) -> int:
    """The CRC-32 of a content without its last bytes `tail`, from the CRC of the whole (zlib.crc32's
    convention): `zlib.crc32(tail, crc_before(c, tail)) == c`. Each CRC-32 step is invertible: the top byte
    of the register after a step names the table entry that step used."""
    if not _CRC_TABLE:
        # Entry j of the (reflected) CRC-32 table, from zlib itself: crc32 of one byte is T[b ^ 0xFF] ^ 0xFF000000.
        _CRC_TABLE.extend(zlib.crc32(bytes([j ^ 0xFF])) ^ 0xFF000000 for j in range(256))
        _CRC_TOP.update((t >> 24, j) for j, t in enumerate(_CRC_TABLE))
    table, top = _CRC_TABLE, _CRC_TOP
    register = crc ^ 0xFFFFFFFF
    for byte in reversed(tail):
        j = top[register >> 24]
        register = ((register ^ table[j]) << 8) & 0xFFFFFFFF | (j ^ byte)
    return register ^ 0xFFFFFFFF


def split_template(source: str, target: str, marker: bytes = FOOTER, level: int = 9) -> None:
    """Copy the zip `source` to `target` with every deflated part that holds `marker` deflated in two pieces,
    fully flushed just before the marker's last occurrence (setup.py, for the templates a wheel ships): a
    writer that changes only what follows (a sheet's footer) then copies the rest as stored
    (`Entry.split`, `ZipWriter.replace_tail`). The content of every part stays the same."""
    entries = read_entries(source)
    with open(target, "wb") as f:
        out = ZipWriter(f)
        for entry in entries:
            data = entry.read() if entry.method == _DEFLATED else b""
            at = data.rfind(marker)
            if at > 0:
                out.replace_split(entry, data, at, level)
            else:
                out.copy(entry)
        out.close()
