"""``python -m bttbfft`` (SPEC section 8): the self-check's exit status and the benchmark's files.

CI's `python -m bttbfft --quick` and the wheel's `python -m bttbfft check` rely on the exit
status alone, so a failing check must give a non-zero status.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import bttbfft
from bttbfft import __main__ as cli


def test_check_passes_with_exit_status_0(capsys):
    assert cli.main(["check"]) == 0
    assert "self-check: PASS" in capsys.readouterr().out


def test_wrong_results_give_exit_status_1(monkeypatch, capsys):
    real_fft = bttbfft.fft
    monkeypatch.setattr(bttbfft, "fft", lambda *a, **k: real_fft(*a, **k) * (1 + 1e-9))
    assert cli.main(["check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "self-check: FAIL" in out


def test_a_crash_is_a_failure(monkeypatch, capsys):
    def boom(*a, **k):
        raise RuntimeError("injected")
    monkeypatch.setattr(bttbfft, "rfft", boom)
    assert cli.main(["check"]) == 1
    assert "injected" in capsys.readouterr().out


def test_bench_files(tmp_path, backend):
    js, png = tmp_path / "b.json", tmp_path / "b.png"
    env = dict(os.environ, BTTBFFT_PURE_PYTHON="1" if backend == "python" else "0")
    args = [sys.executable, "-m", "bttbfft", "bench", "--quick", "--json", str(js)]
    try:
        import matplotlib  # noqa: F401
        args += ["--plot", str(png)]
    except ImportError:
        png = None
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    data = json.loads(js.read_text())
    assert data["backend"] == backend
    assert data["rows"] and all(np.isfinite(row["ratio"]) and row["ratio"] > 0
                                for row in data["rows"])
    if png is not None:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("opt", ["--json", "--plot"])
def test_check_refuses_bench_options(opt, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["check", opt, str(tmp_path / "f")])
    assert info.value.code == 2


@pytest.mark.parametrize("opt", ["--json", "--plot"])
def test_bench_output_folder_checked_before_running(opt, tmp_path, capsys, monkeypatch):
    # a missing folder is reported before the benchmark runs (it used to run in full, then fail
    # with a traceback)
    monkeypatch.setattr(cli, "benchmark", lambda **kw: pytest.fail("the benchmark ran"))
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", opt, str(tmp_path / "missing" / "f")])
    assert info.value.code == 2
    assert "does not exist" in capsys.readouterr().err


def test_bench_plot_without_matplotlib(tmp_path, capsys, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("no matplotlib here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    monkeypatch.setattr(cli, "benchmark", lambda **kw: pytest.fail("the benchmark ran"))
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "--plot", str(tmp_path / "b.png")])
    assert info.value.code == 2
    assert "needs matplotlib" in capsys.readouterr().err
