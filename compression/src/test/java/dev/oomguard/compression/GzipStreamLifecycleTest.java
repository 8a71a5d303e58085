package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.ZipException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When each stream takes its native handle, and that every path gives it back. */
class GzipStreamLifecycleTest {
  private final GzipCodec codec = GzipCodec.builder().poolSize(2).build();
  private final byte[] text = GzipCodecRoundTripTest.text(50_000, 5);

  @AfterEach
  void closeCodec() {
    codec.close();
  }

  @Test
  void compressingStream_holdsNoHandleBetweenCalls_andBorrowsOnePooledDeflaterForEveryChunk()
      throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    CompressingOutputStream out = codec.compressingStream(sink);
    byte[] large = GzipCodecRoundTripTest.text(1_000_000, 11);

    out.write(text);
    assertThat(codec.nativeHandlesInUse()).as("after a buffered write").isZero();
    assertThat(sink.size()).as("nothing compressed yet").isZero();
    out.write(large);
    assertThat(codec.nativeHandlesInUse()).as("after writes that compressed chunks").isZero();
    assertThat(sink.size()).as("chunks compressed inside write()").isPositive();
    out.finish();

    assertThat(codec.nativeHandlesCreated()).as("one deflater, reused for each chunk").isEqualTo(1);
    assertThat(codec.nativeHandlesIdle()).isEqualTo(1);
    assertThat(codec.decompress(sink.toByteArray())).isEqualTo(concat(text, large));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  @Test
  void finishWithoutClose_releasesTheHandle() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    CompressingOutputStream out = codec.compressingStream(sink);
    out.write(text);

    out.finish(); // the incident's error path: finish(), then an exception, and close() never runs

    assertThat(codec.nativeHandlesInUse()).isZero();
    assertThat(codec.nativeHandlesIdle()).isEqualTo(1);
    assertThat(codec.decompress(sink.toByteArray())).isEqualTo(text);
  }

  @Test
  void writeAfterFinish_failsClearly() throws IOException {
    CompressingOutputStream out = codec.compressingStream(new ByteArrayOutputStream());
    out.write(text);
    out.finish();
    out.finish();

    assertThatThrownBy(() -> out.write(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("after finish");
  }

  @Test
  void failingSink_surfacesItsOwnExceptionAndReleasesTheHandle() throws IOException {
    IOException diskFull = new IOException("disk full");
    CompressingOutputStream out = codec.compressingStream(failingAfter(100, diskFull));

    assertThatThrownBy(() -> out.write(GzipCodecRoundTripTest.random(100_000, 1)))
        .isSameAs(diskFull);
    assertThat(codec.nativeHandlesInUse()).isZero();
    assertThatThrownBy(() -> out.write(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("failed earlier")
        .hasCause(diskFull);
    out.close();
  }

  @Test
  void close_closesTheSinkEvenWhenTheTrailerCannotBeWritten() throws IOException {
    IOException diskFull = new IOException("disk full");
    ClosingProbe sink = new ClosingProbe(failingAfter(10, diskFull));
    CompressingOutputStream out = codec.compressingStream(sink);

    assertThatThrownBy(out::close).isSameAs(diskFull);
    assertThat(sink.closed).isTrue();
    assertThat(codec.nativeHandlesInUse()).isZero();
  }

  @Test
  void decompressingStream_releasesTheHandleAtEndOfInputBeforeClose() throws IOException {
    InputStream in = codec.decompressingStream(new ByteArrayInputStream(codec.compress(text)));

    assertThat(in.readAllBytes()).isEqualTo(text);
    assertThat(codec.nativeHandlesInUse()).isZero();
    assertThat(in.read()).isEqualTo(-1);
    in.close();
  }

  @Test
  void decompressingStream_closedHalfWay_releasesTheHandle() throws IOException {
    InputStream in = codec.decompressingStream(new ByteArrayInputStream(codec.compress(text)));
    assertThat(in.readNBytes(1_000)).isEqualTo(Arrays.copyOf(text, 1_000));
    assertThat(codec.nativeHandlesInUse()).isEqualTo(1);

    in.close();

    assertThat(codec.nativeHandlesInUse()).isZero();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void decompressingStream_overPlainText_failsAtFirstReadWithoutLeaking() throws IOException {
    // JDK-8210471: new GZIPInputStream(notGzip) throws from its constructor and leaks its Inflater
    InputStream in =
        codec.decompressingStream(
            new ByteArrayInputStream("{\"legacy\":true}".getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(in::read)
        .isInstanceOf(MalformedGzipIOException.class)
        .isInstanceOf(ZipException.class)
        .hasMessageContaining("not gzip")
        .hasCauseInstanceOf(MalformedGzipException.class);
    assertThat(codec.nativeHandlesInUse()).isZero();
    in.close();
  }

  @Test
  void closedCodec_refusesNewWork() {
    codec.close();

    assertThatThrownBy(() -> codec.compress(text))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> codec.decompress(text)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> codec.compressingStream(new ByteArrayOutputStream()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> codec.decompressingStream(new ByteArrayInputStream(text)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void streamOpenWhileCodecCloses_finishesAndItsHandleIsEnded() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    CompressingOutputStream out = codec.compressingStream(sink);
    out.write(text);

    codec.close();
    out.close();

    try (GzipCodec reader = GzipCodec.create()) {
      assertThat(reader.decompress(sink.toByteArray())).isEqualTo(text);
    }
    assertThat(codec.nativeHandlesCreated()).isEqualTo(codec.nativeHandlesEnded());
  }

  private static OutputStream failingAfter(int bytes, IOException failure) {
    return new OutputStream() {
      private int written;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        written += len;
        if (written > bytes) {
          throw failure;
        }
      }
    };
  }

  private static final class ClosingProbe extends FilterOutputStream {
    boolean closed;

    ClosingProbe(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
