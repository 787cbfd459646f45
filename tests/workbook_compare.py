"""Two workbooks compared as openpyxl resolves them on reading: what a user of Excel would see differ."""

from __future__ import annotations

from pathlib import Path


def _style(cell) -> tuple:
    return (
        cell.number_format,
        repr(cell.font),
        repr(cell.fill),
        repr(cell.border),
        repr(cell.alignment),
        repr(cell.protection),
    )


def _validations(ws) -> list:
    out = []
    for dv in ws.data_validations.dataValidation:
        out.append((str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2, dv.allow_blank, dv.error,
                    dv.errorTitle, dv.prompt, dv.promptTitle, dv.showErrorMessage))  # fmt: skip
    return sorted(out, key=repr)


def _conditional(ws) -> list:
    out = []
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            out.append((str(rng.sqref), rule.type, tuple(rule.formula), repr(rule.dxf)))
    return sorted(out, key=repr)


def _sheet(ws) -> dict:
    footer = ws.oddFooter
    return {
        "dimensions": ws.dimensions,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "print_area": ws.print_area,
        "print_titles": ws.print_title_rows,
        "orientation": ws.page_setup.orientation,
        "paper": ws.page_setup.paperSize,
        "fit": (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage),
        "centered": bool(ws.print_options.horizontalCentered),
        "margins": repr(ws.page_margins),
        "footer": [(p.text, p.font, p.size) for p in (footer.left, footer.center, footer.right)],
        "protection": repr(ws.protection),
        "validations": _validations(ws),
        "conditional": _conditional(ws),
        "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
        "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "gridlines": ws.sheet_view.showGridLines,
        "state": ws.sheet_state,
    }


def differences(a: str | Path, b: str | Path, limit: int = 20) -> list[str]:
    """What differs between workbooks `a` and `b`: sheets, cells (value, type, style), layout, names."""
    from openpyxl import load_workbook

    wa, wb = load_workbook(a), load_workbook(b)
    out: list[str] = []
    if wa.sheetnames != wb.sheetnames:
        return [f"sheets {wa.sheetnames} != {wb.sheetnames}"]
    names_a = {k: v.attr_text for k, v in wa.defined_names.items()}
    names_b = {k: v.attr_text for k, v in wb.defined_names.items()}
    if names_a != names_b:
        out.append(f"defined names differ: {set(names_a.items()) ^ set(names_b.items())}")
    if (wa.properties.title, wa.properties.subject, wa.properties.creator) != (
        wb.properties.title, wb.properties.subject, wb.properties.creator):  # fmt: skip
        out.append("document properties differ")
    for sa, sb in zip(wa.worksheets, wb.worksheets, strict=True):
        da, db = _sheet(sa), _sheet(sb)
        out.extend(f"{sa.title}: {k} {da[k]!r} != {db[k]!r}" for k in da if da[k] != db[k])
        rows = max(sa.max_row, sb.max_row)
        cols = max(sa.max_column, sb.max_column)
        for r in range(1, rows + 1):
            for c in range(1, cols + 1):
                ca, cb = sa.cell(r, c), sb.cell(r, c)
                if (ca.value, ca.data_type) != (cb.value, cb.data_type):
                    out.append(f"{sa.title}!{ca.coordinate}: {ca.value!r} != {cb.value!r}")
                elif _style(ca) != _style(cb):
                    out.append(f"{sa.title}!{ca.coordinate}: style {_style(ca)} != {_style(cb)}")
                if len(out) >= limit:
                    return out
    return out
