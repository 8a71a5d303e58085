#!/bin/sh
# Fuzzes the libdeflate shim's decompress entry point (libFuzzer + AddressSanitizer) for a bounded
# time, then checks a create/use/free loop with LeakSanitizer, and that the leak check does see a
# leak. Exits non-zero on any finding.
#   compression/src/test/c/fuzz.sh [seconds]      (default 60; FUZZ_SECONDS also works)
# Needs: clang (14 or later) with its sanitizer runtimes (Debian: clang-14, libclang-rt-14-dev),
# libdeflate-dev, zlib1g-dev (zlib is the fuzzer's second opinion), a JDK (JAVA_HOME or javac on
# the PATH) for jni.h.
set -eu
seconds=${1:-${FUZZ_SECONDS:-60}}
here=$(cd "$(dirname "$0")" && pwd)
shim="$here/../../main/c/oomguard_deflate.c"
out="$here/../../../target/fuzz"
mkdir -p "$out/corpus" "$out/findings"
cc=$(command -v clang-14 || command -v clang || true)
[ -n "$cc" ] || { echo "fuzz.sh: no clang (install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
[ -f "$java_home/include/jni.h" ] || { echo "fuzz.sh: no jni.h under $java_home (set JAVA_HOME to a JDK)" >&2; exit 2; }
libdeflate=${OOMGUARD_LIBDEFLATE_A:-/usr/lib/x86_64-linux-gnu/libdeflate.a}
flags="-g -O1 -fno-omit-frame-pointer -I$java_home/include -I$java_home/include/linux -I$here"

"$cc" $flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "$here/fuzz_decompress.c" "$shim" "$libdeflate" -lz -o "$out/fuzz_decompress"
"$cc" $flags -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  "$here/leak_check.c" "$shim" "$libdeflate" -o "$out/leak_check"

# Seeds: valid raw DEFLATE at several levels and sizes, behind the harness's 16-byte header.
python3 - "$out/corpus" <<'PY'
import os, sys, zlib, random
random.seed(1951)
words = [b"device", b"online", b"firmware", b"{\"id\":", b"status", b"ok", b"1700000000000", b","]
for i, size in enumerate([0, 1, 100, 1000, 5000, 40000]):
    text = b" ".join(random.choice(words) for _ in range(size // 6 + 1))[:size]
    for level in (0, 1, 6, 9):
        for strategy in (zlib.Z_DEFAULT_STRATEGY, zlib.Z_HUFFMAN_ONLY, zlib.Z_FIXED):
            c = zlib.compressobj(level, zlib.DEFLATED, -15, 8, strategy)
            data = c.compress(text) + c.flush()
            header = bytes([i % 2 | 8 * (level % 2)]) + (len(text) + level).to_bytes(4, "little") + bytes(11)
            open(os.path.join(sys.argv[1], "seed-%d-%d-%d" % (size, level, strategy)), "wb").write(header + data)
PY

echo "fuzz.sh: fuzzing the decompress entry point for ${seconds}s"
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 "$out/fuzz_decompress" -max_total_time="$seconds" \
  -max_len=65536 -use_value_profile=1 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/findings/" "$out/corpus"

echo "fuzz.sh: LeakSanitizer over create/use/free loops"
ASAN_OPTIONS=detect_leaks=1 "$out/leak_check" 4000
if ASAN_OPTIONS=detect_leaks=1 "$out/leak_check" 200 --leak-one > "$out/leak-one.log" 2>&1; then
  echo "fuzz.sh: the leak check did not see a deliberate leak" >&2
  exit 1
fi
grep -q "detected memory leaks" "$out/leak-one.log" || { echo "fuzz.sh: the deliberate leak failed for another reason" >&2; cat "$out/leak-one.log" >&2; exit 1; }
echo "fuzz.sh: ok (a deliberate leak is detected; none otherwise)"
