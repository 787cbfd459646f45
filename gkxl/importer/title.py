"""Unit and year from a report's title, and never from the page furniture around it.

Titles put the year before the unit ('2019年上海市人民政府办公厅政府信息公开工作年度报告'), after it
('淮安市人民政府2024年…'), or after the whole title ('…工作年度报告（2019年）'), with or without a
'关于印发…的通知' wrapper. A saved web page prints breadcrumbs, site names and menus around it ('首页 > 信息
公开 >', '注册', a year in a menu): the unit is taken only when it ends as a government body's name does, else
it is left blank with a warning, never written silently.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import NamedTuple

from gkxl.importer.lines import HEAD_LINES
from gkxl.read.values import squash

_NAME = r"[\u4e00-\u9fff（）()·]{2,40}?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_REPORT = r"政府信息公开(?:工作)?年度报告"
_TITLES = [
    re.compile(rf"(?P<unit>{_NAME}){_YEAR}年度?{_REPORT}"),
    re.compile(rf"{_YEAR}年度?(?P<unit>{_NAME}){_REPORT}"),
    re.compile(rf"(?P<unit>{_NAME}){_REPORT}[（(]?{_YEAR}年?度?[）)]?"),
]
# What a page prints before a title: the words of breadcrumbs, menus and notice wrappers; everything up to
# the last of them goes. Words that may also begin a body's name are cut only at the start.
_FURNITURE = re.compile(
    r"^.*(?:首页|主页|注册|登录|当前位置|您的位置|网站地图|无障碍|打印|分享|返回|关于印发|关于公布|关于发布|关于|印发|公布)"
)
_LEAD = re.compile(r"^(?:印发|公布|发布|位置|信息公开|政务公开|政府信息公开|年度报告|工作年度报告|专栏|正文)+")
# How the name of a government body (or one of its offices) ends.
BODY_ENDINGS = (
    "人民政府", "政府", "办事处", "委员会", "委", "局", "办公室", "办", "厅", "署", "院", "部", "中心", "所", "站",
    "馆", "队", "会", "处", "室", "公司", "集团", "管委会", "管理区", "开发区", "园区", "街道", "乡", "镇",
)  # fmt: skip


class TitleMeta(NamedTuple):
    unit: str | None
    year: int | None
    problem: str | None = None  # why a unit-like text was not taken


def _clean(unit: str) -> str:
    return _LEAD.sub("", _FURNITURE.sub("", unit)).strip("（）()·")


def _search(text: str) -> tuple[str, int] | None:
    for pattern in _TITLES:
        m = pattern.search(text)
        if m:
            return _clean(m.group("unit")), int(m.group("year"))
    return None


def title_meta(lines: list[str]) -> TitleMeta:
    """(unit, year) from the first title-like line near the top; a title broken over two lines is joined."""
    texts = [squash(line) for line in lines[:HEAD_LINES]]
    candidates = texts + [a + b for a, b in pairwise(texts)]
    for text in candidates:
        found = _search(text.split(">")[-1].split("›")[-1].split("»")[-1])
        if not found:
            continue
        unit, year = found
        if unit.endswith(BODY_ENDINGS):
            return TitleMeta(unit, year)
        shown = f"“{unit}”" if unit else "（空）"
        problem = f"标题中单位名称 {shown} 不像机关名称（应以人民政府、办事处、委员会、局、办公室等结尾），未填写"
        return TitleMeta(None, year, problem)
    return TitleMeta(None, None)
