#!/usr/bin/env bash
# Reliability checks for bttbfft (called by .ci/run after the main tests; see docs/reliability.md).
#
# Run from the repository root with the CI virtual environment active (python with bttbfft's test
# dependencies).  Installs what it needs (clang + compiler-rt for libFuzzer/ASan, valgrind).
#   1. C library + C tests built with -DBTTBFFT_SANITIZE=ON (ASan + UBSan), ctest
#   2. valgrind memcheck over the C tests (quick mode, BTTBFFT_TEST_QUICK=1): no errors, no leaks
#   3. libFuzzer: replay of the corpus (seeds + regression inputs), then a bounded run per harness
#   4. the Python extension built with -fsanitize=address,undefined (gcc) and a subset of the
#      Python tests run against it with the ASan runtime LD_PRELOADed (CPython itself is not
#      instrumented, hence detect_leaks=0)
#   5. the 10^5-call leak loop of tests/test_concurrency.py (RSS + tracemalloc, installed package)
# The hypothesis / hostile / concurrency / accuracy test files are part of the normal suite.
#
# Knobs: FUZZ_SECONDS (per harness, default 45), RELIABILITY_WORK (scratch dir), JOBS,
# VALGRIND_BUILD (an existing CMake build directory whose test_fft/test_conv valgrind runs instead
# of building its own).
#
#   .ci/reliability.sh            all steps
#   .ci/reliability.sh c          steps 1-3 and the ASan build of the extension (no test of the
#                                 installed package: .ci/run runs this part in the background while
#                                 it installs and tests the package)
#   .ci/reliability.sh python     steps 4-5 (after `c` with the same RELIABILITY_WORK)
#   .ci/reliability.sh leak       step 5 only (the installed package; .ci/run starts it right
#                                 after the main tests, in the background)
#   .ci/reliability.sh asan-py    step 4 only (after `c` with the same RELIABILITY_WORK)
set -euo pipefail
MODE=${1:-all}
case "$MODE" in all | c | python | leak | asan-py) ;;
  *) echo "usage: $0 [all|c|python|leak|asan-py]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
FUZZ_SECONDS=${FUZZ_SECONDS:-45}
WORK=${RELIABILITY_WORK:-$(mktemp -d /tmp/bttbfft-rel.XXXXXX)}
mkdir -p "$WORK"
T0=$(date +%s)
step() { printf '\n==== [%4ss] %s ====\n' "$(( $(date +%s) - T0 ))" "$*"; }

if [ "$MODE" = all ] || [ "$MODE" = c ]; then
step "system packages (clang, compiler-rt, valgrind)"
need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
# libFuzzer's runtime: libclang-rt-<ver>-dev on Debian 12 (clang 14)
if command -v clang >/dev/null 2>&1; then
  if ! echo 'int LLVMFuzzerTestOneInput(const char*d,unsigned long s){return 0;}' |
      clang -x c -fsanitize=fuzzer,address - -o "$WORK/fuzzcheck" >/dev/null 2>&1; then
    need+=("libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev")
  fi
else
  need+=(libclang-rt-14-dev)
fi
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
clang --version | head -1
valgrind --version
# building the extension by hand (step 4) needs Cython and setuptools in this environment
python -c "import Cython, setuptools" 2>/dev/null ||
  python -m pip install -q "Cython>=3.0" "setuptools>=64"

step "1. C library + tests with -DBTTBFFT_SANITIZE=ON (ASan + UBSan), ctest"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cmake -S . -B "$WORK/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBTTBFFT_SANITIZE=ON \
  -DBTTBFFT_BUILD_BENCH=OFF -DBTTBFFT_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$WORK/build-asan" -j "$JOBS" >/dev/null
# the fuzz harnesses build meanwhile (ctest runs one test at a time)
(JOBS=1 fuzz/build.sh "$WORK/fuzz" >"$WORK/fuzz-build.log" 2>&1; echo $? >"$WORK/fuzz-build.rc") &
fuzz_build_pid=$!
ctest --test-dir "$WORK/build-asan" --output-on-failure
unset ASAN_OPTIONS UBSAN_OPTIONS

