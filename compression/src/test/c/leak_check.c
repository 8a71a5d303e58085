/*
 * LeakSanitizer check of the shim's handles: many create/use/free loops through the JNI entry
 * points, half of them on error paths, must leave nothing allocated and the live count at 0.
 *   leak_check [iterations] [--leak-one]
 * --leak-one skips one free on purpose: fuzz.sh runs it to show the check does see a leak.
 */
#include <stdint.h>

#include "fake_jni.h"

int main(int argc, char **argv) {
  long iterations = argc > 1 ? atol(argv[1]) : 4000;
  int leak_one = argc > 2 && strcmp(argv[2], "--leak-one") == 0;
  JNIEnv *env = fake_env();
  unsigned char text[16384];
  for (size_t i = 0; i < sizeof text; i++) text[i] = (unsigned char)("memory native heap zlib redis "[i % 30] ^ (i / 977));
  fake_array *in = fake_new_array(sizeof text, text);
  fake_array *big = fake_new_array(700 * 1024, NULL); /* past the retained scratch: a fresh malloc per call */
  fake_array *out = fake_new_array(sizeof text + 1024, NULL);
  fake_array *small = fake_new_array(16, NULL);
  fake_array *junk = fake_new_array(64, "not deflate at all, but it will be read as such by the shim....");
  fake_array *code = fake_new_array(sizeof(jint), NULL);
  for (long i = 0; i < iterations; i++) {
    int level = (int)(i % 13);
    jlong c = Java_dev_oomguard_compression_Libdeflate_newCompressor(env, NULL, level);
    jlong d = Java_dev_oomguard_compression_Libdeflate_newDecompressor(env, NULL);
    if (c == 0 || d == 0) fake_fail("no handle");
    int mode = (int)(i & 1);
    if (i % 2 == 0) {
      jint n = Java_dev_oomguard_compression_Libdeflate_compress(env, NULL, c, AS_ARRAY(in), 0, sizeof text,
          AS_ARRAY(out), 0, out->length, mode);
      if (n <= 0) fake_fail("compress failed");
      jlong r = Java_dev_oomguard_compression_Libdeflate_decompress(env, NULL, d, AS_ARRAY(out), 0, n, AS_ARRAY(in), 0,
          sizeof text, mode);
      if (r < 0 || (r & 0xffffffff) != sizeof text) fake_fail("round trip failed");
      jbyteArray made = Java_dev_oomguard_compression_Libdeflate_compressToArray(env, NULL, c,
          AS_ARRAY(i % 16 == 0 ? big : in), 0, i % 16 == 0 ? big->length : (jint)sizeof text, 10, 8, (jintArray)(void *)code);
      if (made == NULL) fake_fail("compressToArray failed");
      fake_free_array(fake_of(made));
    } else {
      /* error paths: bad data, output full, bad bounds, a too-small compress buffer */
      if (Java_dev_oomguard_compression_Libdeflate_decompress(env, NULL, d, AS_ARRAY(junk), 0, 64, AS_ARRAY(out), 0,
              out->length, mode) != -1) fake_fail("junk accepted");
      jint n = Java_dev_oomguard_compression_Libdeflate_compress(env, NULL, c, AS_ARRAY(in), 0, sizeof text,
          AS_ARRAY(out), 0, out->length, 1);
      if (Java_dev_oomguard_compression_Libdeflate_decompress(env, NULL, d, AS_ARRAY(out), 0, n, AS_ARRAY(small), 0, 16,
              mode) != -2) fake_fail("output full not seen");
      if (i % 16 == 1 && Java_dev_oomguard_compression_Libdeflate_decompress(env, NULL, d, AS_ARRAY(out), 0, n,
              AS_ARRAY(big), 0, big->length, 1) != (jlong)(((uint64_t)n << 32) | sizeof text)) fake_fail("big output");
      if (Java_dev_oomguard_compression_Libdeflate_decompress(env, NULL, d, AS_ARRAY(out), -1, n, AS_ARRAY(small), 0, 16,
              mode) != -3) fake_fail("bad bounds not seen");
      if (Java_dev_oomguard_compression_Libdeflate_compress(env, NULL, c, AS_ARRAY(in), 0, sizeof text, AS_ARRAY(small),
              0, 16, mode) != -2) fake_fail("too small a compress buffer not seen");
    }
    Java_dev_oomguard_compression_Libdeflate_freeDecompressor(env, NULL, d);
    if (!(leak_one && i == iterations / 2)) {
      Java_dev_oomguard_compression_Libdeflate_freeCompressor(env, NULL, c);
    }
  }
  fake_free_array(in);
  fake_free_array(big);
  fake_free_array(out);
  fake_free_array(small);
  fake_free_array(junk);
  fake_free_array(code);
  jlong live = Java_dev_oomguard_compression_Libdeflate_liveHandles(env, NULL);
  printf("iterations=%ld live handles=%ld arrays=%d\n", iterations, (long)live, fake_arrays);
  if (!leak_one && (live != 0 || fake_arrays != 0)) fake_fail("handles or arrays left alive");
  return 0;
}
