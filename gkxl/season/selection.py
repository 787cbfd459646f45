"""Which file of each roster unit goes into the county summary: the current one, or the accepted one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gkxl.season.roster import Unit
from gkxl.season.status import SeasonStatus, Seen
from gkxl.season.store import Store


@dataclass
class Selection:
    paths: list[Path] = field(default_factory=list)
    left_out: list[tuple[Unit, str]] = field(default_factory=list)  # roster units not included, and why
    unknown: list[Seen] = field(default_factory=list)  # inbox files of no roster unit

    def left_out_line(self) -> str:
        shown = "、".join(f"{u.name}（{why}）" for u, why in self.left_out)
        return f"名册中 {len(self.left_out)} 个单位未包含：{shown}"

    def to_json(self) -> dict:
        return {
            "not_included": [{"code": u.code, "name": u.name, "reason": why} for u, why in self.left_out],
            "unknown": [str(s.path) for s in self.unknown],
        }


def select_for_merge(status: SeasonStatus, store: Store, accepted_only: bool) -> Selection:
    by_sha: dict[str, Path] = {}
    for s in status.seen:
        by_sha.setdefault(s.version.sha256, s.path)
    accepted = store.accepted() if accepted_only else {}
    out = Selection(unknown=list(status.unknown))
    for u in status.units:
        if accepted_only:
            sha = accepted.get(u.unit.id)
            path = by_sha.get(sha) if sha else None
            if path:
                out.paths.append(path)
            else:
                why = "已接收的版本不在收件夹中" if sha else f"未接收：{u.text}"
                out.left_out.append((u.unit, why))
        elif u.status in ("missing", "conflict") or u.file is None:
            out.left_out.append((u.unit, u.text if u.status != "accepted" else "已接收的版本不在收件夹中"))
        else:
            out.paths.append(u.file)
    return out
