package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.oomguard.testsupport.ForkedJvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Choosing the engine, and the promise that it does not matter to a caller: libdeflate and the JDK
 * give the same results, exceptions and messages on a corpus of good and bad input, in this JVM and
 * in JVMs where the library must not or cannot load (which then fall back to the JDK).
 */
class GzipCodecEngineTest {
  @Test
  void engines_giveTheSameOutcomes_onGoodAndBadInput() {
    NativeEngine.assumeBuilt();
    List<String> jdk;
    List<String> libdeflate;
    try (GzipCodec onJdk = EngineOutcomes.codec().engine(GzipCodec.Engine.JDK).build();
        GzipCodec onLibdeflate =
            EngineOutcomes.codec().engine(GzipCodec.Engine.LIBDEFLATE).build()) {
      jdk = EngineOutcomes.of(onJdk);
      libdeflate = EngineOutcomes.of(onLibdeflate);
      assertThat(onLibdeflate.nativeHandlesInUse()).isZero();
    }

    assertThat(libdeflate).containsExactlyElementsOf(jdk);
    assertThat(jdk)
        .as("the corpus has failures of every kind")
        .anyMatch(
            line ->
                line.contains("MalformedGzipException: member 1 at offset")
                    && line.contains("input ends inside the deflate data"))
        .anyMatch(line -> line.contains("invalid deflate data"))
        .anyMatch(line -> line.contains("CRC32 mismatch"))
        .anyMatch(line -> line.contains("ISIZE mismatch"))
        .anyMatch(line -> line.contains("garbage after the zero padding"))
        .anyMatch(line -> line.contains("DecompressionLimitException"));
  }

  @Test
  void auto_whereTheLibraryLoads_isLibdeflate() {
    NativeEngine.assumeBuilt();
    try (GzipCodec codec = GzipCodec.create()) {
      assertThat(codec.engine()).isEqualTo(GzipCodec.Engine.LIBDEFLATE);
      assertThat(codec.toString()).contains("engine=LIBDEFLATE");
    }
  }

  @Test
  void jdk_isTheJdkWhereverTheLibraryLoads() {
    try (GzipCodec codec = GzipCodec.builder().engine(GzipCodec.Engine.JDK).build()) {
      assertThat(codec.engine()).isEqualTo(GzipCodec.Engine.JDK);
    }
  }

  @Test
  void engine_null_isRejectedNamingIt() {
    assertThatNullPointerException()
        .isThrownBy(() -> GzipCodec.builder().engine(null))
        .withMessage("engine");
  }

  @Test
  void close_onLibdeflate_endsEveryHandleItMade() {
    NativeEngine.assumeBuilt();
    GzipCodec codec = GzipCodec.builder().engine(GzipCodec.Engine.LIBDEFLATE).poolSize(2).build();
    byte[] text = GzipCodecRoundTripTest.text(10_000, 1);
    codec.decompress(codec.compress(text));
    codec.decompress(codec.compress(text));
    assertThat(codec.nativeHandlesIdle())
        .as("a compressor and a decompressor, pooled")
        .isEqualTo(2);

    codec.close();

    assertThat(codec.nativeHandlesIdle()).isZero();
    assertThat(codec.nativeHandlesEnded()).isEqualTo(codec.nativeHandlesCreated()).isEqualTo(2);
  }

  // ---- fallback, each in a fresh JVM: the library loads (or fails to) once per JVM ----

  @Test
  void fallback_forbiddenByTheSystemProperty_isTheJdkWithTheSameOutcomes() {
    NativeEngine.assumeBuilt();

    ForkedJvm.Result result =
        probe(List.of("-D" + Libdeflate.ENABLED_PROPERTY + "=false"), classpath());

    assertFellBack(result, "forbidden by -Doomguard.compression.native=false");
  }

  @Test
  void fallback_ofACorruptedExtraction_isTheJdkWithTheSameOutcomes(@TempDir Path dir)
      throws IOException {
    NativeEngine.assumeBuilt();
    byte[] library = Files.readAllBytes(NativeEngine.library());
    Path corrupted = dir.resolve(Libdeflate.RESOURCE.substring(1));
    Files.createDirectories(corrupted.getParent());
    Files.write(corrupted, Arrays.copyOf(library, library.length / 2)); // a copy cut short

    ForkedJvm.Result result = probe(List.of(), dir + File.pathSeparator + classpath());

    assertFellBack(result, "is damaged");
  }

  @Test
  void noFallback_whereTheLibraryLoads_isLibdeflateWithTheSameOutcomes() {
    NativeEngine.assumeBuilt();

    ForkedJvm.Result result = probe(List.of(), classpath());

    assertThat(result.value("engine")).as(result.describe("engine")).isEqualTo("LIBDEFLATE");
    assertThat(result.value("forced"))
        .as(result.describe("insisting on libdeflate"))
        .isEqualTo("LIBDEFLATE");
    assertThat(result.value("digest")).as(result.describe("outcomes")).isEqualTo(jdkDigest());
  }

  private static void assertFellBack(ForkedJvm.Result result, String reason) {
    assertThat(result.value("engine")).as(result.describe("engine")).isEqualTo("JDK");
    assertThat(result.value("outcomes"))
        .as(result.describe("outcomes"))
        .isEqualTo(Integer.toString(jdkOutcomes().size()));
    assertThat(result.value("digest"))
        .as(result.describe("the same outcomes as here"))
        .isEqualTo(jdkDigest());
    assertThat(result.value("handlesLeft")).isEqualTo("0");
    assertThat(result.value("forced"))
        .as(result.describe("insisting on libdeflate"))
        .startsWith("the libdeflate engine is unavailable: ")
        .contains(reason);
    assertThat(result.output().split("libdeflate engine unavailable", -1))
        .as(result.describe("one INFO line"))
        .hasSize(2);
  }

  private static List<String> jdkOutcomes() {
    try (GzipCodec codec = EngineOutcomes.codec().engine(GzipCodec.Engine.JDK).build()) {
      return EngineOutcomes.of(codec);
    }
  }

  private static String jdkDigest() {
    return EngineOutcomes.digest(jdkOutcomes());
  }

  private static ForkedJvm.Result probe(List<String> options, String classpath) {
    return ForkedJvm.run(options, classpath, EngineFallbackProbe.class.getName()).exitedNormally();
  }

  private static String classpath() {
    return System.getProperty("java.class.path");
  }
}
