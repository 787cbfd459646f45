"""The README stays true to the program: its example outputs are what the commands print on the bundled data.

A checked block is marked with an HTML comment naming the command (the sqlite-utils way):

    <!-- readme-check: gkxl validate examples/with-errors/2024-shiqiao.xlsx -->
    ```
    …the command's stdout, exactly…
    ```

and a JSON key list with `<!-- readme-json: gkxl validate … --json -->` before the paragraph whose first code span
is the list (`{"files": [{"path", …}, …]}`). Commands run as real processes in a scratch folder holding a copy
of `examples/`. The Rules table is checked against the rule ids and severities in the form files and the code.

After changing what a command prints, rewrite the marked blocks from real output:

    python -m tests.test_readme --update
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

UPDATE = "rewrite with python -m tests.test_readme --update"
ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- readme-check: (?P<cmd>[^\n]+?) -->\n```[a-z]*\n(?P<body>.*?)```", re.S)
JSON_SPAN = re.compile(r"<!-- readme-json: (?P<cmd>[^\n]+?) -->\n(?P<before>.*?)`(?P<body>\{[^`]*\})`", re.S)


def run_command(cmd: str, cwd: Path) -> str:
    args = shlex.split(cmd)
    assert args[0] == "gkxl", cmd
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "gkxl", *args[1:]], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )
    return done.stdout


def scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="gkxl-readme-"))
    shutil.copytree(ROOT / "examples", folder / "examples")
    return folder


def key_list(value: object) -> str:
    """A JSON document's keys in the README's notation: `{"a", "b": [{"c", …}, …]}`."""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            inner = _shape(item)
            parts.append(f'"{key}"' + (f": {inner}" if inner else ""))
        return "{" + ", ".join(parts) + "}"
    return ""


def _shape(value: object) -> str:
    if isinstance(value, dict):
        return key_list(value)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"[{key_list(_union(value))}, …]"
    return ""


def _union(items: list[dict]) -> dict:
    """One dict with every key of `items` (first appearance order); lists of dicts merged the same way."""
    out: dict = {}
    for item in items:
        for key, value in item.items():
            old = out.get(key)
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                value = [_union((old or []) + value)] if isinstance(old, list) else [_union(value)]
            elif isinstance(value, dict) and isinstance(old, dict):
                value = _union([old, value])
            elif old is not None and (value is None or value == []):
                value = old
            out[key] = value
    return out


def checked_blocks(text: str) -> list[tuple[str, str]]:
    return [(m["cmd"], m["body"]) for m in BLOCK.finditer(text)]


def json_spans(text: str) -> list[tuple[str, str]]:
    return [(m["cmd"], m["body"]) for m in JSON_SPAN.finditer(text)]


def real_key_list(cmd: str, cwd: Path) -> str:
    return key_list(json.loads(run_command(cmd, cwd)))


def update(path: Path = README) -> int:
    """Rewrite every marked block and key list from real output; the number of changes."""
    text = path.read_text(encoding="utf-8")
    cwd = scratch()
    changes = 0

    def block(m: re.Match) -> str:
        nonlocal changes
        out = run_command(m["cmd"], cwd)
        changes += out != m["body"]
        fence = m.group(0).split("\n", 2)[1]
        return f"<!-- readme-check: {m['cmd']} -->\n{fence}\n{out}```"

    def span(m: re.Match) -> str:
        nonlocal changes
        keys = real_key_list(m["cmd"], cwd)
        changes += keys != m["body"]
        return f"<!-- readme-json: {m['cmd']} -->\n{m['before']}`{keys}`"

    text = JSON_SPAN.sub(span, BLOCK.sub(block, text))
    path.write_text(text, encoding="utf-8")
    shutil.rmtree(cwd, ignore_errors=True)
    return changes


# --- the rules table ---


def program_rules() -> dict[str, set[str]]:
    """Every rule id the program reports, with its severities: the form files' rules, and those the reader
    and the checks name in code."""
    rules: dict[str, set[str]] = {}
    for form in (ROOT / "gkxl" / "form" / "forms").glob("*.json"):
        for m in re.finditer(
            r'"id":\s*"([A-Z][A-Z0-9]*-[A-Z-]+)"[^{}]*?"severity":\s*"(\w+)"', form.read_text("utf-8")
        ):
            rules.setdefault(m[1], set()).add(m[2])
    for folder in ("read", "check"):
        for source in (ROOT / "gkxl" / folder).glob("*.py"):
            pattern = r'"((?:V|META|Y|T\d)-[A-Z-]+)",\s*"(error|warning|info)"'
            for m in re.finditer(pattern, source.read_text("utf-8")):
                rules.setdefault(m[1], set()).add(m[2])
    return rules


def readme_rules(text: str) -> dict[str, set[str]]:
    section = text.split("\n## Rules\n", 1)[1].split("\n## ", 1)[0]
    rules: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        for rule in re.findall(r"`([A-Z][A-Z0-9]*-[A-Z-]+)`", cells[0]):
            rules[rule] = set(re.findall(r"error|warning|info", cells[1]))
    return rules


# --- the tests ---


def test_readme_output_blocks_are_what_the_commands_print(tmp_path):
    text = README.read_text(encoding="utf-8")
    blocks = checked_blocks(text)
    assert len(blocks) >= 3, "the README lost its checked examples"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for cmd, body in blocks:
        assert run_command(cmd, tmp_path) == body, (
            f"README block for `{cmd}` differs: python -m tests.test_readme --update"
        )


def test_readme_json_key_lists_are_the_real_keys(tmp_path):
    spans = json_spans(README.read_text(encoding="utf-8"))
    assert spans, "the README lost its checked JSON key lists"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for cmd, body in spans:
        assert real_key_list(cmd, tmp_path) == body, (
            f"JSON keys of `{cmd}` differ: python -m tests.test_readme --update"
        )


def test_readme_rules_table_lists_every_rule_with_its_severities():
    assert readme_rules(README.read_text(encoding="utf-8")) == program_rules()


def test_update_rewrites_a_stale_block(tmp_path):
    readme = tmp_path / "README.md"
    cmd = "gkxl validate examples/2024-chengguan.xlsx"
    readme.write_text(f"# x\n\n<!-- readme-check: {cmd} -->\n```\nstale\n```\n", encoding="utf-8")
    assert update(readme) == 1
    assert checked_blocks(readme.read_text(encoding="utf-8")) == [(cmd, run_command(cmd, ROOT))]
    assert update(readme) == 0


def test_key_list_notation():
    doc = {"files": [{"path": "a", "findings": [{"rule": "X"}]}, {"path": "b", "error": "e", "findings": []}]}
    assert key_list(doc) == '{"files": [{"path", "findings": [{"rule"}, …], "error"}, …]}'


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.test_readme --update")
    print(f"README.md: {update()} block(s) rewritten")
