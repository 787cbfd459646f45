"""Build the offline install bundle for township PCs: `python scripts/windows_bundle.py --output DIR`.

Writes DIR/gkxl-<version>-windows.zip holding
  wheels/       the gkxl wheel and every dependency's Windows wheels (win_amd64) for each Python from 3.10 to
                the newest one PyPI has wheels for (a version without wheels for every dependency is left out),
                and a current pip;
  install.cmd   updates pip from wheels/ (pip 25 and newer write a gkxl.exe that does not import `re`: a
                one-file `gkxl validate` starts faster), installs gkxl with `pip --no-index` from wheels/ and
                runs `gkxl excel-setup` (GBK, as cmd.exe reads);
  模板/         both standard templates, .xlsx (no macros) and .xlsm (with the buttons);
  填报人员使用说明.pdf  the clerk guide (docs/clerk-guide.md), printed by headless Chromium or LibreOffice;
  安装说明.txt  who runs what.
It needs the package registry (pip download) once, on any OS; the bundle itself installs with no network.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14", "3.15")
PLATFORM = "win_amd64"
PIP = "pip>=25"  # its console scripts (gkxl.exe) import no `re`: see install.cmd

INSTALL_CMD = r"""@echo off
rem gkxl 离线安装：由信息管理员以管理员身份运行（右键“以管理员身份运行”）。
setlocal
set "HERE=%~dp0"
set "PY="
where py >nul 2>nul && set "PY=py -3"
if not defined PY where python >nul 2>nul && set "PY=python"
if not defined PY (
    echo 没有找到 Python。请先安装 Python 3.10 或更新版本（安装时勾选“为所有用户安装”和“添加到 PATH”），再运行本文件。
    pause
    exit /b 1
)
echo 正在更新 pip（不需要联网）……
%PY% -m pip install --no-index --find-links "%HERE%wheels" --upgrade pip >nul 2>nul
if errorlevel 1 echo pip 未能更新，继续使用本机已有的 pip。
echo 正在安装 gkxl（不需要联网）……
%PY% -m pip install --no-index --find-links "%HERE%wheels" gkxl
if errorlevel 1 (
    echo 安装失败：请把上面的提示截图发给县里的技术支持。
    pause
    exit /b 1
)
echo 正在设置 Excel 按钮使用的 Python（本机所有用户）……
%PY% -m gkxl excel-setup --all-users
if errorlevel 1 (
    echo 没有管理员权限，改为只为当前账户设置。
    %PY% -m gkxl excel-setup
)
echo.
echo 安装完成。模板在“模板”文件夹中；使用说明见“填报人员使用说明.pdf”。
pause
exit /b 0
"""

README = """gkxl {version} 离线安装包（Windows 10/11，64 位）

谁来做什么
1. 信息管理员（一次，每台电脑）：先安装 Python 3.10 或更新版本（python.org 的 Windows 安装程序，勾选
   “Install for all users”和“Add python.exe to PATH”）；再右键 install.cmd，选“以管理员身份运行”。
   它不联网安装 gkxl，并运行 gkxl excel-setup --all-users：这台电脑上每个账户都能用按钮，不必逐个设置。
2. 填报人员：打开“模板”文件夹中的 gkxl-2021.xlsm（启用宏）或 gkxl-2021.xlsx（不用宏），按
   《填报人员使用说明》填写。不能启用宏时用 .xlsx，“校验”工作表和红色单元格照样检查。

本包包含的 Python 版本：{pythons}。Windows 7 和 Python 3.9 及更早版本不能使用按钮，请用不需要宏的 .xlsx 模板。
"""


def run(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"失败：{' '.join(args)}\n{done.stderr[-2000:]}")


def build_wheel(into: Path) -> Path:
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(into), str(ROOT))
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    return next(into.glob("gkxl-*.whl"))


def download(wheel: Path, python: str, into: Path) -> bool:
    """Every dependency of `wheel` as Windows wheels for `python`; False when one has none for it."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "--platform", PLATFORM,
         "--python-version", python, "--implementation", "cp", "-d", str(into), str(wheel), PIP],
        capture_output=True, text=True,
    )
    return done.returncode == 0


def guide_pdf(target: Path, work: Path) -> None:
    """docs/clerk-guide.md as an A4 PDF, pictures included."""
    import markdown

    body = markdown.markdown((ROOT / "docs" / "clerk-guide.md").read_text(encoding="utf-8"), extensions=["tables"])
    style = ("@page { size: A4; margin: 18mm; } body { font-family: 'Noto Sans CJK SC', 'Microsoft YaHei', "
             "sans-serif; font-size: 10.5pt; line-height: 1.6; } img { max-width: 100%; } "
             "code { font-size: 9.5pt; } table { border-collapse: collapse; } td, th { border: 1px solid #999; "
             "padding: 2px 6px; }")
    page = ROOT / "docs" / ".clerk-guide.print.html"  # beside the pictures it links to
    page.write_text(f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>填报人员使用说明</title>'
                    f"<style>{style}</style></head><body>{body}</body></html>", encoding="utf-8")
    try:
        chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if chromium:
            run(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                f"--user-data-dir={work / 'chromium'}", f"--print-to-pdf={target}", page.as_uri())
        elif shutil.which("soffice"):
            run("soffice", f"-env:UserInstallation={(work / 'lo').as_uri()}", "--headless", "--convert-to",
                "pdf:writer_web_pdf_Export", "--outdir", str(work), str(page))
            (work / (page.stem + ".pdf")).replace(target)
        else:
            raise SystemExit("需要 Chromium 或 LibreOffice 来把使用说明转成 PDF")
    finally:
        page.unlink(missing_ok=True)


def templates(into: Path) -> None:
    into.mkdir()
    for form in ("2021", "2019"):
        for suffix in (".xlsx", ".xlsm"):
            shutil.copy(ROOT / "workbook" / f"gkxl-{form}{suffix}", into / f"gkxl-{form}{suffix}")


def build(output: Path, pythons: tuple[str, ...]) -> Path:
    from gkxl import __version__

    if not output.is_dir():
        raise SystemExit(f"输出文件夹不存在：{output}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bundle = work / f"gkxl-{__version__}-windows"
        wheels = bundle / "wheels"
        wheels.mkdir(parents=True)
        wheel = build_wheel(wheels)
        served = [p for p in pythons if download(wheel, p, wheels)]
        if not served:
            raise SystemExit("没有任何 Python 版本能下载到全部依赖的 Windows 版本")
        (bundle / "install.cmd").write_bytes(INSTALL_CMD.replace("\n", "\r\n").encode("gbk"))
        readme = README.format(version=__version__, pythons="、".join(served))
        (bundle / "安装说明.txt").write_bytes(readme.replace("\n", "\r\n").encode("utf-8-sig"))
        templates(bundle / "模板")
        guide_pdf(bundle / "填报人员使用说明.pdf", work)
        target = output / f"{bundle.name}.zip"
        partial = target.with_name(target.name + ".tmp")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(bundle.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(bundle).as_posix())
        partial.replace(target)
        left_out = [p for p in pythons if p not in served]
        note = f"；没有 Python {'、'.join(left_out)} 可用的全部依赖，未包含" if left_out else ""
        print(f"已写入 {target}（Python {'、'.join(served)}{note}）")
        return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=Path, help="输出文件夹（须已存在）")
    parser.add_argument("--python", nargs="+", default=PYTHONS, help=f"Python 版本（默认 {' '.join(PYTHONS)}）")
    args = parser.parse_args()
    build(args.output, tuple(args.python))


if __name__ == "__main__":
    main()
