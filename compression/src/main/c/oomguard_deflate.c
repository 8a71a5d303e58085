/*
 * JNI shim between dev.oomguard.compression.Libdeflate and libdeflate (raw DEFLATE only).
 *
 * The gzip header, trailer, CRC32 and ISIZE checks stay in Java (GzipFormat), so that RFC 1952
 * strictness has one owner; this file only moves bytes in and out of libdeflate.
 *
 * Every entry point checks its offsets against the real array lengths itself (it never trusts the
 * Java side) and answers with one of the OG_* codes below instead of throwing.
 *
 * Two ways to reach the arrays:
 *   - OG_MODE_CRITICAL pins both arrays with GetPrimitiveArrayCritical around one libdeflate call.
 *     Fastest, but the GC may wait for the call to end: the Java side uses it only for sizes whose
 *     call takes well under a millisecond.
 *   - OG_MODE_COPY copies the input into native memory (GetByteArrayRegion), runs libdeflate there,
 *     and copies the output back (SetByteArrayRegion): no critical region at all. The native
 *     buffer is the handle's retained scratch when it fits (no allocation per call), otherwise one
 *     malloc freed before returning.
 * libdeflate has no streaming, so a call cannot be chunked; copying is how big calls stay off the
 * GC's critical path.
 */
#include <jni.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Result codes, shared with Libdeflate.java. Non-negative results are byte counts. */
#define OG_BAD_DATA (-1)      /* the input is not valid raw DEFLATE (or is cut short) */
#define OG_OUTPUT_FULL (-2)   /* the output would not fit in the space given */
#define OG_BAD_BOUNDS (-3)    /* an offset or length outside its array, or a null array */
#define OG_NO_HANDLE (-4)     /* a zero handle */
#define OG_NO_MEMORY (-5)     /* malloc failed (copy mode) */
#define OG_NO_ARRAY (-6)      /* the JVM could not give access to an array */
#define OG_BAD_ARGUMENT (-7)  /* a level or mode outside its range */

#define OG_MODE_CRITICAL 0
#define OG_MODE_COPY 1

/* Bumped whenever a signature or a code changes, so a stale library is refused at load. */
#define OG_ABI_VERSION 1

/* The most native scratch a handle keeps between calls; bigger calls malloc and free. */
#define OG_RETAINED_SCRATCH (512 * 1024)

typedef struct {
  struct libdeflate_compressor *compressor;
  unsigned char *scratch;
  size_t scratch_capacity;
} og_compressor;

typedef struct {
  struct libdeflate_decompressor *decompressor;
  unsigned char *scratch;
  size_t scratch_capacity;
} og_decompressor;

/* Handles alive right now: what the leak tests count. */
static int64_t og_live_handles;

static void og_count(int64_t delta) { __atomic_add_fetch(&og_live_handles, delta, __ATOMIC_RELAXED); }

static int og_in_bounds(JNIEnv *env, jbyteArray array, jint offset, jint length) {
  if (array == NULL || offset < 0 || length < 0) {
    return 0;
  }
  jsize size = (*env)->GetArrayLength(env, array);
  return offset <= size - length;
}

/*
 * A native buffer of at least `size` bytes: the handle's scratch, grown up to the retained limit,
 * or a fresh allocation that the caller frees (*fresh is set). NULL when out of memory.
 */
static unsigned char *og_buffer(unsigned char **scratch, size_t *capacity, size_t size, int *fresh) {
  *fresh = 0;
  if (size == 0) {
    size = 1;
  }
  if (size <= *capacity) {
    return *scratch;
  }
  if (size > OG_RETAINED_SCRATCH) {
    *fresh = 1;
    return malloc(size);
  }
  unsigned char *grown = malloc(size);
  if (grown == NULL) {
    return NULL;
  }
  free(*scratch);
  *scratch = grown;
  *capacity = size;
  return grown;
}

JNIEXPORT jint JNICALL Java_dev_oomguard_compression_Libdeflate_abiVersion(JNIEnv *env, jclass cls) {
  (void)env;
  (void)cls;
  return OG_ABI_VERSION;
}

JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_liveHandles(JNIEnv *env, jclass cls) {
  (void)env;
  (void)cls;
  return (jlong)__atomic_load_n(&og_live_handles, __ATOMIC_RELAXED);
}

/* 0 when out of memory or the level is outside 0-12. */
JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_newCompressor(JNIEnv *env, jclass cls, jint level) {
  (void)env;
  (void)cls;
  if (level < 0 || level > 12) {
    return 0;
  }
  og_compressor *handle = calloc(1, sizeof *handle);
  if (handle == NULL) {
    return 0;
  }
  handle->compressor = libdeflate_alloc_compressor(level);
  if (handle->compressor == NULL) {
    free(handle);
    return 0;
  }
  og_count(1);
  return (jlong)(intptr_t)handle;
}

