"""`gkxl validate` without Click (gkxl/cli/fast.py): the same options as Click parses, the same output and exit
codes, from a real process that ends with os._exit; streamed JSON that is the document json.dumps would write;
worker processes that keep input order."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkxl.cli import cli
from gkxl.cli.fast import parse_validate
from gkxl.cli.validate_job import JsonStream

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SHIQIAO = EXAMPLES / "with-errors" / "2024-shiqiao.xlsx"


def click_options(args: list[str]) -> dict:
    command = cli.get_command(None, "validate")
    params = command.make_context("validate", list(args)).params
    return {
        "inputs": list(params["inputs"]),
        **{k: v for k, v in params.items() if k != "inputs" and v not in (None, False)},
    }


def as_paths(options: dict | None) -> dict | None:
    """The fast parser keeps paths as typed (no pathlib on the hot path; run() takes text or Paths): as Paths,
    they must be Click's."""
    if options is None:
        return None
    paths = {k: Path(v) for k, v in options.items() if k in ("annotate", "previous")}
    return {**options, **paths, "inputs": [Path(p) for p in options["inputs"]]}


@pytest.mark.parametrize(
    "args",
    [
        ["a.xlsx"],
        ["a.xlsx", "b/", "--json"],
        ["--json", "--show-info", "a.xlsx"],
        ["a.xlsx", "--form", "2019", "--annotate", "out/"],
        ["a.xlsx", "--form=2021", "--annotate=x.xlsx", "--previous", "2023/"],
        ["-j", "2", "a/", "--jobs=1"],
        ["a.xlsx", "--", "--json"],
    ],
)
def test_fast_parse_is_what_click_parses(args):
    assert as_paths(parse_validate(args)) == click_options(args)


@pytest.mark.parametrize(
    "args",
    [[], ["-h"], ["a.xlsx", "--help"], ["a.xlsx", "--bogus"], ["--form", "2018", "a"], ["-j", "0", "a"], ["-j2", "a"],
     ["a", "--annotate"], ["--json"], ["a", "--json=yes"]],
)  # fmt: skip
def test_anything_unusual_goes_to_click(args):
    assert parse_validate(args) is None


def gkxl(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "gkxl", *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd
    )


