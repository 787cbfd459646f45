"""Click's frame in Chinese: usage, headings, usage errors, and help wrapped for Chinese text.

Click marks its own strings for gettext; each of its modules binds `_` at import, so the catalogue below is
installed by rebinding those names. Help is wrapped by display width (a Chinese character takes two columns),
lines of a docstring are joined without a space where Chinese text meets, and a line never starts with a
closing mark such as `，` or `）`.
"""

from __future__ import annotations

import re
import shutil
import unicodedata

import click
import click._compat
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

OPTIONS_METAVAR = "[选项]"

CATALOGUE = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "详见 {command} -h",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令",
    "No such option {name!r}.": "没有选项 {name}",
    "No such command {name!r}.": "没有命令 {name}",
    "Did you mean {possibility}?": "是否要用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否要用其中之一：{possibilities}？）",
    "Option {name!r} requires an argument.": "选项 {name} 后面需要一个值",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面需要 {nargs} 个值",
    "Option {name!r} does not take a value.": "选项 {name} 不带值",
    "Got unexpected extra argument ({args})": "多余的参数：{args}",
    "Got unexpected extra arguments ({args})": "多余的参数：{args}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "{value!r} is not {choice}.": "“{value}”不可用，应为 {choice}",
    "{value!r} is not one of {choices}.": "“{value}”不可用，应为 {choices} 之一",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数字",
    "{value} is not in the range {range}.": "{value} 不在允许范围 {range} 内",
    "{name} {filename!r} does not exist.": "{name} {filename} 不存在",
    "{name} {filename!r} is a file.": "{name} {filename} 是文件",
    "{name} {filename!r} is a directory.": "{name} {filename} 是文件夹",
    "{name} {filename!r} is not readable.": "{name} {filename} 不可读",
    "{name} {filename!r} is not writable.": "{name} {filename} 不可写",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Aborted!": "已中止。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Value must be an iterable.": "值应为一组",
}


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def _join_param_hints(param_hint) -> str | None:
    if param_hint is not None and not isinstance(param_hint, str):
        return " / ".join(param_hint)  # -o / --output, without Click's quotes
    return param_hint


def _tidy(message: str) -> str:
    """Click's sentences end in '.' and quote names with repr; Chinese messages do neither."""
    message = message[:-1] if message.endswith(".") else message
    return re.sub(r"'([^'\n]*)'", r"\1", message)


def _show_usage_error(self: click.UsageError, file=None) -> None:
    file = file or click._compat.get_text_stderr()
    lines = []
    if self.ctx is not None:
        lines.append(self.ctx.get_usage())
    lines.append(f"错误：{_tidy(self.format_message())}")
    if self.ctx is not None:
        lines.append(f"详见 {self.ctx.command_path} -h")
    click.echo("\n".join(lines), file=file, color=self.ctx.color if self.ctx else None)


def _show_error(self: click.ClickException, file=None) -> None:
    click.echo(f"错误：{_tidy(self.format_message())}", file=file or click._compat.get_text_stderr())


_parse_args = click.Command.parse_args


def _parse_args_with_context(self: click.Command, ctx: click.Context, args: list[str]) -> list[str]:
    try:
        return _parse_args(self, ctx, args)
    except click.UsageError as exc:  # the option parser raises some without a context: no usage, no hint
        if exc.ctx is None:
            exc.ctx, exc.cmd = ctx, ctx.command
        raise


def install() -> None:
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    click.exceptions._join_param_hints = _join_param_hints
    click.ClickException.show = _show_error
    click.UsageError.show = _show_usage_error
    click.Context.formatter_class = ChineseHelpFormatter
    click.Command.parse_args = _parse_args_with_context
    for kind, name in ((click.types.IntParamType, "整数"), (click.types.IntRange, "整数"),
                       (click.types.StringParamType, "文字"), (click.types.FloatParamType, "数")):  # fmt: skip
        kind.name = name  # the metavar: --year 整数, not --year INTEGER RANGE


# --- wrapping by display width ---

_CLOSING = set("，。、；：？！）」』】》〉”’,.;:?!)]}>%")
_OPENING = set("（「『【《〈“‘([{<")


def width_of(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _glued(left: str, right: str) -> bool:
    """No space at a line break between these two characters: Chinese meets Chinese, or a Chinese punctuation
    mark; a Latin word beside Chinese text keeps its space, as the help texts write it."""
    if _wide(left) and _wide(right):
        return True
    return any(_wide(ch) and unicodedata.category(ch).startswith("P") for ch in (left, right))


def join_lines(lines: list[str]) -> str:
    """The lines of one paragraph as one line: a space between words, none where Chinese text meets."""
    out = ""
    for line in (s.strip() for s in lines):
        if not line:
            continue
        if out and not _glued(out[-1], line[0]):
            out += " "
        out += line
    return out


def _tokens(text: str) -> list[list]:
    """[token, space before]: a Chinese character is a token of its own, a Latin word one token; closing marks
    stick to the token before them, opening marks to the token after."""
    tokens: list[list] = []
    space = glue_next = False
    for ch in text:
        if ch.isspace():
            space = True
            continue
        latin = not _wide(ch) and tokens and not _wide(tokens[-1][0][-1])
        if tokens and not space and (glue_next or ch in _CLOSING or latin):
            tokens[-1][0] += ch
        else:
            tokens.append([ch, space and bool(tokens)])
        glue_next, space = ch in _OPENING, False
    return tokens


def fill(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    lines, line, used = [], first, width_of(first)
    fresh = True
    for token, space in _tokens(text):
        w = width_of(token) + (1 if space and not fresh else 0)
        if not fresh and used + w > width:
            lines.append(line.rstrip())
            line, used, fresh = rest, width_of(rest), True
            w = width_of(token)
        line += (" " if space and not fresh else "") + token
        used += w
        fresh = False
    lines.append(line.rstrip())
    return lines


def wrap_text(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """Click's paragraph rules (blank lines part paragraphs, a paragraph after a line of `\\b` is kept as
    written), with Chinese-aware filling."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip("\n")):
        lines = para.split("\n")
        if lines[0].strip() == "\b":
            out.append("\n".join(subsequent_indent + line.rstrip() for line in lines[1:]))
            continue
        extra = " " * (len(lines[0]) - len(lines[0].lstrip()))
        start = initial_indent if not out else subsequent_indent
        out.append("\n".join(fill(join_lines(lines), width, start + extra, subsequent_indent + extra)))
    return "\n\n".join(out)


class ChineseHelpFormatter(click.HelpFormatter):
    """As wide as the terminal (at least 80 columns), Chinese headings, Chinese-aware wrapping."""

    def __init__(self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None) -> None:
        super().__init__(indent_increment, width or max(80, shutil.get_terminal_size().columns) - 2, max_width)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = f"{' ' * self.current_indent}用法："
        self.write("\n".join(fill(f"{prog} {args}", self.width, prefix, " " * width_of(prefix))) + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap_text(text, self.width, indent, indent) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((width_of(r[0]) for r in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first_col - self.current_indent, 10)
        hang = " " * (self.current_indent + first_col)
        for term, definition in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not definition:
                self.write("\n")
                continue
            if width_of(term) <= first_col - col_spacing:
                self.write(" " * (first_col - width_of(term)))
            else:
                self.write("\n" + hang)
            lines = wrap_text(definition, text_width).split("\n")
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write((hang + line if line else "") + "\n")
