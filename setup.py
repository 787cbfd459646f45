"""The build step pyproject.toml cannot state: ship the VBA source of macros/ and the committed templates of
workbook/ inside the package.

`macros/*.bas` stays the one editable source (top level, beside the workbooks it builds). A built wheel carries
a copy in `gkxl/workbook/vba/`, so `gkxl template --xlsm`, `merge -o X.xlsm` and `excel-setup` work from an
installed wheel with no source tree; tests/test_wheel.py proves the copy is identical.

`workbook/gkxl-F.xlsx|.xlsm` (what `gkxl template` builds, proven by tests/test_template.py and test_xlsm.py)
are copied into `gkxl/workbook/templates/`: merge and import write their workbooks by patching them
(gkxl.workbook.patch), without building the template with openpyxl. Each copy has the same parts, each sheet
deflated in two pieces split before its footer (gkxl.workbook.zipparts.split_template), so that a filled copy
that changes only a sheet's footer (the 650 kB 校验 sheet) copies the rest of it as stored.
"""

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
MACROS = ROOT / "macros"
TEMPLATES = ROOT / "workbook"


class BuildWithMacros(build_py):
    def run(self) -> None:
        super().run()
        package = Path(self.build_lib) / "gkxl" / "workbook"
        for source_dir, pattern, target in (
            (MACROS, "*.bas", package / "vba"),
            (TEMPLATES, "gkxl-*.xls[xm]", package / "templates"),
        ):
            target.mkdir(parents=True, exist_ok=True)
            for source in sorted(source_dir.glob(pattern)):
                if source_dir == TEMPLATES:
                    _zipparts().split_template(str(source), str(target / source.name))
                else:
                    shutil.copyfile(source, target / source.name)


def _zipparts():
    """gkxl/workbook/zipparts.py on its own (standard library only): the build has no gkxl installed."""
    spec = importlib.util.spec_from_file_location("gkxl_zipparts", ROOT / "gkxl" / "workbook" / "zipparts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


setup(cmdclass={"build_py": BuildWithMacros})
