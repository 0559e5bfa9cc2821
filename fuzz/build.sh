#!/usr/bin/env bash
# Build the libFuzzer harnesses of bttbfft (clang, -fsanitize=fuzzer,address,undefined).
#
#   fuzz/build.sh [OUTDIR]            # default OUTDIR: /tmp/bttbfft-fuzz
#   fuzz/build.sh --replay [OUTDIR]   # plain replay binaries (no libFuzzer, fuzz/replay_main.c)
#                                     # with $CC (gcc is fine), e.g. for valgrind
#
# Produces OUTDIR/fuzz_plan, OUTDIR/fuzz_execute, OUTDIR/fuzz_conv.  The C core (src/*.c) is
# compiled once with the same sanitizers and linked into every harness, so ASan/UBSan instrument
# the library code too.  Extra compiler flags: FUZZ_EXTRA_CFLAGS.  Parallel jobs: JOBS (default 2).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REPLAY=0
if [ "${1:-}" = "--replay" ]; then REPLAY=1; shift; fi
OUT=${1:-/tmp/bttbfft-fuzz}
JOBS=${JOBS:-2}
mkdir -p "$OUT/obj"
INC=(-I"$ROOT/include" -I"$ROOT/src" -I"$HERE")
if [ "$REPLAY" = 1 ]; then
  CC=${CC:-cc}
  FLAGS=(-O1 -g -std=c99 -D_DEFAULT_SOURCE -fno-omit-frame-pointer ${FUZZ_EXTRA_CFLAGS:-})
  LIBFLAGS=("${FLAGS[@]}")
  DRIVER=("$HERE/replay_main.c")
else
  CC=${CC:-clang}
  FLAGS=(-O1 -g -std=c99 -fno-omit-frame-pointer -fsanitize=address,undefined
         -fno-sanitize-recover=undefined ${FUZZ_EXTRA_CFLAGS:-})
  LIBFLAGS=("${FLAGS[@]}" -fsanitize=fuzzer-no-link)
  FLAGS+=(-fsanitize=fuzzer)
  DRIVER=()
fi
# the library, once (in parallel)
pids=()
for src in "$ROOT"/src/*.c; do
  "$CC" "${LIBFLAGS[@]}" "${INC[@]}" -c "$src" -o "$OUT/obj/$(basename "$src" .c).o" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$JOBS" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
for h in fuzz_plan fuzz_execute fuzz_conv; do
  "$CC" "${FLAGS[@]}" "${INC[@]}" "$HERE/$h.c" "${DRIVER[@]}" "$OUT"/obj/*.o -lm -o "$OUT/$h"
done
echo "built $OUT/fuzz_plan $OUT/fuzz_execute $OUT/fuzz_conv"
