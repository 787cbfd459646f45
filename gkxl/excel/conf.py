"""Where xlwings' VBA module looks for the Python to run: the `xlwings.conf` sheet and the user's config file.

RunPython reads each setting from, in order: the workbook's `xlwings.conf` sheet (column A key, column B
value), an `xlwings.conf` file beside the workbook, the user's `~/.xlwings/xlwings.conf`, then the
default `python` on PATH. The template's sheet holds no interpreter, so the user file written once per PC
by `gkxl excel-setup` serves every gkxl workbook the clerk opens, including copies mailed from elsewhere.

xlwings itself is not imported here (only gkxl.excel.buttons does): these are plain files.
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from gkxl.atomic import atomic_path
from gkxl.errors import GkxlError
from gkxl.read.package import sheet_part
from gkxl.workbook.xlsm import CONF_SHEET

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def interpreter_key() -> str:
    """The setting RunPython reads on this platform."""
    return "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"


def machine_config_path(environ: dict[str, str] | None = None) -> Path:
    """%ProgramData%\\gkxl\\xlwings.conf: the interpreter for every account of this PC (excel-setup --all-users).

    The buttons' macros copy its INTERPRETER_WIN into an account's own xlwings.conf on its first click, so
    one setup by the administrator serves every clerk who logs on to the PC.
    """
    env = os.environ if environ is None else environ
    base = env.get("ProgramData") or env.get("PROGRAMDATA") or ("C:\\ProgramData" if os.name == "nt" else "/etc")
    return Path(base) / "gkxl" / "xlwings.conf"


def user_config_path() -> Path:
    """~/.xlwings/xlwings.conf (Windows: %USERPROFILE%), or the sandboxed folder of Excel on a Mac."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return Path.home() / ".xlwings" / "xlwings.conf"


def _file_encoding() -> str:
    # What the file is read back in when it holds anything but ASCII: VBA's `Input #` reads the ANSI code
    # page (cp936 on a Chinese Windows). gkxl itself writes only ASCII values (see portable_path), which
    # every reader agrees on: VBA, and xlwings' Python side under UTF-8 mode (default from Python 3.15).
    return "mbcs" if os.name == "nt" else "utf-8"


# Folders whose environment variable may stand for them in a setting: xlwings' VBA expands %NAME% in every
# value it reads (ExpandEnvironmentStrings), so C:\Users\张三\AppData\Local\... is written as
# %LOCALAPPDATA%\... and stays ASCII. Checked longest value first.
PATH_VARIABLES = ("LOCALAPPDATA", "APPDATA", "USERPROFILE", "PROGRAMDATA", "PROGRAMFILES", "PROGRAMFILES(X86)",
                  "SYSTEMDRIVE")


def _short_path(path: str) -> str | None:
    """The Windows 8.3 spelling of `path` (ASCII where the volume keeps short names), or None."""
    if os.name != "nt":
        return None
    import ctypes

    buffer = ctypes.create_unicode_buffer(1024)
    size = ctypes.windll.kernel32.GetShortPathNameW(path, buffer, len(buffer))  # type: ignore[attr-defined]
    return buffer.value if 0 < size < len(buffer) else None


def portable_path(path: str, environ: dict[str, str] | None = None) -> str:
    """`path` spelled in ASCII so that Excel's VBA and Python read the same text whatever the code page.

    A non-ASCII path (a Chinese user name) becomes %VARIABLE%\\rest for the longest matching folder variable,
    else its Windows short path; a path neither can make ASCII is refused with what to do instead.
    """
    if path.isascii():
        return path
    env = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
    fold = str.lower if os.name == "nt" or "\\" in path else str
    matches = []
    for name in PATH_VARIABLES:
        value = (env.get(name) or "").rstrip("\\/")
        if value and fold(path).startswith(fold(value)) and path[len(value) : len(value) + 1] in ("\\", "/"):
            matches.append((len(value), name))
    for _, name in sorted(matches, reverse=True):
        spelled = f"%{name}%" + path[len(env[name].rstrip("\\/")) :]
        if spelled.isascii():
            return spelled
    short = _short_path(path)
    if short and short.isascii():
        return short
    raise GkxlError(
        f"Python 的路径含有中文等非英文字符，Excel 按钮无法可靠读取：{path}。"
        "请把 Python 安装到只含英文字母和数字的文件夹（如 C:\\Python312），"
        "或“为所有用户安装”，然后重新运行 gkxl excel-setup"
    )


