"""Reading: every kind of cell content and every kind of unreadable file gives a clear answer."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import msoffcrypto
import pytest
from openpyxl import load_workbook

from gkxl.check.validate import check_file
from gkxl.errors import ReadError
from gkxl.read.reader import read_report


def _findings_at(result, key):
    return [f for f in result.findings if f.key == key]


@pytest.fixture
def with_raw(make_workbook):
    """A consistent 2021 workbook with some cells overwritten by raw contents, as typed in Excel (a formula is a
    formula)."""

    def make(raw: dict, form_id: str = "2021"):
        def edit(report):
            for key, value in raw.items():
                report.values[key] = None
                report.raw[key] = value

        return make_workbook(form_id, edit=edit, excel=True)

    return make


@pytest.mark.parametrize(
    "raw, rule",
    [
        ("5件", "V-NUMBER"),
        ("五", "V-NUMBER"),
        ("/", "V-NUMBER"),
        ("-", "V-NUMBER"),
        (dt.date(2024, 3, 1), "V-NUMBER"),
        (True, "V-NUMBER"),
        ("=SUM(D8:I8)", "V-FORMULA"),  # openpyxl writes formulas without a cached value
        (2.5, "V-COUNT"),
        (-3, "V-COUNT"),
    ],
)
def test_bad_contents_are_findings_at_the_cell(with_raw, raw, rule):
    result = check_file(with_raw({"apply_granted_natural": raw}))
    assert result.error is None
    found = _findings_at(result, "apply_granted_natural")
    assert [(f.rule, f.severity, f.sheet, f.cell) for f in found] == [(rule, "error", "表三", "D8")]
    assert result.report.values["apply_granted_natural"] is None  # never a silent zero
    # The totals fed by the bad cell are not judged on a guess.
    assert not _findings_at(result, "apply_closed_total_natural")


def test_numeric_text_and_full_width_digits_are_read_with_a_note(with_raw):
    result = check_file(with_raw({"apply_granted_natural": "７", "apply_granted_business": " 3 "}))
    values = result.report.values
    assert values["apply_granted_natural"] == 7 and values["apply_granted_business"] == 3
    notes = {f.key: f for f in result.findings if f.rule == "V-NORMALISED"}
    assert notes["apply_granted_natural"].severity == "info"


def test_blank_is_a_warning_and_counts_as_zero(make_workbook):
    def edit(report):
        report.values["apply_granted_natural"] = None
        report.values["apply_granted_total"] -= 0

    result = check_file(make_workbook(edit=edit))
    found = _findings_at(result, "apply_granted_natural")
    assert [f.rule for f in found] == ["V-BLANK"] and found[0].severity == "warning"
    assert result.report.values["apply_granted_natural"] is None


def test_money_is_exact_decimal(make_workbook):
    def edit(report):
        report.values["active_fees_amount"] = Decimal("7730.28")

    report = read_report(make_workbook(edit=edit))
    assert report.values["active_fees_amount"] == Decimal("7730.28")
    assert isinstance(report.values["apply_new_natural"], int)


def test_signed_change_on_2019_form(make_workbook):
    def edit(report):
        report.values["active_permits_previous"] = 20
        report.values["active_permits_change"] = -8

    result = check_file(make_workbook("2019", edit=edit))
    assert result.report.values["active_permits_change"] == -8
    assert result.ok and not _findings_at(result, "active_permits_change")


def test_xlsm_is_read(make_workbook, tmp_path):
    path = make_workbook()
    xlsm = tmp_path / "report.xlsm"
    xlsm.write_bytes(path.read_bytes())
    assert read_report(xlsm).values == read_report(path).values


# --- files that cannot be read --------------------------------------------------------------


def _read_error(path) -> str:
    with pytest.raises(ReadError) as info:
        read_report(path)
    assert str(path) in str(info.value)
    return info.value.message


def test_not_a_zip(tmp_path):
    path = tmp_path / "note.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    assert "不是 Excel 工作簿" in _read_error(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "为空" in _read_error(path)


def test_missing_file(tmp_path):
    assert "不存在" in _read_error(tmp_path / "nope.xlsx")


def test_truncated(make_workbook, tmp_path):
    data = make_workbook().read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "损坏或不完整" in _read_error(path)


def test_password_encrypted(make_workbook, tmp_path):
    path = tmp_path / "locked.xlsx"
    with make_workbook().open("rb") as src, path.open("wb") as out:
        msoffcrypto.OfficeFile(src).encrypt("secret", out)
    assert "密码" in _read_error(path)


def test_word_document_renamed(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    assert "不是 Excel 工作簿" in _read_error(path)


def test_zip_bomb(make_workbook, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(make_workbook()) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    assert "压缩炸弹" in _read_error(path)


def test_sheet_of_a_million_rows(make_workbook, tmp_path):
    path = tmp_path / "huge.xlsx"
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 1_000_001))
    sheet = f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>'
    with zipfile.ZipFile(make_workbook()) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet3.xml" else src.read(item.filename)
            dst.writestr(item, data)
    assert "数据量过大" in _read_error(path)


def test_legacy_xls_and_wps_et(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    (tmp_path / "old.xls").write_bytes(ole)
    (tmp_path / "wps.et").write_bytes(ole)
    assert ".xls" in _read_error(tmp_path / "old.xls")
    assert "WPS" in _read_error(tmp_path / "wps.et")


def test_not_our_template(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    assert "不是 gkxl 标准模板" in _read_error(path)


def _edited(src, dst, edit):
    wb = load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


def test_wrong_form_id_and_template_version(make_workbook, tmp_path):
    src = make_workbook()
    bad_form = _edited(src, tmp_path / "f.xlsx", lambda wb: wb["封面"].__setitem__("B5", "2030"))
    assert "无法识别表式" in _read_error(bad_form)
    bad_version = _edited(src, tmp_path / "v.xlsx", lambda wb: wb["封面"].__setitem__("B6", "0"))
    assert "模板版本" in _read_error(bad_version)


def test_renamed_sheet_and_shifted_layout_listed_in_one_message(make_workbook, tmp_path):
    def tamper(wb):
        wb["表四"].title = "复议诉讼"
        wb["表三"].insert_rows(10)

    message = _read_error(_edited(make_workbook(), tmp_path / "t.xlsx", tamper))
    assert "缺少工作表“表四”" in message
    assert "表三!B10 应为“（三）不予公开”，实为“”" in message  # the first label from the top that moved


def test_wrong_form_requested(make_workbook):
    with pytest.raises(ReadError, match="不是要求的 2019"):
        read_report(make_workbook("2021"), form_id="2019")


def test_year_not_a_year_is_an_error(make_workbook, tmp_path):
    path = _edited(make_workbook(), tmp_path / "y.xlsx", lambda wb: wb["封面"].__setitem__("B4", "去年"))
    result = check_file(path)
    assert [f.rule for f in result.findings if f.cell == "B4"] == ["META-YEAR"] and not result.ok


def test_year_outside_the_form(make_workbook):
    result = check_file(make_workbook("2019", year=2023))
    assert any(f.rule == "META-YEAR" and "2023" in f.message for f in result.findings)


def test_read_does_not_touch_the_input(make_workbook):
    path = make_workbook()
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    check_file(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_unreadable_reported_as_result_not_exception(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(io.BytesIO(b"garbage").getvalue())
    result = check_file(path)
    assert result.error and not result.ok and result.to_json()["ok"] is False


@pytest.mark.parametrize("raw", ["12345678901234567890123456.12345", 1e30, "1" * 16])
def test_absurdly_long_numbers_are_findings_not_crashes(with_raw, raw):
    result = check_file(with_raw({"active_fees_amount": raw, "apply_granted_natural": raw}))
    found = {f.key: f.rule for f in result.findings if f.severity == "error"}
    assert found["active_fees_amount"] == "V-NUMBER" and found["apply_granted_natural"] == "V-NUMBER"


def test_optional_cover_cells_unit_code_and_type_round_trip(make_workbook):
    from gkxl.read.reader import read_report

    def edit(report):
        report.unit_code, report.unit_type = "320831001", "乡镇人民政府"

    back = read_report(make_workbook("2019", edit=edit))
    assert (back.unit_code, back.unit_type) == ("320831001", "乡镇人民政府")
    assert read_report(make_workbook("2021", name="plain.xlsx")).unit_code is None
