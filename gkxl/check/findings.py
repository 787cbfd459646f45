"""A finding: one problem at one cell, with everything a person needs to fix it."""

from __future__ import annotations

from decimal import Decimal

from gkxl.form.record import Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from gkxl.form.model import Cell

SEVERITY_TEXT = {"error": "必须修改", "warning": "请核实", "explained": "已说明", "info": "提示"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "explained": 2, "info": 3}  # 'explained': a warning with a 说明


class Finding(Frozen):
    """A frozen record (gkxl.form.record): `dataclasses.replace(finding, path=…)` works as on a dataclass."""

    rule: str
    severity: str  # error | warning | info
    sheet: str
    cell: str
    key: str
    message: str
    reported: object
    expected: object
    row_path: tuple[str, ...]
    col_path: tuple[str, ...]
    blank_parts: tuple[str, ...]  # not compared
    path: str | None
    related: str | None  # the other file and cell of a cross-year finding
    explanation: str | None  # the clerk's 说明; it settles a warning, never an error

    _fields = ("rule", "severity", "sheet", "cell", "key", "message", "reported", "expected", "row_path",
               "col_path", "blank_parts", "path", "related", "explanation")  # fmt: skip
    _compare = tuple(n for n in _fields if n != "blank_parts")

    def __init__(
        self,
        rule: str,
        severity: str,
        sheet: str,
        cell: str,
        key: str,
        message: str,
        reported: object = None,
        expected: object = None,
        row_path: tuple[str, ...] = (),
        col_path: tuple[str, ...] = (),
        blank_parts: tuple[str, ...] = (),
        path: str | None = None,
        related: str | None = None,
        explanation: str | None = None,
    ) -> None:
        self.__dict__.update(
            rule=rule,
            severity=severity,
            sheet=sheet,
            cell=cell,
            key=key,
            message=message,
            reported=reported,
            expected=expected,
            row_path=row_path,
            col_path=col_path,
            blank_parts=blank_parts,
            path=path,
            related=related,
            explanation=explanation,
        )

    def replace(self, **changes) -> Finding:
        """A copy with `changes` (dataclasses.replace without importing dataclasses)."""
        return Finding(**{**self.__dict__, **changes})

    @classmethod
    def at(cls, cell: Cell, rule: str, severity: str, message: str, reported=None, expected=None, **kw) -> Finding:
        """A finding on an input cell of the form; the message is prefixed with where the cell is."""
        return cls(
            rule=rule,
            severity=severity,
            sheet=cell.sheet,
            cell=cell.cell,
            key=cell.key,
            message=f"{cell.where}：{message}",
            reported=reported,
            expected=expected,
            row_path=cell.row_path,
            col_path=cell.col_path,
            **kw,
        )

    @property
    def explained(self) -> bool:
        """A warning the clerk confirmed; a blank is not settled by a 说明 (the form wants an explicit 0)."""
        from gkxl.check.verdict import BLANK_RULES

        return bool(self.explanation) and self.severity == "warning" and self.rule not in BLANK_RULES

    @property
    def level(self) -> str:
        """The severity as shown to people: a warning with the clerk's 说明 is 'explained'."""
        return "explained" if self.explained else self.severity

    @property
    def location(self) -> tuple[str, str, str]:
        """How a 说明 is matched to its finding across validations."""
        return (self.rule, self.sheet, self.cell)

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "key": self.key,
            "row_path": list(self.row_path),
            "col_path": list(self.col_path),
            "message": self.message,
            "reported": json_number(self.reported),
            "expected": json_number(self.expected),
            **({"related": self.related} if self.related else {}),
            **({"explanation": self.explanation, "explained": self.explained} if self.explanation else {}),
        }


def json_number(value: object) -> object:
    """Decimals become JSON numbers; money has at most 4 places, so its float prints exactly as written."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)  # NaN and inf are not JSON
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)  # a date typed into a count cell


def count(findings: list[Finding], severity: str) -> int:
    """Findings of a severity; explained warnings are not counted as open warnings."""
    return sum(1 for f in findings if f.severity == severity and not f.explained)


def count_explained(findings: list[Finding]) -> int:
    return sum(1 for f in findings if f.explained)


def explanations(findings: list[Finding]) -> list[str]:
    """The clerk's 说明 of the explained warnings, for provenance: ['V-MONEY-UNIT 表二!B16：…', …]."""
    return [f"{f.rule} {f.sheet}!{f.cell}：{f.explanation}" for f in findings if f.explained]