def _parse_line(line: str) -> tuple[str, str] | None:
    m = re.fullmatch(r'\s*"([^"]*)"\s*,\s*"([^"]*)"\s*', line)
    return (m.group(1), m.group(2)) if m else None


def write_user_config(settings: dict[str, str], path: Path | None = None) -> Path:
    """Set `settings` in the user's xlwings.conf, keeping its other lines (as `xlwings config` does)."""
    path = path or user_config_path()
    encoding = _file_encoding()
    lines = path.read_text(encoding=encoding, errors="replace").splitlines() if path.exists() else []
    keep = [ln for ln in lines if ln.strip() and (_parse_line(ln) or ("",))[0].upper() not in settings]
    for key, value in settings.items():
        if '"' in value:
            raise GkxlError(f"设置值不能含有英文双引号：{value}", path)
        keep.append(f'"{key}","{value}"')
    try:
        text = "\r\n".join(keep) + "\r\n"
        data = text.encode(encoding)
    except UnicodeEncodeError:
        raise GkxlError("路径含有本机字符集无法表示的字符，请改用 --workbook 写入工作簿", path) from None
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def read_user_config(path: Path | None = None) -> dict[str, str]:
    path = path or user_config_path()
    if not path.exists():
        return {}
    lines = path.read_text(encoding=_file_encoding(), errors="replace").splitlines()
    return dict(p for p in map(_parse_line, lines) if p)


def sheet_xml(settings: dict[str, str], sheet_pr: str = "") -> bytes:
    """The worksheet part of an `xlwings.conf` sheet: one row per setting, key in A, value in B."""

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'

    rows = "".join(
        f'<row r="{i}">{cell(f"A{i}", key)}{cell(f"B{i}", value)}</row>'
        for i, (key, value) in enumerate(settings.items(), 1)
    )
    cols = (
        '<cols><col min="1" max="1" width="34" customWidth="1"/>'
        + '<col min="2" max="2" width="60" customWidth="1"/></cols>'
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"{sheet_pr}{cols}<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def set_workbook_settings(source: Path, target: Path, settings: dict[str, str]) -> Path:
    """Write a copy of the macro-enabled workbook `source` to `target` whose xlwings.conf sheet also holds
    `settings`. Every other part is copied unchanged (buttons and the VBA project included)."""
    from gkxl.read.package import check_package

    if target.resolve() == source.resolve():
        raise GkxlError("输出文件不能覆盖原文件，请换一个文件名", target)
    package = check_package(source)  # its relationships parsed leniently: broken ones find no sheet
    with zipfile.ZipFile(source) as zf:
        part = sheet_part(package, CONF_SHEET)
        if part is None or part not in package.parts:
            raise GkxlError(f"工作簿中没有“{CONF_SHEET}”工作表（请用 gkxl template --xlsm 生成的模板）", source)
        old = zf.read(part)
        current = _sheet_values(source)
        sheet_pr = re.search(rb"<sheetPr\b[^>]*?(?:/>|>.*?</sheetPr>)", old, re.S)
        new = sheet_xml({**current, **settings}, sheet_pr.group().decode() if sheet_pr else "")
        with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info in zf.infolist():
                out.writestr(info, new if info.filename == part else zf.read(info.filename))
    return target


def _sheet_values(source: Path) -> dict[str, str]:
    """Key/value rows of the conf sheet, whether written by gkxl (inline strings) or saved by Excel."""
    from openpyxl import load_workbook

    wb = load_workbook(source, read_only=True)
    try:
        rows = wb[CONF_SHEET].iter_rows(min_col=1, max_col=2, values_only=True)
        return {str(k): "" if v is None else str(v) for k, v in rows if k not in (None, "")}
    finally:
        wb.close()
