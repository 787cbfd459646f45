"""The roster (名册): the units expected to report, read from .xlsx or .csv and checked before any use.

A report is matched to a roster unit by 单位代码 when both have one, else by name or alias compared with
`unit_key` (width, spaces, invisible characters ignored). Nothing is matched by similarity: a name that
is not in the roster stays unmatched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gkxl.errors import GkxlError
from gkxl.read.reader import unit_key

COLUMNS = ("单位代码", "单位名称", "别名", "单位类型", "上级单位", "联系人", "联系电话")
ALIAS_SEPARATORS = ("；", ";")  # the roster asks for '；'; an ASCII ';' typed by mistake means the same
MAX_ROWS = 20000


class RosterError(GkxlError):
    """A roster that cannot be used; the message names every problem by row."""


@dataclass(frozen=True)
class Unit:
    """One roster row."""

    row: int  # as numbered in the file (the header is row 1)
    name: str
    code: str | None = None
    aliases: tuple[str, ...] = ()
    kind: str | None = None  # 单位类型
    parent: str | None = None
    contact: str | None = None
    phone: str | None = None

    @property
    def id(self) -> str:
        """How the version store names the unit: its code, else its normalised name."""
        return f"code:{self.code}" if self.code else f"name:{unit_key(self.name)}"

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


@dataclass
class Roster:
    path: Path
    units: list[Unit]
    by_code: dict[str, Unit] = field(default_factory=dict)
    by_name: dict[str, Unit] = field(default_factory=dict)  # unit_key of names and aliases

    def __post_init__(self) -> None:
        for unit in self.units:
            if unit.code:
                self.by_code[unit.code] = unit
            for name in (unit.name, *unit.aliases):
                self.by_name.setdefault(unit_key(name), unit)

    def match(self, name: str | None, code: str | None = None) -> Unit | None:
        """The roster unit a report names; None when it names none (never a near miss)."""
        code = normal_code(code)
        if code and code in self.by_code:
            return self.by_code[code]
        unit = self.by_name.get(unit_key(name)) if unit_key(name) else None
        if unit and code and unit.code and unit.code != code:
            return None  # both sides have a code and they differ: the name alone does not decide
        return unit

    def find(self, text: str) -> Unit | None:
        """A unit as a person names it on the command line: code, name or alias."""
        return self.by_code.get(normal_code(text) or "") or self.by_name.get(unit_key(text))

    def key(self, name: str | None, code: str | None = None) -> str:
        """A unit's identity for duplicate checks and year-to-year matching: the roster unit when the roster
        knows it, else the normalised name (so two unknown spellings of one name still collide)."""
        unit = self.match(name, code)
        return unit.id if unit else f"name:{unit_key(name)}"

    def same_unit(self, a, b) -> bool:
        """Whether two reports (anything with .unit and .unit_code) are of one unit."""
        return self.key(a.unit, a.unit_code) == self.key(b.unit, b.unit_code)


def normal_code(code: object) -> str | None:
    if code is None:
        return None
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    text = unit_key(str(code))
    return text or None


def default_db(roster_path: str | Path) -> Path:
    """The roster's companion database: 名册.xlsx -> 名册.gkxl.sqlite beside it."""
    path = Path(roster_path)
    return path.with_name(f"{path.stem}.gkxl.sqlite")


def load_roster(path: str | Path) -> Roster:
    path = Path(path)
    if not path.is_file():
        raise RosterError("名册文件不存在" if not path.exists() else "名册应是一个文件，不是文件夹", path)
    rows = _read_rows(path)
    units, problems = _parse(rows)
    problems += _conflicts(units)
    if problems:
        raise RosterError("名册有问题，请改正后再用：\n  " + "\n  ".join(problems), path)
    if not units:
        raise RosterError("名册中没有单位", path)
    return Roster(path, units)


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    raise RosterError("名册应为 .xlsx 或 .csv 文件", path)


def _csv_rows(path: Path) -> list[list[str]]:
    import csv
    import io

    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError("名册编码无法识别（请存为 UTF-8 或 GB18030 的 CSV）", path)
    return [row for row in csv.reader(io.StringIO(text))][: MAX_ROWS + 1]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        grid = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
    except Exception as exc:  # calamine raises several types for broken files
        raise RosterError(f"名册工作簿无法读取（{type(exc).__name__}）", path) from None
    return [[_text(v) for v in row] for row in grid]


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number
    return "" if value is None else str(value)


def _parse(rows: list[list[str]]) -> tuple[list[Unit], list[str]]:
    if not rows:
        return [], ["名册是空的：第 1 行应为表头 " + " | ".join(COLUMNS)]
    header = [unit_key(h) for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [f"第 1 行（表头）缺少列：{'、'.join(missing)}（应为 {' | '.join(COLUMNS)}）"]
    index = {c: header.index(c) for c in COLUMNS}
    units, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = {c: _clean(row[i]) if i < len(row) else "" for c, i in index.items()}
        if not any(cells.values()):
            continue  # an empty row
        if not cells["单位名称"]:
            problems.append(f"第 {number} 行：单位名称为空")
            continue
        aliases = tuple(a for a in _split_aliases(cells["别名"]) if unit_key(a))
        units.append(
            Unit(
                number,
                cells["单位名称"],
                normal_code(cells["单位代码"]),
                aliases,
                *(cells[c] or None for c in ("单位类型", "上级单位", "联系人", "联系电话")),
            )
        )
    return units, problems


def _clean(value: str) -> str:
    return " ".join(str(value).split())


def _split_aliases(text: str) -> list[str]:
    for sep in ALIAS_SEPARATORS[1:]:
        text = text.replace(sep, ALIAS_SEPARATORS[0])
    return [a.strip() for a in text.split(ALIAS_SEPARATORS[0])]


def _conflicts(units: list[Unit]) -> list[str]:
    """Duplicate codes and names, and aliases that name another unit."""
    problems = []
    codes: dict[str, Unit] = {}
    names: dict[str, Unit] = {}
    for unit in units:
        if unit.code and unit.code in codes:
            problems.append(f"第 {unit.row} 行：单位代码“{unit.code}”与第 {codes[unit.code].row} 行重复")
        elif unit.code:
            codes[unit.code] = unit
        key = unit_key(unit.name)
        if key in names:
            problems.append(f"第 {unit.row} 行：单位名称“{unit.name}”与第 {names[key].row} 行重复")
        else:
            names[key] = unit
    aliases: dict[str, Unit] = {}
    for unit in units:
        for alias in unit.aliases:
            key = unit_key(alias)
            other = names.get(key)
            if other is not None and other is not unit:
                problems.append(f"第 {unit.row} 行：别名“{alias}”是第 {other.row} 行单位的名称")
            elif key in aliases and aliases[key] is not unit:
                problems.append(f"第 {unit.row} 行：别名“{alias}”也是第 {aliases[key].row} 行单位的别名")
            else:
                aliases[key] = unit
    return sorted(problems, key=lambda p: int(p.split(" ")[1]))
