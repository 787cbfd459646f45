"""R-STRUCTURE: the six headings present, in order, numbered right; no seventh part."""

from __future__ import annotations

import itertools

from gkxl.check.findings import Finding
from gkxl.report.parts import NUMERALS, part_specs
from gkxl.report.quoting import on_report
from gkxl.report.text import ReportText


def structure(text: ReportText, path: str) -> list[Finding]:
    out = []
    found = {h.spec.id: h for h in text.headings}
    for spec in part_specs():
        heading = found.get(spec.id)
        if heading is None:
            hint = [ln for _, ln in text.numbered if ln.text.strip().startswith(spec.number)]
            seen = f"（{hint[0].where}为“{hint[0].text.strip()}”）" if hint else ""
            out.append(on_report("R-STRUCTURE", "error", f"缺少“{spec.heading}”{seen}", path))
        elif heading.number != spec.number:
            printed = heading.line.text.strip()
            message = f"“{printed}”编号不对：应为“{spec.heading}”"
            out.append(on_report("R-STRUCTURE", "error", message, path, spec.heading, heading.line.where))
    order = text.headings
    for before, after in itertools.pairwise(order):
        if part_specs().index(after.spec) < part_specs().index(before.spec):
            message = f"“{after.spec.heading}”应在“{before.spec.heading}”之前"
            out.append(on_report("R-STRUCTURE", "error", message, path, after.spec.heading, after.line.where))
    for _, line in text.numbered:
        number = line.text.strip()[0]
        if number in NUMERALS[len(part_specs()) :]:
            message = f"报告应为六个部分，“{line.text.strip()}”不属于其中"
            out.append(on_report("R-STRUCTURE", "warning", message, path, "报告", line.where))
    return out
