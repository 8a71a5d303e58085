package dev.oomguard.compression;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The libdeflate engine's native library: finds it in the jar, loads it once, and says whether it
 * is usable. libdeflate compresses and decompresses whole buffers (no streaming), 1.5-2.5 times as
 * fast as zlib, which fits the byte-array API; streams stay on the JDK's zlib.
 *
 * <p>The library is {@code META-INF/native/linux-x86_64/liboomguard_deflate.so} (a JNI shim with
 * libdeflate linked in statically; it needs glibc 2.14 or later and nothing else). At first use it
 * is checked against the SHA-256 the build wrote beside it, copied to a temporary file in {@code
 * -Doomguard.compression.native.dir} (default {@code java.io.tmpdir}), loaded, and the file deleted
 * (the mapping stays). {@code -Doomguard.compression.native=false} forbids loading it. When it
 * cannot load, for any reason, {@link #isAvailable()} is false, {@link #unavailableReason()} says
 * why, and one INFO line on the {@code dev.oomguard.compression} logger says it once; callers then
 * use the JDK.
 *
 * <p>The native methods answer with byte counts or the negative codes below (they never throw), and
 * check every offset against the real array lengths themselves; see {@code
 * src/main/c/oomguard_deflate.c}.
 */
final class Libdeflate {
  /** Set to {@code false} to forbid loading the native library: the codec then uses the JDK. */
  static final String ENABLED_PROPERTY = "oomguard.compression.native";

  /** The directory the library is extracted to before loading (it must allow mapping code). */
  static final String DIR_PROPERTY = "oomguard.compression.native.dir";

  static final String RESOURCE = "/META-INF/native/linux-x86_64/liboomguard_deflate.so";

  /**
   * The input is not valid raw DEFLATE, or it is cut short (libdeflate does not tell them apart).
   */
  static final int BAD_DATA = -1;

  /** The output would not fit in the space given. */
  static final int OUTPUT_FULL = -2;

  static final int BAD_BOUNDS = -3;
  static final int NO_HANDLE = -4;
  static final int NO_MEMORY = -5;
  static final int NO_ARRAY = -6;
  static final int BAD_ARGUMENT = -7;

  /** Pin the arrays around the call: fastest, but the GC waits for the call (small calls only). */
  static final int MODE_CRITICAL = 0;

  /**
   * Copy in and out of native memory: no critical region, for calls too long to make the GC wait.
   */
  static final int MODE_COPY = 1;

  /** The shim's OG_ABI_VERSION this class was written against. */
  private static final int ABI_VERSION = 1;

  private static final System.Logger LOG = System.getLogger("dev.oomguard.compression");

  private Libdeflate() {}

  /** True if the native library is loaded and usable; the first call loads it. */
  static boolean isAvailable() {
    return Loaded.REASON == null;
  }

  /** Why the library is not usable, or null if it is. */
  static @Nullable String unavailableReason() {
    return Loaded.REASON;
  }

  /** Fails with the reason if the library is not usable. */
  static void requireAvailable() {
    String reason = Loaded.REASON;
    if (reason != null) {
      throw new IllegalStateException("the libdeflate engine is unavailable: " + reason);
    }
  }

  /** Loads at most once per class loader, when first asked (lazy holder). */
  private static final class Loaded {
    static final @Nullable String REASON = load();

    private Loaded() {}
  }

  private static @Nullable String load() {
    String reason = loadReason();
    if (reason != null) {
      LOG.log(
          System.Logger.Level.INFO,
          "libdeflate engine unavailable, using the JDK''s zlib: {0}",
          reason);
    } else {
      LOG.log(System.Logger.Level.DEBUG, "libdeflate engine loaded");
    }
    return reason;
  }

  private static @Nullable String loadReason() {
    if ("false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true").trim())) {
      return "forbidden by -D" + ENABLED_PROPERTY + "=false";
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return "no native library for " + os + "-" + arch + " (only linux-x86_64)";
    }
    Path file = null;
    try {
      byte[] library = resource(RESOURCE);
      if (library == null) {
        return "the jar has no " + RESOURCE + " (it was built without gcc and libdeflate-dev)";
      }
      String mismatch = checkDigest(library);
      if (mismatch != null) {
        return mismatch;
      }
      String dir = System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir"));
      file = Files.createTempFile(Path.of(dir), "liboomguard_deflate-", ".so");
      Files.write(file, library);
      if (!Arrays.equals(Files.readAllBytes(file), library)) {
        return "the library extracted to " + file + " does not read back as written";
      }
      System.load(file.toAbsolutePath().toString());
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      return "cannot load " + (file != null ? file : RESOURCE) + ": " + e;
    } finally {
      deleteQuietly(file);
    }
    try {
      int abi = abiVersion();
      if (abi != ABI_VERSION) {
        return "the native library speaks ABI " + abi + ", this class " + ABI_VERSION;
      }
    } catch (UnsatisfiedLinkError e) {
      return "the native library lacks its entry points: " + e;
    }
    return null;
  }

  /**
   * The dynamic linker does not fail on a damaged library, it crashes the process (SIGBUS on a
   * truncated file): so the bytes are checked against the digest the build wrote beside them.
   */
  private static @Nullable String checkDigest(byte[] library) throws IOException {
    byte[] expected = resource(RESOURCE + ".sha256");
    if (expected == null) {
      return "the jar has no " + RESOURCE + ".sha256 to check the library against";
    }
    String want = new String(expected, StandardCharsets.US_ASCII).trim();
    String have;
    try {
      have = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(library));
    } catch (NoSuchAlgorithmException e) {
      return "no SHA-256 to check the library with: " + e;
    }
    return have.equalsIgnoreCase(want)
        ? null
        : RESOURCE + " is damaged: its SHA-256 is " + have + ", the build wrote " + want;
  }

  private static byte @Nullable [] resource(String name) throws IOException {
    try (InputStream in = Libdeflate.class.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static void deleteQuietly(@Nullable Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file); // a loaded library stays mapped after its file is gone
    } catch (IOException | RuntimeException e) {
      file.toFile().deleteOnExit();
    }
  }

  /**
   * Turns a code the caller did not expect into the exception it stands for (thrown by the caller)
   * or, for native memory exhaustion, throws the {@link OutOfMemoryError} itself.
   */
  static RuntimeException failure(long code, String operation) {
    return switch ((int) code) {
      case BAD_BOUNDS ->
          new IndexOutOfBoundsException(operation + ": offset or length outside its array");
      case NO_HANDLE -> new IllegalStateException(operation + ": no native handle");
      case NO_MEMORY -> throw new OutOfMemoryError(operation + ": native memory exhausted");
      case NO_ARRAY ->
          throw new OutOfMemoryError(
              operation + ": the JVM could not give the array to native code");
      case BAD_ARGUMENT -> new IllegalArgumentException(operation + ": bad level or mode");
      default -> new IllegalStateException(operation + ": unexpected native result " + code);
    };
  }

  // The shim's entry points (oomguard_deflate.c). Handles are native addresses; 0 means none.

  static native int abiVersion();

  /** Compressors and decompressors alive right now, in this process. */
  static native long liveHandles();

  /** A compressor at level 0-12, or 0 when out of memory or the level is out of range. */
  static native long newCompressor(int level);

  static native void freeCompressor(long compressor);

  static native long newDecompressor();

  static native void freeDecompressor(long decompressor);

  static native long compressBound(long compressor, int length);

  // Arrays may be null here: the shim answers BAD_BOUNDS, as for any slice outside its array.

  static native int compress(
      long compressor,
      byte @Nullable [] in,
      int inOffset,
      int inLength,
      byte @Nullable [] out,
      int outOffset,
      int outLength,
      int mode);

  static native byte @Nullable [] compressToArray(
      long compressor,
      byte @Nullable [] in,
      int inOffset,
      int inLength,
      int prefix,
      int suffix,
      int[] code);

  static native long decompress(
      long decompressor,
      byte @Nullable [] in,
      int inOffset,
      int inLength,
      byte @Nullable [] out,
      int outOffset,
      int outLength,
      int mode);
}
