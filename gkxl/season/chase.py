"""What a unit still has to do, for the 催报 list: send its report, or fix the findings still open."""

from __future__ import annotations

from gkxl.season.status import UnitStatus

LIMIT = 20  # findings listed per unit; the rest are counted


def to_fix(u: UnitStatus, limit: int = LIMIT) -> list[str]:
    """What the unit must do, for the 催报 list: the findings still open, errors first."""
    if u.status == "missing":
        return ["尚未报送"]
    if u.status == "conflict":
        return ["收到两份内容不同的报告，请确认以哪一份为准：" + "、".join(s.path.name for s in u.conflict)]
    v = u.version
    if v is None:
        return []
    if v.error:
        return [f"文件无法读取：{v.error}"]
    order = {"error": 0, "warning": 1}
    open_ = sorted((f for f in v.findings if f["severity"] in order), key=lambda f: order[f["severity"]])
    lines = [("必须修改：" if f["severity"] == "error" else "请核实或说明：") + f["message"] for f in open_]
    if u.status == "changed":
        lines.insert(0, "已接收后又收到新版本，请核对后重新接收（gkxl accept）")
    if len(lines) > limit:
        lines = [*lines[:limit], f"……另有 {len(lines) - limit} 处，请用 gkxl validate 查看"]
    return lines
