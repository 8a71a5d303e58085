/*
 * A JNIEnv without a JVM, for running the shim's JNI entry points under sanitizers: byte arrays
 * are malloc'd blocks with a guard tail, and every region the shim asks for is checked, so a
 * shim that passed a bad offset to the JVM aborts here instead of being caught by the real JVM.
 */
#ifndef OOMGUARD_FAKE_JNI_H
#define OOMGUARD_FAKE_JNI_H

#include <jni.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_GUARD 64
#define FAKE_GUARD_BYTE 0xA5

typedef struct {
  jsize length;
  unsigned char *data; /* length bytes, then FAKE_GUARD guard bytes */
} fake_array;

static int fake_pinned;   /* critical regions open right now */
static int fake_arrays;   /* arrays alive right now */

static void fake_fail(const char *what) {
  fprintf(stderr, "fake JNI: %s\n", what);
  abort();
}

static fake_array *fake_new_array(jsize length, const void *content) {
  fake_array *array = malloc(sizeof *array);
  if (array == NULL) fake_fail("out of memory");
  array->length = length;
  array->data = malloc((size_t)length + FAKE_GUARD);
  if (array->data == NULL) fake_fail("out of memory");
  if (content != NULL) {
    memcpy(array->data, content, (size_t)length);
  } else {
    memset(array->data, 0, (size_t)length);
  }
  memset(array->data + length, FAKE_GUARD_BYTE, FAKE_GUARD);
  fake_arrays++;
  return array;
}

static void fake_check_guard(const fake_array *array) {
  for (int i = 0; i < FAKE_GUARD; i++) {
    if (array->data[array->length + i] != FAKE_GUARD_BYTE) fake_fail("a write past the end of an array");
  }
}

static void fake_free_array(fake_array *array) {
  if (array == NULL) return;
  fake_check_guard(array);
  free(array->data);
  free(array);
  fake_arrays--;
}

static fake_array *fake_of(jarray array) { return (fake_array *)(void *)array; }

static void fake_check_region(const fake_array *array, jsize start, jsize length) {
  if (fake_pinned != 0) fake_fail("a JNI call inside a critical region");
  if (start < 0 || length < 0 || start > array->length - length) fake_fail("a region outside its array");
}

static jsize JNICALL fake_GetArrayLength(JNIEnv *env, jarray array) {
  (void)env;
  if (fake_pinned != 0) fake_fail("a JNI call inside a critical region");
  return fake_of(array)->length;
}

static void *JNICALL fake_GetPrimitiveArrayCritical(JNIEnv *env, jarray array, jboolean *is_copy) {
  (void)env;
  if (is_copy != NULL) *is_copy = JNI_FALSE;
  fake_pinned++;
  return fake_of(array)->data;
}

static void JNICALL fake_ReleasePrimitiveArrayCritical(JNIEnv *env, jarray array, void *data, jint mode) {
  (void)env;
  (void)mode;
  if (data != fake_of(array)->data) fake_fail("released a pointer that was not pinned");
  if (--fake_pinned < 0) fake_fail("released more than was pinned");
}

static void JNICALL fake_GetByteArrayRegion(JNIEnv *env, jbyteArray array, jsize start, jsize length, jbyte *buffer) {
  (void)env;
  fake_check_region(fake_of(array), start, length);
  memcpy(buffer, fake_of(array)->data + start, (size_t)length);
}

static void JNICALL fake_SetByteArrayRegion(JNIEnv *env, jbyteArray array, jsize start, jsize length, const jbyte *buffer) {
  (void)env;
  fake_check_region(fake_of(array), start, length);
  memcpy(fake_of(array)->data + start, buffer, (size_t)length);
}

static void JNICALL fake_SetIntArrayRegion(JNIEnv *env, jintArray array, jsize start, jsize length, const jint *buffer) {
  (void)env;
  if (start != 0 || length != 1 || fake_of(array)->length != (jsize)sizeof(jint)) fake_fail("bad code array region");
  memcpy(fake_of(array)->data, buffer, sizeof(jint));
}

/* Results the shim allocates; the caller frees them with fake_free_array. */
static jbyteArray JNICALL fake_NewByteArray(JNIEnv *env, jsize length) {
  (void)env;
  if (fake_pinned != 0) fake_fail("a JNI call inside a critical region");
  if (length < 0) fake_fail("a negative array length");
  return (jbyteArray)(void *)fake_new_array(length, NULL);
}

static struct JNINativeInterface_ fake_functions;
static const struct JNINativeInterface_ *fake_env_functions = &fake_functions;

static JNIEnv *fake_env(void) {
  fake_functions.GetArrayLength = fake_GetArrayLength;
  fake_functions.GetPrimitiveArrayCritical = fake_GetPrimitiveArrayCritical;
  fake_functions.ReleasePrimitiveArrayCritical = fake_ReleasePrimitiveArrayCritical;
  fake_functions.GetByteArrayRegion = fake_GetByteArrayRegion;
  fake_functions.SetByteArrayRegion = fake_SetByteArrayRegion;
  fake_functions.SetIntArrayRegion = fake_SetIntArrayRegion;
  fake_functions.NewByteArray = fake_NewByteArray;
  return (JNIEnv *)&fake_env_functions;
}

#define AS_ARRAY(a) ((jbyteArray)(void *)(a))

/* The shim's entry points (oomguard_deflate.c, compiled alongside). */
JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_newCompressor(JNIEnv *, jclass, jint);
JNIEXPORT void JNICALL Java_dev_oomguard_compression_Libdeflate_freeCompressor(JNIEnv *, jclass, jlong);
JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_newDecompressor(JNIEnv *, jclass);
JNIEXPORT void JNICALL Java_dev_oomguard_compression_Libdeflate_freeDecompressor(JNIEnv *, jclass, jlong);
JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_liveHandles(JNIEnv *, jclass);
JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_compressBound(JNIEnv *, jclass, jlong, jint);
JNIEXPORT jint JNICALL Java_dev_oomguard_compression_Libdeflate_compress(JNIEnv *, jclass, jlong, jbyteArray, jint,
    jint, jbyteArray, jint, jint, jint);
JNIEXPORT jbyteArray JNICALL Java_dev_oomguard_compression_Libdeflate_compressToArray(JNIEnv *, jclass, jlong,
    jbyteArray, jint, jint, jint, jint, jintArray);
JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_decompress(JNIEnv *, jclass, jlong, jbyteArray, jint,
    jint, jbyteArray, jint, jint, jint);

#endif
