"""Match the lines of a report to the rows of a form by their labels, and say exactly what does not fit.

A line with values is placed on the row whose printed label it resembles most (difflib ratio over the
normalised label), if that is clearly better than any other row. A label broken over several lines or a page
break is rejoined from the label-only lines around it. The values of a row go to its columns in the form's
order, and only when their count is exactly the number of columns of the row's section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache

from rapidfuzz import fuzz, process

from gkxl.form.model import Form, Section, Table
from gkxl.importer.lines import Line
from gkxl.importer.targets import Target, form_targets, group_members, section_header, table_anchors
from gkxl.importer.text import Token, norm_label, similarity, squash

THRESHOLD = 0.75  # least similarity for a printed label to count as a row's label
MARGIN = 0.08  # the best row must beat every other row by this much, else the line is ambiguous
ANCHOR = 0.85  # similarity for a title or header that starts a table
STRONG = 0.95  # a line's own label this good needs no neighbouring fragments
MAX_PREV, MAX_NEXT = 3, 2
_CJK = re.compile(r"[\u4e00-\u9fff]{2}")


@dataclass
class Hit:
    index: int
    target: Target | None
    score: float
    text: str
    rival: Target | None = None
    rival_score: float = 0.0

    @property
    def ambiguous(self) -> bool:
        return self.rival is not None and self.rival_score >= THRESHOLD and self.score - self.rival_score < MARGIN


@dataclass
class Placed:
    target: Target
    line: Line
    tokens: tuple[Token, ...]
    hit: Hit


@dataclass
class Match:
    form: Form
    reading: str
    placed: list[Placed] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    groups: list[Target] = field(default_factory=list)  # single rows standing for a group (hybrid layout)
    headers: dict[Section, Line] = field(default_factory=dict)
    unit_notes: list[tuple[Target, str]] = field(default_factory=list)
    unplaced: list[Line] = field(default_factory=list)
    extras: list[Line] = field(default_factory=list)  # rows the form does not have (noted, never summed)
    claimed: set[int] = field(default_factory=set)  # ids of targets some line was taken for
    bad_tables: set[str] = field(default_factory=set)  # tables some error is about
    anchors: dict[str, Line] = field(default_factory=dict)  # the first title or header line of each table found

    table_errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, table: Table, text: str) -> None:
        self.errors.append(text)
        self.bad_tables.add(table.id)
        self.table_errors.setdefault(table.id, []).append(text)

    def complete_tables(self) -> list[Table]:
        """Tables with every row placed and no error: what --partial keeps."""
        return [t for t in self.form.tables if t.id not in self.bad_tables]

    @property
    def score(self) -> float:
        fitting = sum(1 for p in self.placed if len(p.tokens) == p.target.width)
        return fitting + 0.5 * len(self.headers) - 0.25 * len(self.groups)


def _candidates(text: str, names: list[str], floor: float) -> list[int]:
    """Indexes of the names whose similarity to text may reach floor. rapidfuzz's Indel ratio (2·LCS/length)
    bounds difflib's ratio from above (its matching blocks are a common subsequence), in C and in one call."""
    found = process.extract(text, names, scorer=fuzz.ratio, score_cutoff=floor * 100 - 1e-6, limit=None)
    return sorted(k for _, _, k in found)


class _Scorer:
    """Best-matching targets for a set of label texts; SequenceMatcher objects are kept per target name.

    Only scores of at least THRESHOLD matter (a lower best is no hit, a lower rival no rival), so only the
    names whose upper bound reaches it get an exact difflib ratio; an exact name gives 1.0 from a dictionary."""

    def __init__(self, targets: list[Target], stops: frozenset[str] = frozenset()):
        self.items = [(t, SequenceMatcher(None, "", name, autojunk=False)) for t in targets for name in t.names]
        self.names = [name for t in targets for name in t.names]
        self.stops = stops - set(self.names)  # a caption that is also a row label stays a label
        self.exact: dict[str, list[Target]] = {}
        for t in targets:
            for name in t.names:
                self.exact.setdefault(name, []).append(t)

    def rank(self, texts: set[str]) -> list[tuple[float, Target, str]]:
        best: dict[int, tuple[float, Target, str]] = {}
        for text in texts:
            for target in self.exact.get(text, ()):
                best[id(target)] = (1.0, target, text)
        floor = 1.0 - MARGIN if best else THRESHOLD  # with an exact hit, a rival matters only within MARGIN
        for text in sorted(texts):
            for k in _candidates(text, self.names, floor):
                target, sm = self.items[k]
                current = best.get(id(target), (floor, target, ""))[0]
                sm.set_seq1(text)
                score = sm.ratio()
                if score > current or (score == current and id(target) not in best):
                    best[id(target)] = (score, target, text)
        return sorted(best.values(), key=lambda item: -item[0])


