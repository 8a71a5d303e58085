#!/bin/sh
# Builds the libdeflate engine's JNI library into the jar's classes, when this machine can:
#   build-native.sh <java.home> <output classes dir> <status file>
# Needs gcc, the JDK's JNI headers and a static libdeflate (Debian/Ubuntu: gcc, libdeflate-dev).
# Without them it says once, plainly, that the engine was not built, writes the reason to the
# status file (the engine's tests skip with it) and succeeds: the codec then runs on the JDK.
set -eu
java_home=$1
classes=$2
status=$3
here=$(cd "$(dirname "$0")" && pwd)
libdeflate=${OOMGUARD_LIBDEFLATE_A:-/usr/lib/x86_64-linux-gnu/libdeflate.a}
target_dir="$classes/META-INF/native/linux-x86_64"
library="$target_dir/liboomguard_deflate.so"
mkdir -p "$(dirname "$status")"

not_built() {
  echo "[oomguard] native libdeflate engine NOT built: $1; GzipCodec will use the JDK's zlib and the engine's tests are skipped."
  printf 'not built: %s\n' "$1" > "$status"
  rm -f "$library" "$library.sha256"
  exit 0
}

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || not_built "only linux-x86_64 is supported, this is $(uname -s)-$(uname -m)"
command -v gcc > /dev/null 2>&1 || not_built "no gcc on the PATH"
[ -f "$java_home/include/jni.h" ] || not_built "no JNI headers at $java_home/include/jni.h (a JRE, not a JDK?)"
[ -f "$libdeflate" ] || not_built "no static libdeflate at $libdeflate (install libdeflate-dev)"
[ -f /usr/include/libdeflate.h ] || not_built "no /usr/include/libdeflate.h (install libdeflate-dev)"

mkdir -p "$target_dir"
# -fvisibility=hidden and --exclude-libs: only the JNI entry points are exported, so libdeflate's
# own symbols cannot clash with another copy of libdeflate in the process. -z now, relro, no
# executable stack: the usual hardening for a library loaded into a server.
if ! gcc -shared -fPIC -O2 -std=c11 -Wall -Wextra -Werror -fvisibility=hidden -fstack-protector-strong \
    -D_FORTIFY_SOURCE=2 -I"$java_home/include" -I"$java_home/include/linux" \
    "$here/oomguard_deflate.c" "$libdeflate" \
    -Wl,--exclude-libs,ALL -Wl,-z,relro,-z,now,-z,noexecstack -Wl,--no-undefined -s \
    -o "$library.tmp" 2> "$status.log"; then
  cat "$status.log" >&2
  echo "[oomguard] gcc failed to build the native libdeflate engine (see above)" >&2
  exit 1
fi
mv "$library.tmp" "$library"
# The loader checks the library against this digest before handing it to the dynamic linker,
# which crashes the JVM (SIGBUS) on a truncated ELF file instead of failing.
sha256sum "$library" | cut -d' ' -f1 > "$library.sha256"
echo "[oomguard] native libdeflate engine built: $library"
printf 'built\n' > "$status"
