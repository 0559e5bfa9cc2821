# __init__.pxd -- `cimport bttbfft`: the C API of bttbfft for other Cython extensions.
#
#     # setup.py of the downstream project:
#     #   Extension("mymod", ["mymod.pyx"], include_dirs=[bttbfft.get_include()])
#     #   cythonize(..., include_path=[bttbfft.get_include()])
#     cimport bttbfft
#     cdef bttbfft.bttb_plan *plan = NULL
#     with nogil:
#         st = bttbfft.bttb_plan_create(&plan, bttbfft.BTTB_C2C, n, bttbfft.BTTB_F64, 0)
#         st = bttbfft.bttb_execute_c2c(plan, x, y, bttbfft.BTTB_FORWARD, 1.0, work)
#         bttbfft.bttb_plan_destroy(plan)
#
# Types and constants are those of the public header bttbfft.h (hence include_dirs above).  The
# functions are those of the compiled module bttbfft._capi (same names and signatures as in the
# header; _capi.pxd/_capi.pyx are generated from cbttbfft.pxd by setup.py), imported through
# Cython's __pyx_capi__ when the downstream module is imported -- there is nothing to link.
# The second cimport below replaces the `cdef extern` function declarations of the first one
# (which would need the C symbols at link time) by those of bttbfft._capi.
#
# The same file is installed as <get_include()>/bttbfft.pxd, so that `cimport bttbfft` resolves
# to these declarations whether Cython finds it through include_path or through sys.path.  The
# project's own extensions cimport bttbfft.cbttbfft instead (linked with the C sources).

from bttbfft.cbttbfft cimport *
from bttbfft._capi cimport *
