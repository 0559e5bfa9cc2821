"""Type stubs for ``bttbfft._capi``: the C API exported to Cython (``cimport bttbfft``).

The functions themselves are C-level (``cdef ... nogil``) and invisible to Python; they are
reached through ``__pyx_capi__`` by Cython extensions that ``cimport bttbfft``.
"""
from typing import Any

version: str
__pyx_capi__: dict[str, Any]