def test_a_real_process_gives_the_exit_codes_and_all_its_output(tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    clean, errors, unreadable = (gkxl("validate", p) for p in (EXAMPLES / "2024-chengguan.xlsx", SHIQIAO, bad))
    assert (clean.returncode, errors.returncode, unreadable.returncode) == (0, 1, 2)
    assert errors.stdout == CliRunner().invoke(cli, ["validate", str(SHIQIAO)]).stdout
    assert errors.stdout.endswith("结论：不通过：6 处必须修改\n")


def test_the_fast_path_loads_no_click():
    code = (
        "import sys; from gkxl.cli import run; "
        f"code = run(['validate', {str(SHIQIAO)!r}]); print(code, 'click' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "1 False"


def test_streamed_json_is_the_document_json_dumps_writes(capsys):
    files = [{"path": "a", "findings": [{"rule": "X", "cell": "B2"}]}, {"path": "b", "findings": []}]
    extra = {"previous_unreadable": ["x：坏", "y：坏"]}
    stream = JsonStream()
    for f in files:
        stream.add("    " + json.dumps(f, ensure_ascii=False, indent=2).replace("\n", "\n    "), "ok")
    stream.close(extra)
    assert capsys.readouterr().out == json.dumps({"files": files, **extra}, ensure_ascii=False, indent=2) + "\n"
    empty = JsonStream()
    empty.close({})
    assert capsys.readouterr().out == json.dumps({"files": []}, indent=2) + "\n"


@pytest.fixture
def folder(tmp_path) -> Path:
    out = tmp_path / "各乡镇"
    out.mkdir()
    for i, source in enumerate(
        [*sorted(EXAMPLES.glob("*.xlsx")), SHIQIAO, EXAMPLES / "form-2019" / "2020-liulou.xlsx"]
    ):
        shutil.copy(source, out / f"{i:02d}-{source.name}")
    (out / "05-坏.xlsx").write_bytes(b"PK\x03\x04 truncated")
    return out


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_worker_processes_print_in_input_order_as_one_process_does(folder, extra):
    one = gkxl("validate", folder, "-j", "1", *extra)
    two = gkxl("validate", folder, "-j", "2", *extra)
    assert one.returncode == two.returncode == 2
    assert one.stdout == two.stdout
    names = [line.split()[0] for line in one.stdout.splitlines() if line.startswith(str(folder))]
    if not extra:
        assert names == sorted(names) and len(names) == 6
    else:
        assert [f["path"] for f in json.loads(two.stdout)["files"]] == [str(p) for p in sorted(folder.iterdir())]


def test_validate_form_names_the_form_it_found():
    result = CliRunner().invoke(cli, ["validate", "--form", "2019", str(EXAMPLES / "2024-chengguan.xlsx")])
    assert result.exit_code == 2
    assert "这是表式 2021 的工作簿（见封面“表式”），不是 --form 指定的 2019，未校验" in result.output
    assert "结论：未校验：表式为 2021，不是 2019" in result.output and "无法读取" not in result.output


def test_a_click_command_in_a_real_process_keeps_its_exit_code_and_output(tmp_path):
    out = tmp_path / "模板.xlsx"
    made = gkxl("template", "-o", out)
    assert made.returncode == 0 and made.stdout == f"已生成模板（表式 2021）：{out}\n"
    refused = gkxl("merge", EXAMPLES, SHIQIAO, "-o", tmp_path / "汇总.xlsx")
    assert refused.returncode == 1 and refused.stdout.rstrip().endswith(f"没有写出 {tmp_path / '汇总.xlsx'}")
    from gkxl.read.reader import read_report

    assert read_report(out).form.id == "2021"  # complete on disk although the process skipped its teardown


@pytest.mark.parametrize(
    "typed",
    ["d", "d/", "d//", "./d", "d/.", "d/a.xlsx", "d//a.xlsx", "d/./a.xlsx", "missing.xlsx", "d/../d/a.xlsx",
     "empty", "empty/", "ABS/d/", "ABS/d/a.xlsx", "."],
)  # fmt: skip
def test_one_input_as_text_is_named_as_its_path(typed, tmp_path, monkeypatch):
    """`gkxl validate ONE` keeps the input as text (no pathlib): the same files, spelt as str(Path) spells them."""
    from gkxl.read.inputs import expand_inputs, expand_text

    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "empty").mkdir()
    for name in ("b.xlsx", "a.xlsx", "~$a.xlsx", ".h.xlsx", "n.txt"):
        (tmp_path / "d" / name).write_bytes(b"x")
    typed = typed.replace("ABS", str(tmp_path))
    text = expand_text(typed, keep_empty=True)
    paths = [str(p) for p in expand_inputs([Path(typed)], keep_empty=True)]
    assert text is None or text == paths
    assert text is not None or typed in ("./d", "d/.", "d//a.xlsx", "d/./a.xlsx", ".")


def test_json_text_is_json_dumps_indented():
    """validate --json builds each file's document with json's C string encoder: the same text as json.dumps."""
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from gkxl.cli.validate_job import json_text

    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
    values = st.recursive(scalars, lambda kids: st.lists(kids) | st.dictionaries(st.text(), kids), max_leaves=30)

    @settings(max_examples=300, deadline=None)
    @given(values, st.sampled_from(["", "    "]))
    def same(value, prefix):
        expected = prefix + json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + prefix)
        assert json_text(value, prefix) == expected

    same()
    assert json_text({"a": (1, 2.5), "b": {}, "c": [], 3: "x"}) == json.dumps(
        {"a": (1, 2.5), "b": {}, "c": [], 3: "x"}, ensure_ascii=False, indent=2
    )