JNIEXPORT void JNICALL Java_dev_oomguard_compression_Libdeflate_freeCompressor(JNIEnv *env, jclass cls, jlong address) {
  (void)env;
  (void)cls;
  og_compressor *handle = (og_compressor *)(intptr_t)address;
  if (handle == NULL) {
    return;
  }
  libdeflate_free_compressor(handle->compressor);
  free(handle->scratch);
  free(handle);
  og_count(-1);
}

JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_newDecompressor(JNIEnv *env, jclass cls) {
  (void)env;
  (void)cls;
  og_decompressor *handle = calloc(1, sizeof *handle);
  if (handle == NULL) {
    return 0;
  }
  handle->decompressor = libdeflate_alloc_decompressor();
  if (handle->decompressor == NULL) {
    free(handle);
    return 0;
  }
  og_count(1);
  return (jlong)(intptr_t)handle;
}

JNIEXPORT void JNICALL Java_dev_oomguard_compression_Libdeflate_freeDecompressor(JNIEnv *env, jclass cls, jlong address) {
  (void)env;
  (void)cls;
  og_decompressor *handle = (og_decompressor *)(intptr_t)address;
  if (handle == NULL) {
    return;
  }
  libdeflate_free_decompressor(handle->decompressor);
  free(handle->scratch);
  free(handle);
  og_count(-1);
}

/* The most raw DEFLATE that `length` input bytes can become; negative on a bad argument. */
JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_compressBound(JNIEnv *env, jclass cls, jlong address, jint length) {
  (void)env;
  (void)cls;
  og_compressor *handle = (og_compressor *)(intptr_t)address;
  if (handle == NULL) {
    return OG_NO_HANDLE;
  }
  if (length < 0) {
    return OG_BAD_BOUNDS;
  }
  return (jlong)libdeflate_deflate_compress_bound(handle->compressor, (size_t)length);
}

/*
 * Compresses in[inOffset, +inLength) into out[outOffset, +outLength) as one raw DEFLATE stream.
 * Returns the bytes written, or OG_OUTPUT_FULL if they would not fit, or another OG_* code.
 */
JNIEXPORT jint JNICALL Java_dev_oomguard_compression_Libdeflate_compress(JNIEnv *env, jclass cls, jlong address,
    jbyteArray in, jint inOffset, jint inLength, jbyteArray out, jint outOffset, jint outLength, jint mode) {
  (void)cls;
  og_compressor *handle = (og_compressor *)(intptr_t)address;
  if (handle == NULL) {
    return OG_NO_HANDLE;
  }
  if (!og_in_bounds(env, in, inOffset, inLength) || !og_in_bounds(env, out, outOffset, outLength)) {
    return OG_BAD_BOUNDS;
  }
  size_t written;
  if (mode == OG_MODE_CRITICAL) {
    unsigned char *source = (*env)->GetPrimitiveArrayCritical(env, in, NULL);
    if (source == NULL) {
      return OG_NO_ARRAY;
    }
    unsigned char *target = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
    if (target == NULL) {
      (*env)->ReleasePrimitiveArrayCritical(env, in, source, JNI_ABORT);
      return OG_NO_ARRAY;
    }
    written = libdeflate_deflate_compress(handle->compressor, source + inOffset, (size_t)inLength,
        target + outOffset, (size_t)outLength);
    (*env)->ReleasePrimitiveArrayCritical(env, out, target, 0);
    (*env)->ReleasePrimitiveArrayCritical(env, in, source, JNI_ABORT);
  } else if (mode == OG_MODE_COPY) {
    size_t bound = libdeflate_deflate_compress_bound(handle->compressor, (size_t)inLength);
    size_t room = bound < (size_t)outLength ? bound : (size_t)outLength;
    int fresh;
    unsigned char *buffer = og_buffer(&handle->scratch, &handle->scratch_capacity, (size_t)inLength + room, &fresh);
    if (buffer == NULL) {
      return OG_NO_MEMORY;
    }
    (*env)->GetByteArrayRegion(env, in, inOffset, inLength, (jbyte *)buffer);
    written = libdeflate_deflate_compress(handle->compressor, buffer, (size_t)inLength, buffer + inLength, room);
    if (written > 0) {
      (*env)->SetByteArrayRegion(env, out, outOffset, (jsize)written, (const jbyte *)(buffer + inLength));
    }
    if (fresh) {
      free(buffer);
    }
  } else {
    return OG_BAD_ARGUMENT;
  }
  return written == 0 ? OG_OUTPUT_FULL : (jint)written;
}

/*
 * Compresses in[inOffset, +inLength) into a new array of exactly prefix + n + suffix bytes with
 * the n bytes of raw DEFLATE at [prefix, prefix + n): the gzip header and trailer go around it, so
 * a call allocates its output and nothing else on the heap. No critical region. NULL with a
 * pending OutOfMemoryError, or NULL with codes[0] set to an OG_* code.
 */
