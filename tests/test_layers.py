"""The package's layering: one folder per capability, each importing only the folders below it, no cycles.

Reads every module's imports with ast (lazy imports inside functions included, TYPE_CHECKING ones excluded:
they never run) and fails on an import cycle between files or on a folder importing one above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gkxl"

# Bottom to top. A folder may import the package root's plumbing and the folders before it in this list.
LAYERS = ["form", "read", "ledger", "check", "workbook", "render", "excel", "merge", "csv",
          "importer", "report", "season", "audit", "cli"]
ROOT_PLUMBING = {"errors", "atomic", "parallel"}  # shared by every folder; import no folder themselves


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The gkxl modules `path` imports, resolved to files (a `from pkg import mod` names the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if _type_checking_block(node):
            skip.update(id(n) for n in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("gkxl"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gkxl") and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return {m for m in found if m in modules}


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports_of(path, set(files)) for name, path in files.items()}


def folder(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else None


def test_every_folder_is_a_known_layer():
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders <= set(LAYERS), f"folders missing from LAYERS: {folders - set(LAYERS)}"
    for name in folders:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()) >= 2, f"gkxl/{name}/__init__.py needs a docstring saying what it is for"


def test_folders_import_only_folders_below_them():
    wrong = []
    for module, targets in graph().items():
        here = folder(module)
        for target in targets:
            there = folder(target)
            if module.split(".")[-1] in ROOT_PLUMBING and module.count(".") == 1:
                if there is not None:
                    wrong.append(f"{module} (root plumbing) imports {target}")
                continue
            if here is None or there is None or here == there:
                continue
            if LAYERS.index(there) > LAYERS.index(here):
                wrong.append(f"{module} ({here}) imports {target} ({there}), a folder above it")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles():
    edges = graph()
    edges["gkxl"] = set()  # the root __init__ re-exports lazily, for library users
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if nxt == "gkxl":
                continue
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)