def _pieces(line: Line) -> list[str]:
    return list(line.labels) if line.tabular else line.label.split()


def _blank(line: Line) -> bool:
    return all(t.blank for t in line.values)


def _fragment(line: Line) -> bool:
    """A label-only line, or a row of empty cells (the first half of a table row split by a page break); a
    row printing '/' or '—' is a row of its own, not part of another's label."""
    return all(not t.raw for t in line.values)


def _neighbours(lines: list[Line], i: int, step: int, limit: int, stops: frozenset[str] = frozenset()) -> list[str]:
    """Label texts of the label-only lines next to line i (closest first), up to a table title, caption or
    header (stops): those are never part of a row's label."""
    out, j = [], i + step
    while 0 <= j < len(lines) and len(out) < limit and _fragment(lines[j]):
        if norm_label(lines[j].label) in stops:
            break
        if lines[j].label:
            out.append(lines[j].label)
        j += step
    return out


def _hit(lines: list[Line], i: int, scorer: _Scorer) -> Hit:
    """The row line i is taken for: its own label; else with the fragments before it (a label printed above
    its numbers); else with the fragments around it (a label broken around its numbers, as pdftotext leaves it)."""
    pieces = _pieces(lines[i])
    suffixes = {norm_label("".join(pieces[k:])) for k in range(len(pieces))} - {""}
    ranked = scorer.rank(suffixes) if suffixes else []
    if not ranked or ranked[0][0] < STRONG:
        own = "".join(pieces)
        prev = _neighbours(lines, i, -1, MAX_PREV, scorer.stops)
        nxt = _neighbours(lines, i, 1, MAX_NEXT, scorer.stops)
        before = {norm_label("".join(reversed(prev[:p])) + own) for p in range(len(prev) + 1)}
        ranked = scorer.rank((before | suffixes) - {""})
        if not ranked or ranked[0][0] < STRONG or _hit_of(i, ranked).ambiguous:
            around = {norm_label(b + "".join(nxt[:n])) for b in before for n in range(1, len(nxt) + 1)}
            around |= {
                norm_label("".join(reversed(prev[:p])) + own + "".join(nxt[:n]))
                for p in range(len(prev) + 1)
                for n in range(1, len(nxt) + 1)
            }
            ranked = scorer.rank((before | around | suffixes) - {""})
    return _hit_of(i, ranked)


def _hit_of(i: int, ranked: list[tuple[float, Target, str]]) -> Hit:
    if not ranked:
        return Hit(i, None, 0.0, "")
    score, target, text = ranked[0]
    rival = next(((s, t) for s, t, _ in ranked[1:] if t is not target), (0.0, None))
    return Hit(i, target, score, text, rival[1], rival[0])


class _Anchors:
    """The titles and headers that start each table, as SequenceMatchers with their second text cached."""

    def __init__(self, tables: tuple[Table, ...]):
        self.items = [(t, SequenceMatcher(None, "", a, autojunk=False)) for t in tables for a in table_anchors(t)]
        self.names = [a for t in tables for a in table_anchors(t)]
        self.exact = {a: t for t in reversed(tables) for a in table_anchors(t)}

    def table(self, line: Line) -> Table | None:
        texts = {norm_label(p) for p in (*line.labels, *line.label.split(), line.label)} - {""}
        if not texts:
            return None
        for text in texts:
            if text in self.exact:
                return self.exact[text]
        best, table = ANCHOR, None
        for text in sorted(texts):
            for k in _candidates(text, self.names, best):
                t, sm = self.items[k]
                sm.set_seq1(text)
                score = sm.ratio()
                if score >= best:
                    best, table = score, t
        return table


