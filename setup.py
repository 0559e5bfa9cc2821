"""Build script for bttbfft's compiled extensions.

The extensions ``bttbfft._core`` (FFT) and ``bttbfft._conv_core`` (convolver) are Cython modules
over the C core in ``src/*.c`` (public header ``include/bttbfft.h``).  If they cannot be built (no
compiler), the install still succeeds and bttbfft runs on its pure-Python fallback, with a warning
-- unless ``BTTBFFT_REQUIRE_EXTENSION=1`` is set, in which case the build fails loudly.

The default build is portable (no -march=native): the C core picks its SIMD kernels at run time.
"""
import glob
import os
import shutil
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def _truthy(value):
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


REQUIRE = _truthy(os.environ.get("BTTBFFT_REQUIRE_EXTENSION"))
MODULES = ["_core", "_conv_core"]


def _warn(msg):
    bar = "*" * 78
    sys.stderr.write(f"\n{bar}\nWARNING: {msg}\nbttbfft will use its pure-Python fallback "
                     f"(correct but slow). Set BTTBFFT_REQUIRE_EXTENSION=1 to make this an "
                     f"error.\n{bar}\n\n")


def _extensions():
    try:
        import numpy
        from Cython.Build import cythonize
    except ImportError as exc:
        if REQUIRE:
            raise
        _warn(f"cannot build the C extension ({exc}).")
        return []
    c_sources = sorted(os.path.relpath(p, HERE) for p in glob.glob(os.path.join(HERE, "src", "*.c")))
    exts = []
    for mod in MODULES:
        pyx = os.path.join("src", "bttbfft", mod + ".pyx")
        if not os.path.exists(os.path.join(HERE, pyx)):
            continue
        exts.append(Extension(
            "bttbfft." + mod,
            sources=[pyx] + c_sources,
            include_dirs=["include", "src", numpy.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            language="c",
        ))
    return cythonize(exts, include_path=["src"], language_level=3, quiet=True,
                     compiler_directives={"embedsignature": True})


class BuildExt(build_ext):
    """Portable optimisation flags; a failed compile is a warning unless REQUIRE is set."""

    def build_extensions(self):
        ctype = self.compiler.compiler_type
        for ext in self.extensions:
            if ctype == "msvc":
                ext.extra_compile_args += ["/O2", "/fp:precise"]
            else:
                ext.extra_compile_args += ["-O3", "-fvisibility=hidden", "-fno-math-errno",
                                           "-Wno-unused-function"]
                if sys.platform != "win32":
                    ext.libraries = list(ext.libraries) + ["m"]
        super().build_extensions()

    def run(self):
        try:
            super().run()
        except Exception as exc:  # compiler missing or failing
            if REQUIRE:
                raise
            _warn(f"building the C extension failed ({exc}).")

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:
            if REQUIRE:
                raise
            _warn(f"building {ext.name} failed ({exc}).")


class BuildPy(build_py):
    """Ship the public C header inside the package, beside the .pxd files (get_include())."""

    def run(self):
        super().run()
        dest = os.path.join(self.build_lib, "bttbfft", "include")
        os.makedirs(dest, exist_ok=True)
        shutil.copy2(os.path.join(HERE, "include", "bttbfft.h"), dest)


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt, "build_py": BuildPy})