step "2. valgrind memcheck over the C tests (BTTBFFT_TEST_QUICK=1)"
wait "$fuzz_build_pid" || true
[ "$(cat "$WORK/fuzz-build.rc")" = 0 ] || { cat "$WORK/fuzz-build.log"; exit 1; }
# the ASan build of the Python extension (step 4) runs meanwhile: valgrind uses one core
PKG="$WORK/asan-pkg"
rm -rf "$PKG" && mkdir -p "$PKG/bttbfft"
cp src/bttbfft/*.py src/bttbfft/*.pxd "$PKG/bttbfft/"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
# -O1 (BTTBFFT_OPT): the usual level for sanitizer builds, and 4x faster to compile than -O3
# built from a copy of the sources (without generated files), so that it never races a build of
# the package running at the same time in the source tree (.ci/run runs this in the background)
ASRC="$WORK/asan-src"
rm -rf "$ASRC" && mkdir -p "$ASRC"
cp -r setup.py pyproject.toml README.md include src "$ASRC/"
rm -f "$ASRC"/src/bttbfft/_core.c "$ASRC"/src/bttbfft/_conv_core.c "$ASRC"/src/bttbfft/_capi.c \
  "$ASRC"/src/bttbfft/*.so
(cd "$ASRC" && CC=gcc CFLAGS="$SAN" LDFLAGS="$SAN" BTTBFFT_OPT=-O1 BTTBFFT_REQUIRE_EXTENSION=1 \
  python setup.py -q build_ext --build-lib "$PKG" --build-temp "$WORK/asan-tmp" --parallel 1 \
  >"$WORK/asan-build.log" 2>&1; echo $? >"$WORK/asan-build.rc") &
asan_build_pid=$!
if [ -n "${VALGRIND_BUILD:-}" ]; then
  VG="$VALGRIND_BUILD"   # an existing (Release) build of the C tests
else
  VG="$WORK/build-vg"
  cmake -S . -B "$VG" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBTTBFFT_BUILD_BENCH=OFF \
    -DBTTBFFT_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$VG" -j "$JOBS" --target test_fft test_conv >/dev/null
fi
for t in test_fft test_conv; do
  echo "-- valgrind $VG/$t"
  BTTBFFT_TEST_QUICK=1 valgrind -q --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    "$VG/$t" | tail -n 2
done

step "3. libFuzzer: corpus replay + ${FUZZ_SECONDS}s per harness"
export ASAN_OPTIONS=allocator_may_return_null=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for h in fuzz_plan fuzz_execute fuzz_conv; do
  echo "-- replay fuzz/corpus/$h ($(ls fuzz/corpus/$h | wc -l) inputs)"
  "$WORK/fuzz/$h" -runs=0 "fuzz/corpus/$h" 2>&1 | grep -E "^Done|ERROR|BROKEN" || true
  "$WORK/fuzz/$h" -runs=0 "fuzz/corpus/$h" >/dev/null 2>&1
done
# bounded runs, two at a time (mutations go to a scratch corpus: the repository is not touched)
run_fuzz() {
  local h=$1
  mkdir -p "$WORK/corpus-$h" "$WORK/artifacts-$h"
  cp fuzz/corpus/$h/* "$WORK/corpus-$h/"
  if "$WORK/fuzz/$h" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$WORK/artifacts-$h/" "$WORK/corpus-$h" \
      >"$WORK/fuzz-$h.log" 2>&1; then
    echo "$h: $(grep -E 'stat::number_of_executed_units' "$WORK/fuzz-$h.log" | awk '{print $2}') executions, no findings"
  else
    echo "$h: FINDING (log below, input in $WORK/artifacts-$h/)"
    grep -v -E '^#[0-9]+|^INFO' "$WORK/fuzz-$h.log" | head -n 60
    return 1
  fi
}
fuzz_status=0
wait "$asan_build_pid" || true   # keep the cores for the fuzzers
run_fuzz fuzz_plan & p1=$!
run_fuzz fuzz_execute & p2=$!
run_fuzz fuzz_conv & p3=$!
wait $p1 || fuzz_status=1
wait $p2 || fuzz_status=1
wait $p3 || fuzz_status=1
unset ASAN_OPTIONS UBSAN_OPTIONS
[ "$fuzz_status" = 0 ] || { echo "fuzzing found a problem"; exit 1; }
[ "$(cat "$WORK/asan-build.rc")" = 0 ] || { tail -n 40 "$WORK/asan-build.log"; exit 1; }
fi   # end of the C part

[ "$MODE" = c ] && { step "reliability checks (C part) passed in $(( $(date +%s) - T0 ))s"; exit 0; }
PKG="$WORK/asan-pkg"

# the leak loop (step 5, one core) runs while the ASan tests (step 4) run
leak_pid=
if [ "$MODE" != asan-py ]; then
  (
    cd "$WORK"
    BTTBFFT_LEAK_CALLS=100000 python -m pytest -q -s -p no:cacheprovider \
      "$ROOT/tests/test_concurrency.py" -k "test_no_leak_in_call_loop" >"$WORK/leak.log" 2>&1
    echo $? >"$WORK/leak.rc"
  ) &
  leak_pid=$!
fi

if [ "$MODE" != leak ]; then
step "4. Python extension built with -fsanitize=address,undefined; tests under LD_PRELOAD"
[ -f "$WORK/asan-build.rc" ] && [ "$(cat "$WORK/asan-build.rc")" = 0 ] \
  || { echo "no ASan build of the extension in $WORK (run the C part first)"; exit 1; }
ls "$PKG"/bttbfft/*.so
ASAN_LIB=$(gcc -print-file-name=libasan.so)
echo "LD_PRELOAD=$ASAN_LIB"
(
  cd "$WORK"   # so that the source tree's src/bttbfft is not importable by accident
  export LD_PRELOAD="$ASAN_LIB" PYTHONPATH="$PKG" BTTBFFT_REQUIRE_EXTENSION=1
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  python -c "import bttbfft, sys; print('backend', bttbfft.backend, bttbfft.__file__); sys.exit(bttbfft.backend != 'c')"
  # (the RSS leak loop is step 5: ASan's quarantine grows RSS by design)
  python -m pytest -q -p no:cacheprovider -x --backends c -k "not leak" \
    "$ROOT/tests/test_fft.py" "$ROOT/tests/test_conv_core.py" "$ROOT/tests/test_conv.py" \
    "$ROOT/tests/test_structured.py" "$ROOT/tests/test_hostile.py" \
    "$ROOT/tests/test_concurrency.py" "$ROOT/tests/test_fuzz_api.py"
)
fi

if [ -n "$leak_pid" ]; then
  step "5. leak loop: 10^5 mixed calls (C backend; 10^4 on the fallback)"
  wait "$leak_pid" || true
  grep -E "calls:|passed|failed|Error" "$WORK/leak.log" || true
  [ "$(cat "$WORK/leak.rc")" = 0 ] || { tail -n 40 "$WORK/leak.log"; exit 1; }
fi

step "reliability checks passed in $(( $(date +%s) - T0 ))s"
