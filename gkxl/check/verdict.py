"""One verdict per report, computed here only: validate, the 校验 button, merge, csv and the 校验 sheet's
结论 formula all say the same thing (the sheet's formula is built from these texts).

errors (不通过) beat incomplete (未填完), which beats unexplained (待说明); a warning with a 说明 is settled.
"""

from __future__ import annotations

from gkxl.form.record import Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the validate hot path)
if TYPE_CHECKING:
    from gkxl.check.findings import Finding

STATUSES = ("errors", "incomplete", "unexplained", "ok")
# Warnings that mean "not filled in": they make a report incomplete, and a 说明 does not settle them.
BLANK_RULES = frozenset({"V-BLANK", "META-UNIT", "META-YEAR"})
TEXTS = {
    "errors": "不通过：{} 处必须修改",
    "incomplete": "未填完：{} 处未填写",
    "unexplained": "待说明：{} 处请核实",
    "ok": "通过",
}


def is_blank(f: Finding) -> bool:
    return f.severity == "warning" and f.rule in BLANK_RULES


class Verdict(Frozen):
    status: str  # one of STATUSES
    errors: int
    blanks: int
    unexplained: int  # open warnings other than blanks
    explained: int

    _fields = ("status", "errors", "blanks", "unexplained", "explained")

    def __init__(self, status: str, errors: int, blanks: int, unexplained: int, explained: int) -> None:
        self.__dict__.update(status=status, errors=errors, blanks=blanks, unexplained=unexplained, explained=explained)

    @property
    def count(self) -> int:
        """The number the text names."""
        return {"errors": self.errors, "incomplete": self.blanks, "unexplained": self.unexplained}.get(self.status, 0)

    @property
    def text(self) -> str:
        return TEXTS[self.status].format(self.count)

    def to_json(self) -> dict:
        return {"status": self.status, "verdict": self.text}


def verdict(findings: list[Finding]) -> Verdict:
    """The verdict of one report's findings."""
    errors = sum(1 for f in findings if f.severity == "error")
    blanks = sum(1 for f in findings if is_blank(f))
    unexplained = sum(1 for f in findings if f.severity == "warning" and not f.explained and not is_blank(f))
    explained = sum(1 for f in findings if f.explained and not is_blank(f))
    status = "errors" if errors else "incomplete" if blanks else "unexplained" if unexplained else "ok"
    return Verdict(status, errors, blanks, unexplained, explained)
