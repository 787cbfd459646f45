"""Accepting a unit's current version: the one the last `gkxl status` saw; refused while it has errors."""

from __future__ import annotations

from dataclasses import dataclass

from gkxl.season.roster import Roster, Unit
from gkxl.season.store import Store


@dataclass
class Acceptance:
    asked: str  # as typed on the command line
    unit: Unit | None
    accepted: bool
    message: str


def accept_units(roster: Roster, store: Store, names: list[str]) -> list[Acceptance]:
    return [_accept(roster, store, name) for name in names]


def _accept(roster: Roster, store: Store, name: str) -> Acceptance:
    unit = roster.find(name)
    if unit is None:
        return Acceptance(name, None, False, f"名册中没有“{name}”（可用单位代码、名称或别名）")
    current = store.current(unit.id)
    if current is None:
        return Acceptance(name, unit, False, "还没有收到报告（收到后先运行 gkxl status）")
    sha, files = current
    if sha is None:
        shown = "、".join(files)
        return Acceptance(name, unit, False, f"有两份内容不同的文件（{shown}），请先去掉不用的一份再运行 gkxl status")
    version = store.known(sha)
    if version.errors:
        why = "文件无法读取" if version.error else f"有 {version.errors} 处必须修改的错误"
        return Acceptance(name, unit, False, f"{version.file_name} {why}，不能接收")
    if not store.accept(unit.id, sha):
        return Acceptance(name, unit, True, f"{version.file_name} 已接收过（{sha[:12]}），无变化")
    note = f"，另有 {version.warnings} 处请核实" if version.warnings else ""
    return Acceptance(name, unit, True, f"已接收 {version.file_name}（{sha[:12]}）{note}")