JNIEXPORT jbyteArray JNICALL Java_dev_oomguard_compression_Libdeflate_compressToArray(JNIEnv *env, jclass cls,
    jlong address, jbyteArray in, jint inOffset, jint inLength, jint prefix, jint suffix, jintArray codes) {
  (void)cls;
  jint code = 0;
  jbyteArray result = NULL;
  og_compressor *handle = (og_compressor *)(intptr_t)address;
  if (codes == NULL || (*env)->GetArrayLength(env, codes) < 1) {
    return NULL;
  }
  if (handle == NULL) {
    code = OG_NO_HANDLE;
  } else if (!og_in_bounds(env, in, inOffset, inLength) || prefix < 0 || suffix < 0) {
    code = OG_BAD_BOUNDS;
  } else {
    size_t bound = libdeflate_deflate_compress_bound(handle->compressor, (size_t)inLength);
    int fresh;
    unsigned char *buffer = og_buffer(&handle->scratch, &handle->scratch_capacity, (size_t)inLength + bound, &fresh);
    if (buffer == NULL) {
      code = OG_NO_MEMORY;
    } else {
      (*env)->GetByteArrayRegion(env, in, inOffset, inLength, (jbyte *)buffer);
      size_t written = libdeflate_deflate_compress(handle->compressor, buffer, (size_t)inLength, buffer + inLength, bound);
      if (written == 0) {
        code = OG_OUTPUT_FULL; /* cannot happen with the bound; kept as a code, not a crash */
      } else if ((uint64_t)prefix + written + (uint64_t)suffix > INT32_MAX - 8) {
        code = OG_OUTPUT_FULL;
      } else {
        result = (*env)->NewByteArray(env, (jsize)(prefix + written + suffix));
        if (result != NULL) {
          (*env)->SetByteArrayRegion(env, result, prefix, (jsize)written, (const jbyte *)(buffer + inLength));
        }
      }
      if (fresh) {
        free(buffer);
      }
    }
  }
  if (code != 0) {
    (*env)->SetIntArrayRegion(env, codes, 0, 1, &code);
  }
  return result;
}

/*
 * Decompresses one raw DEFLATE stream from in[inOffset, +inLength) into out[outOffset,
 * +outLength), never writing past outLength. Returns (consumed << 32 | produced) on success,
 * where consumed is the stream's length in bytes (the input may go on: a gzip trailer, more
 * members), or a negative OG_* code.
 */
JNIEXPORT jlong JNICALL Java_dev_oomguard_compression_Libdeflate_decompress(JNIEnv *env, jclass cls, jlong address,
    jbyteArray in, jint inOffset, jint inLength, jbyteArray out, jint outOffset, jint outLength, jint mode) {
  (void)cls;
  og_decompressor *handle = (og_decompressor *)(intptr_t)address;
  if (handle == NULL) {
    return OG_NO_HANDLE;
  }
  if (!og_in_bounds(env, in, inOffset, inLength) || !og_in_bounds(env, out, outOffset, outLength)) {
    return OG_BAD_BOUNDS;
  }
  size_t consumed = 0;
  size_t produced = 0;
  enum libdeflate_result result;
  if (mode == OG_MODE_CRITICAL) {
    unsigned char *source = (*env)->GetPrimitiveArrayCritical(env, in, NULL);
    if (source == NULL) {
      return OG_NO_ARRAY;
    }
    unsigned char *target = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
    if (target == NULL) {
      (*env)->ReleasePrimitiveArrayCritical(env, in, source, JNI_ABORT);
      return OG_NO_ARRAY;
    }
    result = libdeflate_deflate_decompress_ex(handle->decompressor, source + inOffset, (size_t)inLength,
        target + outOffset, (size_t)outLength, &consumed, &produced);
    (*env)->ReleasePrimitiveArrayCritical(env, out, target, 0);
    (*env)->ReleasePrimitiveArrayCritical(env, in, source, JNI_ABORT);
  } else if (mode == OG_MODE_COPY) {
    int fresh;
    unsigned char *buffer = og_buffer(&handle->scratch, &handle->scratch_capacity,
        (size_t)inLength + (size_t)outLength, &fresh);
    if (buffer == NULL) {
      return OG_NO_MEMORY;
    }
    (*env)->GetByteArrayRegion(env, in, inOffset, inLength, (jbyte *)buffer);
    result = libdeflate_deflate_decompress_ex(handle->decompressor, buffer, (size_t)inLength,
        buffer + inLength, (size_t)outLength, &consumed, &produced);
    if (result == LIBDEFLATE_SUCCESS && produced > 0) {
      (*env)->SetByteArrayRegion(env, out, outOffset, (jsize)produced, (const jbyte *)(buffer + inLength));
    }
    if (fresh) {
      free(buffer);
    }
  } else {
    return OG_BAD_ARGUMENT;
  }
  switch (result) {
    case LIBDEFLATE_SUCCESS:
      /* Both fit in 31 bits: they are bounded by the arrays' lengths. */
      return (jlong)(((uint64_t)consumed << 32) | (uint64_t)produced);
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      return OG_OUTPUT_FULL;
    default:
      return OG_BAD_DATA;
  }
}
