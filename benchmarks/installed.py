"""A scratch environment with this tree installed as a user installs it (`pip install .`, not editable), and
whole-process timing with peak memory, for the benchmarks.

An editable install puts an import finder into every Python start (tens of milliseconds), which inflates any
`python -c` baseline run beside it; so does a site-packages folder whose .pth files run code at start. The
scratch venv therefore sees the machine's packages only as a plain path entry (no .pth file in it is run),
and gkxl itself as a normal installed package, with bytecode compiled at install as pip does, by a current pip:
the `gkxl` script that pip before 25.0 wrote imports `re` (with enum, ~3 ms here) before gkxl starts, which
pip 25 and newer (and the offline bundle, which brings its own) no longer do.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TREE = Path(__file__).resolve().parents[1]
# GKXL_BENCH_VENV: a venv path of its own, so that two benchmark runs at once do not reinstall under each other.
VENV = Path(os.environ.get("GKXL_BENCH_VENV") or Path(tempfile.gettempdir()) / "gkxl-bench-venv")

# As on a user's machine, Python caches compiled modules: a PYTHONDONTWRITEBYTECODE inherited from the
# environment would make every run recompile gkxl from source and measure the compiler, not gkxl.
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "GKXL_BENCH_VENV")}


def installed() -> Path:
    """The scratch venv's Python, with this tree freshly installed (non-editable)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys._base_executable, "-m", "venv", str(VENV)], check=True)
        deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
        (_site_packages(python) / "zz-machine-packages.pth").write_text("\n".join(deps) + "\n")
        # (from the package registry; without one, the venv's own pip, and the header says which)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip>=25"], env=ENV, check=False)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(TREE)],
        check=True,
        env=ENV,
    )
    return python


def where(python: Path) -> str:
    """Where gkxl is installed and by which pip, for the benchmarks' header."""
    out = subprocess.run([str(python), "-m", "pip", "--version"], text=True, capture_output=True, env=ENV)
    return f"gkxl installed into {python.parent.parent} by pip {out.stdout.split()[1] if out.returncode == 0 else '?'}"


def _site_packages(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True,
                         capture_output=True, check=True)  # fmt: skip
    return Path(out.stdout.strip())


def run(cmd: list[str], stdout=subprocess.DEVNULL) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one whole process. GNU time starts it, so the peak is the
    command's own (a child forked from this big benchmark process would count this process's pages) and
    includes the worker processes it waited for."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        proc = subprocess.run([TIME, "-f", "%M", "-o", rss.name, *cmd], stdout=stdout, stderr=subprocess.DEVNULL,
                              env=ENV, check=False)  # fmt: skip
        wall = time.perf_counter() - start
        return wall, int(rss.read().split()[-1]) / 1024, proc.returncode


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())
