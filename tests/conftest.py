"""Every test runs on both backends: the compiled one ("c") and the pure-Python fallback.

The autouse fixture ``backend`` points ``bttbfft._backend.name/fft/conv`` and ``bttbfft.backend`` at
the backend of the current parameter and restores them afterwards.  The "c" parameter is skipped
when the extension cannot be imported or when ``BTTBFFT_PURE_PYTHON=1`` is set (CI's second run).
A conv module that cannot be imported (yet) leaves ``_backend.conv`` alone.
"""
import importlib
import os

import pytest

import bttbfft
from bttbfft import _backend

BACKENDS = ["c", "python"]
_MODULES = {"c": ("bttbfft._core", "bttbfft._conv_core"),
            "python": ("bttbfft._fallback", "bttbfft._fallback_conv")}


def _pure_python_forced():
    value = os.environ.get("BTTBFFT_PURE_PYTHON")
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


def pytest_addoption(parser):
    parser.addoption("--backends", default="c,python",
                     help="comma-separated backends to test (c, python); the others are skipped "
                          "(the wheel tests run --backends c)")


def _import(modname):
    try:
        return importlib.import_module(modname), None
    except ImportError as exc:
        return None, exc


@pytest.fixture(autouse=True, params=BACKENDS)
def backend(request):
    """Name of the backend the current test runs on ("c" or "python")."""
    which = request.param
    selected = [b.strip() for b in request.config.getoption("--backends").split(",")]
    if which not in selected:
        pytest.skip(f"backend {which!r} not selected (--backends)")
    if which == "c" and _pure_python_forced():
        pytest.skip("BTTBFFT_PURE_PYTHON=1: compiled backend not tested")
    fft_name, conv_name = _MODULES[which]
    fft_mod, exc = _import(fft_name)
    if fft_mod is None:
        if which == "c":
            pytest.skip(f"compiled extension not importable: {exc}")
        raise exc
    conv_mod, _ = _import(conv_name)
    saved = (_backend.name, _backend.fft, _backend.conv, bttbfft.backend)
    _backend.name = which
    _backend.fft = fft_mod
    if conv_mod is not None:
        _backend.conv = conv_mod
    bttbfft.backend = which
    try:
        yield which
    finally:
        _backend.name, _backend.fft, _backend.conv, bttbfft.backend = saved
