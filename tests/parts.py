"""Compare workbooks part by part (the XlsxWriter way): every zip part's XML, canonicalised."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree.ElementTree import canonicalize

VOLATILE = {"docProps/core.xml"}  # creation and modification times


def parts(path: str | Path) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    with zipfile.ZipFile(path) as zf:
        for name in sorted(zf.namelist()):
            if name in VOLATILE:
                continue
            data = zf.read(name)
            out[name] = canonicalize(data.decode("utf-8")) if name.endswith((".xml", ".rels", ".vml")) else data
    return out


def differing_parts(a: str | Path, b: str | Path) -> list[str]:
    pa, pb = parts(a), parts(b)
    return sorted(n for n in pa.keys() | pb.keys() if pa.get(n) != pb.get(n))
