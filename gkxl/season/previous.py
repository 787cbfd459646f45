"""Last year's reports beside this year's status: matched to roster units by code, name or alias."""

from __future__ import annotations

from pathlib import Path

from gkxl.season.status import SeasonStatus
from gkxl.season.store import Store

# What the status page charts per unit: 本年新收, 行政复议, 行政诉讼 (both kinds of suit), this year and last.
CHART_LINES = (
    ("本年新收", ("apply_new_total",)),
    ("行政复议", ("appeal_review_total",)),
    ("行政诉讼", ("appeal_direct_suit_total", "appeal_suit_after_review_total")),
)


class _Named:
    """A version seen as a report for matching: its unit name and code."""

    def __init__(self, unit: str | None, unit_code: str | None, path: Path | None = None):
        self.unit, self.unit_code, self.path = unit, unit_code, path


def attach_previous(result: SeasonStatus, folder: str | Path, store: Store) -> None:
    """Set `last_year` on every unit whose report is in `folder` (files that cannot be read are listed), and
    load the cell values of those units' current versions for the charts."""
    from gkxl.check.crossyear import LastYear
    from gkxl.errors import GkxlError

    roster = result.roster
    last_year = LastYear.load(folder, same=roster.same_unit)
    result.previous_problems = list(last_year.problems)
    for u in result.units:
        if not last_year.by_unit:
            continue
        probe = _Named(u.unit.name, u.unit.code)
        try:
            u.last_year = last_year.match(probe)
        except GkxlError as exc:
            result.previous_problems.append(str(exc))
        if u.last_year is not None and u.version is not None and not u.version.cells:
            u.version.cells = store.cells(u.version.sha256)


def chart_values(cells: dict) -> list[int | None]:
    """The chart lines' figures from a version's stored cells or a report's values (None when blank)."""
    out = []
    for _label, keys in CHART_LINES:
        present = [cells.get(k) for k in keys if isinstance(cells.get(k), int)]
        out.append(sum(present) if present else None)
    return out
