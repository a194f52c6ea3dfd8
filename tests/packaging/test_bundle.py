"""The frozen bundle: build it with PyInstaller from packaging/settlement-window.spec into tmp, move it
away from the build folders, and run its ``selfcheck`` offscreen with a clean environment.

The self-check loads the bundled configuration template, starts the sandbox platform in-process, signs
in (9001), creates a QApplication with the bundled font and renders a receipt PDF. Running it from the
copied folder with no PYTHONPATH and a foreign working directory shows that the bundle needs neither
the source tree nor a compiler.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "settlement-window.spec"
EXECUTABLE = "settlement-window.exe" if sys.platform == "win32" else "settlement-window"

log = logging.getLogger(__name__)


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pyinstaller")
    started = time.monotonic()
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(SPEC),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    # Install it somewhere else, as an admin would copy it to /opt or C:\Program Files.
    installed = tmp_path_factory.mktemp("installed") / "settlement-window"
    shutil.copytree(work / "dist" / "settlement-window", installed, symlinks=True)
    shutil.rmtree(work)
    log.warning(
        "bundle built in %.0f s, %.0f MB",
        time.monotonic() - started,
        _folder_size(installed) / 1e6,
    )
    return installed


def _clean_environment(home: Path) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TEMP", "TMP", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_RUNTIME_DIR=str(home))
    return env


@pytest.mark.slow
def test_frozen_bundle_passes_its_self_check_offscreen(bundle: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(bundle / EXECUTABLE), "selfcheck"],
        cwd=tmp_path,
        env=_clean_environment(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "自检通过。"
    assert [line.split("：")[0] for line in lines[:-1]] == [
        "[正常] 配置", "[正常] 数据库", "[正常] 签到", "[正常] 界面", "[正常] 票据",
    ]  # fmt: skip
    # The template came from inside the bundle, not from the source tree.
    assert str(bundle.resolve()) in lines[0]
    assert str(ROOT) not in result.stdout
    assert "offscreen" in lines[3]


@pytest.mark.slow
def test_frozen_bundle_ships_its_resources_and_answers_help(bundle: Path, tmp_path: Path) -> None:
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    resources = internal / "resources"
    for relative in (
        "config/settlement-window.example.toml",
        "fonts/wqy-microhei.ttc",
        "fonts/wqy-microhei-ui.ttf",
        "sandbox/population.json",
        "icons/settlement-window.png",
    ):
        assert (resources / relative).is_file(), relative
    plugins = list(internal.rglob("*qoffscreen*"))
    assert plugins, "Qt offscreen platform plugin missing"
    if sys.platform.startswith("linux"):
        assert list(internal.rglob("*qxcb*")), "Qt xcb platform plugin missing"
    excluded = [p.name for p in internal.rglob("*Qt6Quick*")] + [
        p.name for p in internal.rglob("*Qt6Qml.*")
    ]
    assert not excluded, excluded
    result = subprocess.run(
        [str(bundle / EXECUTABLE), "--help"],
        cwd=tmp_path,
        env=_clean_environment(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for command in ("doctor", "selfcheck", "users", "backup", "export", "sandbox"):
        assert command in result.stdout
