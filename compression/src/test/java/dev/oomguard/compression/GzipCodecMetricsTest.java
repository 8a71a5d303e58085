package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GzipCodecMetricsTest {
  private final GzipCodec codec =
      GzipCodec.builder().poolSize(2).maxDecompressedBytes(1_000).build();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  GzipCodecMetricsTest() {
    new GzipCodecMetrics(codec, Tags.of("codec", "test")).bindTo(registry);
  }

  @AfterEach
  void closeCodec() {
    codec.close();
  }

  @Test
  void operationsAndBytes_areCountedByDirection() {
    byte[] text = GzipCodecRoundTripTest.text(900, 1);
    byte[] gzip = codec.compress(text);
    codec.compress(text);
    codec.decompress(gzip);

    assertThat(count("gzip.operations", "operation", "compress")).isEqualTo(2);
    assertThat(count("gzip.operations", "operation", "decompress")).isEqualTo(1);
    assertThat(count("gzip.bytes.in", "operation", "compress")).isEqualTo(1_800);
    assertThat(count("gzip.bytes.out", "operation", "compress")).isEqualTo(2.0 * gzip.length);
    assertThat(count("gzip.bytes.in", "operation", "decompress")).isEqualTo(gzip.length);
    assertThat(count("gzip.bytes.out", "operation", "decompress")).isEqualTo(900);
    assertThat(registry.get("gzip.compression.ratio").gauge().value())
        .isEqualTo(900.0 / gzip.length);
  }

  @Test
  void errors_areCountedByKind() throws IOException {
    assertThatThrownBy(() -> codec.decompress(new byte[] {1, 2, 3}))
        .isInstanceOf(MalformedGzipException.class);
    byte[] tooLarge = codec.compress(new byte[1_001]);
    assertThatThrownBy(() -> codec.decompress(tooLarge))
        .isInstanceOf(DecompressionLimitException.class);
    try (InputStream in = codec.decompressingStream(new ByteArrayInputStream(tooLarge))) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(DecompressionLimitIOException.class);
    }
    try (InputStream in = codec.decompressingStream(failingSource())) {
      assertThatThrownBy(in::readAllBytes).hasMessage("disk gone");
    }

    assertThat(count("gzip.errors", "kind", "malformed")).isEqualTo(1);
    assertThat(count("gzip.errors", "kind", "limit")).isEqualTo(2);
    assertThat(count("gzip.errors", "kind", "io")).isEqualTo(1);
  }

  @Test
  void nativeHandles_showWhatIsLentAndPooled() throws IOException {
    try (InputStream in =
        codec.decompressingStream(new ByteArrayInputStream(codec.compress(new byte[10])))) {
      assertThat(in.read()).isZero();
      assertThat(handles("in.use")).isEqualTo(1);
    }

    assertThat(handles("in.use")).isZero();
    assertThat(handles("idle")).isEqualTo(2);
    assertThat(registry.get("gzip.native.handles.created").functionCounter().count()).isEqualTo(2);
    assertThat(registry.get("gzip.native.handles.ended").functionCounter().count()).isZero();
    codec.close();
    assertThat(registry.get("gzip.native.handles.ended").functionCounter().count()).isEqualTo(2);
  }

  @Test
  void everyMeter_hasDescriptionBaseUnitAndTheGivenTags() {
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
      assertThat(meter.getId().getTag("codec")).isEqualTo("test");
      assertThat(meter.getId().getTag("engine"))
          .as(meter.getId().getName())
          .isEqualTo(codec.engine().name().toLowerCase(java.util.Locale.ROOT));
      if (!meter.getId().getName().equals("gzip.compression.ratio")) {
        assertThat(meter.getId().getBaseUnit()).as(meter.getId().getName()).isNotBlank();
      }
    }
    assertThat(registry.getMeters()).hasSize(15);
  }

  @Test
  void engineTag_namesTheEngineOfTheByteArrayCalls() {
    try (GzipCodec onJdk = GzipCodec.builder().engine(GzipCodec.Engine.JDK).build()) {
      MeterRegistry jdkRegistry = new SimpleMeterRegistry();
      new GzipCodecMetrics(onJdk).bindTo(jdkRegistry);

      assertThat(jdkRegistry.getMeters())
          .isNotEmpty()
          .allSatisfy(meter -> assertThat(meter.getId().getTag("engine")).isEqualTo("jdk"));
    }
    NativeEngine.assumeBuilt();
    assertThat(registry.get("gzip.operations").tag("engine", "libdeflate").meters()).hasSize(2);
  }

  private double count(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).functionCounter().count();
  }

  private double handles(String state) {
    return registry.get("gzip.native.handles").tag("state", state).gauge().value();
  }

  private static InputStream failingSource() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("disk gone");
      }
    };
  }
}
