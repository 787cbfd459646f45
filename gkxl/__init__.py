"""gkxl: the statutory annual report on government information disclosure, as workbooks.

政府信息公开工作年度报告：标准模板、勾稽关系校验、汇总与导出。

The library's entry points are importable from here (`gkxl.check_file`, `gkxl.load_form`, ...); each is
loaded on first use, so `import gkxl` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

_ENTRY_POINTS = {
    "load_form": "gkxl.form.model",
    "read_report": "gkxl.read.reader",
    "check_file": "gkxl.check.validate",
    "validate": "gkxl.check.validate",
    "write_template": "gkxl.workbook.standard",
    "annotate": "gkxl.workbook.annotate",
    "merge": "gkxl.merge.combine",
    "run_csv": "gkxl.csv.job",
    "import_report": "gkxl.importer",
    "render": "gkxl.render",
}

__all__ = ["__version__", *_ENTRY_POINTS]


def __getattr__(name: str):
    module = _ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gkxl' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