@cache
def _anchors(form: Form) -> _Anchors:
    return _Anchors(form.tables)


def _regions(lines: list[Line], match: Match) -> list[Table | None]:
    out, current, anchors = [], None, _anchors(match.form)
    for line in lines:
        if _blank(line):
            found = anchors.table(line)
            if found:
                match.anchors.setdefault(found.id, line)
            current = found or current
        out.append(current)
    return out


def _headers(lines: list[Line], regions: list[Table | None], match: Match) -> None:
    """Recognise section header rows ('信息内容 本年制发件数 …'): they tell the form version apart."""
    sections = [s for t in match.form.tables for s in t.sections if s.corner and len(s.corner) < 10]
    for line, region in zip(lines, regions, strict=False):
        if region is None or not _blank(line) or not line.label:
            continue
        text = norm_label(line.label)
        for s in sections:
            header = section_header(s)
            if s in match.headers or fuzz.ratio(text, header) < ANCHOR * 100 - 1e-6:
                continue  # the bound: most lines are prose, far from any header
            if similarity(text, header) >= ANCHOR:
                match.headers[s] = line
                _unit_note(line, s, match)
                break


def _unit_note(line: Line, section: Section, match: Match) -> None:
    if "万元" in squash(line.label) or "元" not in squash(line.label):
        return
    for target in form_targets(match.form):
        if target.section is section:
            match.unit_notes.append((target, f"表头写的单位是“元”（{squash(line.label)}），表式为万元，数值未换算"))


def _claims(lines: list[Line], regions: list[Table | None], form: Form) -> tuple[list[Hit], list[Hit]]:
    """(hits, ambiguous hits) for every line with values inside the tables."""
    targets = form_targets(form)
    scorer = _Scorer([t for t in targets if t.names], frozenset(_anchors(form).exact))
    unlabelled = {t.table.id: t for t in targets if not t.names}
    hits, ambiguous = [], []
    for i, line in enumerate(lines):
        if regions[i] is None or not line.values:
            continue
        free = unlabelled.get(regions[i].id)
        if free and not squash(line.label) and all(h.target is not free for h in hits):
            hits.append(Hit(i, free, 1.0, ""))
            continue
        hit = _hit(lines, i, scorer)
        if hit.target is None or hit.score < THRESHOLD:
            continue
        (ambiguous if hit.ambiguous else hits).append(hit)
    return hits, ambiguous


def _choose(target: Target, hits: list[Hit], lines: list[Line], match: Match) -> Hit | None:
    """One line per row: a blank half of a row split by a page break gives way to the half with numbers."""
    filled = [h for h in hits if not _blank(lines[h.index])] or hits[:1]
    if len({tuple(t.raw for t in lines[h.index].values) for h in filled}) > 1:
        shown = "；".join(f"{lines[h.index].where}“{lines[h.index].shown}”" for h in filled)
        match.fail(target.table, f"{target.where} 出现了不止一行，数字不同，无法确定用哪一行：{shown}")
        return None
    return filled[0]


def _spread(tokens: tuple[Token, ...], target: Target) -> tuple[Token, ...] | None:
    """A row whose merged value cells are stored as separate empty cells (no colspan): one token per grid
    column. Each cell takes the token where it starts; the columns it covers must be empty."""
    if target.group:
        return None
    columns = target.section.columns
    first = min(c.col for c in columns)
    grid = max(c.col + c.span for c in columns) - first
    if grid == target.width or len(tokens) < grid or not all(t.blank for t in tokens[: len(tokens) - grid]):
        return None
    tail = tokens[len(tokens) - grid :]
    starts = {c.col - first for c in columns}
    if not all(tail[i].blank for i in range(grid) if i not in starts):
        return None
    return tuple(tail[c.col - first] for c in columns)


