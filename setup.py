"""The build step pyproject.toml cannot state: ship the VBA source of macros/ inside the package.

`macros/*.bas` stays the one editable source (top level, beside the workbooks it builds). A built wheel carries
a copy in `gkxl/workbook/vba/`, so `gkxl template --xlsm`, `merge -o X.xlsm` and `excel-setup` work from an
installed wheel with no source tree; tests/test_wheel.py proves the copy is identical.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MACROS = Path(__file__).parent / "macros"


class BuildWithMacros(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "gkxl" / "workbook" / "vba"
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted(MACROS.glob("*.bas")):
            shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": BuildWithMacros})
