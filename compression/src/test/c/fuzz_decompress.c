/*
 * libFuzzer harness for the shim's decompress entry point, with AddressSanitizer; see fuzz.sh.
 *
 * Input: 16 header bytes choose the call (mode, output size, and offsets that are either valid
 * or arbitrary, so the shim's own bounds checks are fuzzed too); the rest is the DEFLATE data.
 * Every call must return a known code, write nothing outside the output slice (the guards around
 * it are checked), leave no critical region open, and agree with zlib: what both accept decodes
 * to the same bytes, and what zlib decodes within the bound libdeflate does not reject.
 *
 * One divergence is known and only counted: libdeflate 1.14 accepts some streams that zlib
 * rejects as invalid (reserved distance codes 30-31, surplus code lengths; libdeflate's choice,
 * partly reverted upstream in 1.16). Memory-safe and bounded; the gzip layer's CRC32 rejects such a
 * stream unless it was crafted to match. Run with OOMGUARD_FUZZ_STRICT=1 to stop on the first.
 */
#include <stdint.h>
#include <zlib.h>

#include "fake_jni.h"

#define MAX_OUT (1 << 18)

static JNIEnv *env;
static jlong decompressor;
static long lenient; /* streams libdeflate accepted and zlib rejected */
static int strict;

static void report(void) { fprintf(stderr, "fuzz_decompress: libdeflate accepted %ld streams that zlib rejects\n", lenient); }

static int32_t read32(const uint8_t *p) { return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24); }

/* zlib's raw inflate of exactly `length` bytes into at most `capacity`; -1 if zlib rejects it. */
static long zlib_inflate(const uint8_t *in, size_t length, uint8_t *out, size_t capacity, size_t *consumed) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, -15) != Z_OK) abort();
  z.next_in = (Bytef *)in;
  z.avail_in = (uInt)length;
  z.next_out = out;
  z.avail_out = (uInt)capacity;
  int status = inflate(&z, Z_FINISH);
  long produced = status == Z_STREAM_END ? (long)z.total_out : -1;
  *consumed = z.total_in;
  inflateEnd(&z);
  return produced;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (env == NULL) {
    env = fake_env();
    decompressor = Java_dev_oomguard_compression_Libdeflate_newDecompressor(env, NULL);
    if (decompressor == 0) abort();
    strict = getenv("OOMGUARD_FUZZ_STRICT") != NULL;
    atexit(report);
  }
  if (size < 16) return 0;
  int flags = data[0];
  int mode = flags & 1;                       /* critical or copy */
  int arbitrary = (flags & 6) == 6;           /* a quarter of the runs: offsets straight from the input */
  jsize out_size = (jsize)((uint32_t)read32(data + 1) % MAX_OUT);
  const uint8_t *deflate = data + 16;
  jsize deflate_length = (jsize)(size - 16);
  jint in_offset = 0, in_length = deflate_length, out_offset = 0, out_length = out_size;
  if (arbitrary) {
    in_offset = read32(data + 5);
    in_length = read32(data + 9);
    out_offset = (jint)(int8_t)data[13] * 1000;
    out_length = out_size - out_offset + (jint)(int8_t)data[14];
  } else if (flags & 8) {
    /* a slice inside larger arrays */
    in_offset = data[13] % (deflate_length + 1);
    in_length = deflate_length - in_offset;
    out_offset = data[14] % (out_size + 1);
    out_length = out_size - out_offset;
  }
  fake_array *in = fake_new_array(deflate_length, deflate);
  fake_array *out = fake_new_array(out_size, NULL);
  memset(out->data, 0x5A, (size_t)out_size);

  jlong result = Java_dev_oomguard_compression_Libdeflate_decompress(env, NULL, decompressor, AS_ARRAY(in), in_offset,
      in_length, AS_ARRAY(out), out_offset, out_length, mode);

  if (fake_pinned != 0) fake_fail("a critical region left open");
  int valid = in_offset >= 0 && in_length >= 0 && in_offset <= deflate_length - in_length && out_offset >= 0
      && out_length >= 0 && out_offset <= out_size - out_length;
  if (!valid) {
    if (result != -3) fake_fail("bad bounds not answered with OG_BAD_BOUNDS");
  } else if (result >= 0) {
    size_t consumed = (size_t)(result >> 32);
    size_t produced = (size_t)(result & 0xffffffff);
    if (produced > (size_t)out_length || consumed > (size_t)in_length) fake_fail("counts beyond the slices");
    for (jint i = 0; i < out_offset; i++) {
      if (out->data[i] != 0x5A) fake_fail("a write before the output slice");
    }
    for (jint i = out_offset + (jint)produced; i < out_size; i++) {
      if (out->data[i] != 0x5A && mode == 1) fake_fail("copy mode wrote past what it produced");
    }
    uint8_t *expected = malloc(produced + 1);
    size_t zlib_consumed;
    long zlib_produced = zlib_inflate(deflate + in_offset, consumed, expected, produced + 1, &zlib_consumed);
    if (zlib_produced < 0) {
      lenient++;
      if (strict) fake_fail("libdeflate accepted a stream that zlib rejects");
    } else if (zlib_produced != (long)produced || zlib_consumed != consumed
        || memcmp(expected, out->data + out_offset, produced) != 0) {
      fake_fail("libdeflate and zlib decode a stream differently");
    }
    free(expected);
  } else if (result == -1) {
    uint8_t *scratch = malloc((size_t)out_length + 1);
    size_t zlib_consumed;
    if (zlib_inflate(deflate + in_offset, (size_t)in_length, scratch, (size_t)out_length, &zlib_consumed) >= 0) {
      fake_fail("libdeflate rejected a stream that zlib decodes within the bound");
    }
    free(scratch);
  } else if (result != -2) {
    fake_fail("an unknown result code");
  }
  fake_free_array(in);
  fake_free_array(out);
  return 0;
}