def _place(target: Target, hit: Hit, line: Line, match: Match) -> None:
    tokens = line.values
    extra = len(tokens) - target.width
    if extra > 0 and line.tabular:
        # empty label cells between the label and the values (a merged leaf column), or merged value cells
        lead = all(t.blank for t in tokens[:extra])
        tokens = tokens[extra:] if lead else _spread(tokens, target) or tokens
    match.claimed.add(id(target))
    if len(tokens) != target.width and not all(t.blank for t in tokens):
        match.fail(
            target.table,
            f"{target.where}（{line.where}“{line.shown}”）有 {len(tokens)} 个数，应为 {target.width} 个"
            f"（{target.column_names()}），无法确定每个数属于哪一列",
        )
        return
    if len(tokens) != target.width:
        tokens = tuple(Token("", None) for _ in target.cells)
    match.placed.append(Placed(target, line, tokens, hit))


def _missing(match: Match) -> None:
    placed = match.claimed
    covered = set()
    for group in (p.target for p in match.placed if p.target.group):
        members = group_members(match.form, group)
        if any(id(m) in placed for m in members):
            match.fail(group.table, f"{group.where} 既有合计行又有分项行，无法确定如何填写")
        covered |= {id(m) for m in members}
        match.groups.append(group)
    for table in match.form.tables:
        rows = [t for t in form_targets(match.form) if t.table is table and not t.group]
        missing = [t for t in rows if id(t) not in placed and id(t) not in covered]
        if len(missing) == len(rows):
            seen = match.anchors.get(table.id)
            if seen is None:
                match.fail(table, f"找不到{table.sheet}（{table.title}）")
            else:
                found = f"找到了{table.sheet}（{seen.where}“{seen.shown}”）"
                match.fail(table, f"{found}，但其中没有一行的标签能对上表式 {match.form.id} 的行")
        elif missing:
            names = "、".join(f"“{t.shown}”" for t in missing)
            match.fail(table, f"{table.sheet} 缺少 {len(missing)} 行（或其标签无法辨认）：{names}")


def match_lines(lines: list[Line], form: Form, reading: str) -> Match:
    match = Match(form, reading)
    regions = _regions(lines, match)
    _headers(lines, regions, match)
    hits, ambiguous = _claims(lines, regions, form)
    for hit in ambiguous:
        if not _blank(lines[hit.index]):
            line = lines[hit.index]
            match.fail(
                hit.target.table,
                f"{line.where}“{line.shown}”无法确定是哪一行：像“{hit.target.shown}”（相似度 {hit.score:.2f}），"
                f"也像“{hit.rival.shown}”（{hit.rival_score:.2f}）",
            )
            if hit.rival.table is not hit.target.table:  # the line may belong to either table
                match.bad_tables.add(hit.rival.table.id)
                match.table_errors.setdefault(hit.rival.table.id, []).append(match.errors[-1])
    by_target: dict[int, list[Hit]] = {}
    for hit in hits:
        by_target.setdefault(id(hit.target), []).append(hit)
    used = set()
    for group in by_target.values():
        chosen = _choose(group[0].target, group, lines, match)
        if chosen:
            used.add(chosen.index)
            _place(chosen.target, chosen, lines[chosen.index], match)
    _missing(match)
    _unplaced(lines, regions, used, {h.index for h in ambiguous}, match)
    return match


def _unplaced(lines: list[Line], regions, used: set[int], ambiguous: set[int], match: Match) -> None:
    """Lines with numbers inside the tables that went nowhere (they are listed, never silently dropped).
    One with a label of its own (or just above it) is a row the form does not have, such as a province's
    其他主动公开文件: an extra, noted with its numbers and never summed into a cell of the form."""
    if not used:
        return
    first, last = min(used), max(used)
    for i in range(first, last + 1):
        line = lines[i]
        if i in used or i in ambiguous or regions[i] is None or _blank(line):
            continue
        label = line.label or (lines[i - 1].label if i and _fragment(lines[i - 1]) else "")
        if _CJK.search(label):
            match.extras.append(Line((label,), line.values, line.where, line.tabular))
        else:
            match.unplaced.append(line)
