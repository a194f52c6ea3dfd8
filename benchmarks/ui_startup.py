"""Cold start to an interactive window, against a bare PySide6 window started the same way.

    .venv/bin/python -m benchmarks.ui_startup [--runs N]

Each start is a fresh interpreter (``python -m benchmarks.ui_startup --child MODE T0``) that prints the
wall-clock time at which its window was shown and the event queue had drained (the window answers
keys), and — for the real window — when logging in becomes possible (the store, engine and devices are
built on a worker after the window is shown). MODE ``bare`` is a QApplication with one QMainWindow; MODE ``window`` is the
real ``--demo`` start-up (embedded sandbox, store migration, engine, Chinese translation and font,
simulated devices, start-up recovery excluded because it needs a login). Runs alternate so machine
noise hits both alike. Target: window / bare ≤ 1.3 (issue 5).

Before the runs, ``app/`` is byte-compiled, as pip does when it installs the wheel and as the
PyInstaller bundle ships it: PySide6's own Python files in site-packages were compiled at install, so
without this an editable checkout under ``PYTHONDONTWRITEBYTECODE=1`` would compare a compiled bare
window with our sources recompiled on every start.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.3
ROOT = Path(__file__).resolve().parents[1]


def _drain(app: object) -> None:
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    assert isinstance(app, QApplication)
    for _ in range(3):
        app.processEvents()


def child(mode: str, started: float) -> None:
    """Start one window, print seconds from ``started`` until it is interactive, and quit."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if mode == "bare":
        from PySide6.QtWidgets import QApplication, QLabel, QMainWindow  # noqa: PLC0415

        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.setCentralWidget(QLabel("ready"))
        window.resize(1366, 768)
        window.show()
        _drain(app)
        print(f"{time.time() - started:.4f}")
        window.close()
        return
    # The steps of app.main.run_window, up to app.exec().
    from app.main import WindowSession, create_application, start_session  # noqa: PLC0415

    app = create_application("zh_CN")
    session = WindowSession(app)
    with tempfile.TemporaryDirectory(prefix="sw-bench-") as folder:
        try:
            window = start_session(session, demo=True, config=None, data_dir=folder)
            _drain(app)
            shown = time.time() - started
            while not window.is_ready:
                app.processEvents()
                time.sleep(0.002)
            print(f"{shown:.4f} {time.time() - started:.4f}")
            window.close()
        finally:
            session.close()


def _start(mode: str) -> list[float]:
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.ui_startup", "--child", mode, repr(started)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return [float(x) for x in out.stdout.strip().splitlines()[-1].split()]


def main(argv: list[str] | None = None) -> int:
    """Alternate bare and real starts; print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "T0"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], float(args.child[1]))
        return 0
    bare: list[float] = []
    real: list[float] = []
    ready: list[float] = []
    compiled = compileall.compile_dir(ROOT / "app", quiet=1)
    print(f"ui_startup: app/ byte-compiled as at install ({'ok' if compiled else 'FAILED'})")
    _start("bare")  # warm the OS file cache for both, outside the figures
    _start("window")
    for _ in range(args.runs):
        bare.append(_start("bare")[0])
        shown, logged_in_possible = _start("window")
        real.append(shown)
        ready.append(logged_in_possible)
    bare_s, real_s = statistics.median(bare), statistics.median(real)
    ratio = real_s / bare_s
    print(f"ui_startup: bare PySide6 window  median {bare_s * 1000:7.0f} ms  ({args.runs} runs)")
    print(
        f"ui_startup: settlement window    median {real_s * 1000:7.0f} ms  (--demo: window shown)"
    )
    print(
        f"ui_startup: log-in possible      median {statistics.median(ready) * 1000:7.0f} ms"
        "  (sandbox, store, engine, demo users built in the background)"
    )
    verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"ui_startup: ratio {ratio:.2f} (target ≤ {TARGET_RATIO}) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
