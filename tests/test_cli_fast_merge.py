"""`gkxl merge` without Click (gkxl/cli/merge_run.py): the same options as Click parses, anything unusual left to
Click, and the same output and exit codes from a real process as from the Click command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.cli.merge_run import parse

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def click_options(args: list[str]) -> dict:
    command = cli.get_command(None, "merge")
    params = command.make_context("merge", list(args)).params
    return {**params, "inputs": list(params["inputs"])}


@pytest.mark.parametrize(
    "args",
    [
        ["a/", "-o", "s.xlsx"],
        ["a.xlsx", "b.xlsx", "--output=s.xlsm", "--json"],
        ["-o", "s.xlsx", "a/", "--unit", "某县人民政府", "--year", "2024", "--allow-errors"],
        ["a/", "-o", "s.xlsx", "-j", "2", "--jobs=1", "--unit=某县"],
        ["a/", "-o", "s.xlsx", "--roster", "名册.xlsx", "--db", "x.sqlite", "--accepted", "--allow-unknown"],
        ["-o", "s.xlsx", "--", "--json"],
        ["./a/", "b//c.xlsx", "-o", "./s.xlsx"],  # spelt otherwise by pathlib: Paths, as from Click
    ],
)
def test_fast_parse_is_what_click_parses(args):
    fast = parse(args)
    assert _spelt(fast) == _spelt(click_options(args))
    plain = "./a/" not in args  # a trailing '/' is spelt without pathlib; './' and '//' are not
    assert all(isinstance(p, str if plain else Path) for p in fast["inputs"])  # plain text: no pathlib imported


def _spelt(options: dict) -> dict:
    """Paths as their text: the fast parser keeps plain text as it is, which is how Click's Path spells it."""
    text = {k: str(v) if isinstance(v, Path) else v for k, v in options.items()}
    return {**text, "inputs": [str(p) for p in options["inputs"]]}


@pytest.mark.parametrize(
    "args",
    [[], ["-h"], ["a", "-o", "s.xlsx", "--help"], ["a", "-o", "s.xlsx", "--bogus"], ["a"], ["-o", "s.xlsx"],
     ["a", "-o", "s.xlsx", "--year", "1989"], ["a", "-o", "s.xlsx", "--year", "x"], ["a", "-o", "s.xlsx", "-j", "0"],
     ["a", "-o"], ["a", "-o", "s.xlsx", "--json=yes"], ["a", "-os.xlsx"], ["a", "-o", "s.xlsx", "--unit", "-x"],
     ["", "-o", "s.xlsx"]],
)  # fmt: skip
def test_anything_unusual_goes_to_click(args):
    assert parse(args) is None


def gkxl(*args) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "gkxl", *map(str, args)], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_a_real_process_prints_what_the_click_command_prints(tmp_path, extra):
    good = tmp_path / "好"
    good.mkdir()
    for source in sorted(EXAMPLES.glob("*.xlsx"))[:3]:
        shutil.copy(source, good / source.name)
    bad = tmp_path / "坏"
    shutil.copytree(good, bad)
    shutil.copy(EXAMPLES / "with-errors" / "2024-shiqiao.xlsx", bad / "shiqiao.xlsx")
    for folder, code in ((good, 0), (bad, 1)):
        fast = gkxl("merge", folder, "-o", tmp_path / "fast.xlsx", *extra)
        slow = CliRunner().invoke(cli, ["merge", str(folder), "-o", str(tmp_path / "fast.xlsx"), *extra])
        assert (fast.returncode, slow.exit_code) == (code, code), fast.stderr
        assert fast.stdout == slow.stdout


def test_the_fast_path_loads_no_click(tmp_path):
    folder = tmp_path / "各乡镇"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("with-errors", "form-2019", "*.xlsm", "*.md"))
    args = ["merge", str(folder), "-o", str(tmp_path / "s.xlsx")]
    code = f"import sys; from gkxl.cli import run; code = run({args!r}); print(code, 'click' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "0 False", done.stdout + done.stderr
