package dev.oomguard.compression;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.jspecify.annotations.Nullable;

/**
 * Writes one gzip member to a sink: the drop-in for {@code GZIPOutputStream} that {@link
 * GzipCodec#compressingStream} returns. Not thread-safe, like the JDK's streams.
 *
 * <p>It holds no native handle between calls, so a stream that is dropped at any point (written to
 * and never finished, finished and never closed, failed in the sink) holds only heap, which the GC
 * reclaims like any other. It buffers input on the heap and compresses it in chunks of at least
 * {@value #CHUNK} bytes (a larger write is compressed straight from the caller's array), and the
 * rest at {@link #finish()}. For each chunk it borrows a deflater from the codec's pool, gives it
 * the last {@value #WINDOW} bytes of input before the chunk as a preset dictionary (the whole
 * window deflate may refer back to, so the chunk compresses almost as if the stream had never
 * stopped), deflates the chunk with a sync flush into the deflater's pooled buffer, writes that to
 * the sink, and gives the deflater back before {@code write} returns or throws. The chunks' output
 * is one valid deflate stream, as pigz makes it. Heap per stream: up to {@value #WINDOW} + {@value
 * #CHUNK} bytes of buffered input, grown as data comes.
 *
 * <p>{@link #flush()} flushes the sink and does not force out buffered data, as {@code
 * GZIPOutputStream} does by default. Nothing reaches the sink before the first chunk or {@code
 * finish()}.
 */
public final class CompressingOutputStream extends OutputStream {
  /** Input compressed per borrowed deflater. */
  static final int CHUNK = 64 * 1024;

  /** Deflate's window: how far back a match may refer, so the dictionary a chunk needs. */
  static final int WINDOW = 32 * 1024;

  /** The most of a deflater's pooled buffer a stream uses per sink write. */
  private static final int SINK_WRITE = 64 * 1024;

  private enum State {
    OPEN,
    FINISHED,
    FAILED,
    CLOSED
  }

  private final OutputStream sink;
  private final GzipCodec codec;
  private final CRC32 crc = new CRC32();

  /** The previous chunk's last {@code dictionary} bytes, then the input not yet compressed. */
  private byte[] buffer = new byte[0];

  private int dictionary;
  private int length;
  private @Nullable Exception failure;
  private State state = State.OPEN;
  private boolean headerWritten;
  private long bytesIn;
  private long bytesOut;

  CompressingOutputStream(OutputStream sink, GzipCodec codec) {
    this.sink = sink;
    this.codec = codec;
  }

  @Override
  public void write(int b) throws IOException {
    requireWritable();
    if (length == buffer.length) {
      write(new byte[] {(byte) b}, 0, 1);
      return;
    }
    buffer[length++] = (byte) b;
    crc.update(b);
    bytesIn++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    requireWritable();
    try {
      crc.update(b, off, len);
      bytesIn += len;
      while (len > 0) {
        if (length == dictionary && len >= CHUNK) {
          // nothing pending: compress straight from the caller's array, no copy
          compress(b, off, len, false);
          return;
        }
        if (length == WINDOW + CHUNK) {
          compress(buffer, dictionary, length - dictionary, false);
          continue;
        }
        ensureRoom(len);
        int n = Math.min(len, buffer.length - length);
        System.arraycopy(b, off, buffer, length, n);
        length += n;
        off += n;
        len -= n;
      }
    } catch (IOException | RuntimeException e) {
      fail(e);
      throw e;
    }
  }

  /**
   * Flushes the sink. Like {@code GZIPOutputStream} by default, it does not force a deflate block.
   */
  @Override
  public void flush() throws IOException {
    if (state == State.CLOSED) {
      throw new IOException("stream closed");
    }
    sink.flush();
  }

  /**
   * Compresses what is buffered and writes it with the trailer, without closing the sink. Calling
   * it again does nothing; writing after it fails.
   */
  public void finish() throws IOException {
    if (state == State.FINISHED) {
      return;
    }
    requireWritable();
    try {
      compress(buffer, dictionary, length - dictionary, true);
    } catch (IOException | RuntimeException e) {
      fail(e);
      throw e;
    }
    state = State.FINISHED;
    buffer = new byte[0];
    codec.stats.compress.completed(bytesIn, bytesOut);
  }

  /** Finishes (unless an earlier call failed) and closes the sink, even if finishing failed. */
  @Override
  public void close() throws IOException {
    if (state == State.CLOSED) {
      return;
    }
    try {
      if (state != State.FAILED) {
        finish();
      }
    } catch (IOException | RuntimeException e) {
      try {
        sink.close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      state = State.CLOSED;
      buffer = new byte[0];
    }
    sink.close();
  }

  private void requireWritable() throws IOException {
    switch (state) {
      case FINISHED -> throw new IOException("write after finish()");
      case CLOSED -> throw new IOException("stream closed");
      case FAILED -> throw new IOException("stream failed earlier", failure);
      default -> {}
    }
  }

  /** Grows the buffer (doubling, up to window plus chunk) so that some of {@code wanted} fits. */
  private void ensureRoom(int wanted) {
    if (length < buffer.length) {
      return;
    }
    long needed = Math.max(length + (long) wanted, 2L * buffer.length);
    buffer = Arrays.copyOf(buffer, (int) Math.min(WINDOW + CHUNK, Math.max(needed, 1024)));
  }

  /**
   * Deflates {@code n} bytes of {@code input} from {@code from} with a borrowed deflater, primed
   * with the dictionary, into the deflater's pooled buffer and on to the sink: with a sync flush,
   * or for the last chunk to the end of the deflate data and the trailer. The first chunk also
   * carries the header, so a small value reaches the sink in one write. The deflater is back in the
   * pool when this returns or throws. Then the last {@value #WINDOW} bytes of input so far become
   * the next chunk's dictionary.
   */
  private void compress(byte[] input, int from, int n, boolean last) throws IOException {
    DeflaterSlot slot = codec.deflaters().acquireEvenIfClosed();
    try {
      Deflater deflater = slot.deflater;
      if (dictionary > 0) {
        deflater.setDictionary(buffer, 0, dictionary);
      }
      deflater.setInput(input, from, n);
      if (last) {
        deflater.finish();
      }
      byte[] out =
          slot.buffer(
              (int)
                  Math.min(
                      SINK_WRITE,
                      GzipFormat.HEADER_SIZE
                          + GzipFormat.deflateBound(n)
                          + 5
                          + GzipFormat.TRAILER_SIZE));
      int size = 0;
      if (!headerWritten) {
        GzipFormat.writeHeader(out, 0, codec.level());
        size = GzipFormat.HEADER_SIZE;
        headerWritten = true;
      }
      int flush = last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH;
      while (true) {
        int room = out.length - size;
        int produced = deflater.deflate(out, size, room, flush);
        size += produced;
        boolean done = last ? deflater.finished() : produced < room;
        if (done && (!last || out.length - size >= GzipFormat.TRAILER_SIZE)) {
          break;
        }
        if (size > 0) {
          write(out, size);
          size = 0;
        }
        if (done) {
          break; // the last chunk, whose trailer did not fit behind it
        }
      }
      if (last) {
        GzipFormat.writeTrailer(out, size, crc.getValue(), bytesIn);
        size += GzipFormat.TRAILER_SIZE;
      }
      write(out, size);
    } finally {
      codec.deflaters().release(slot);
    }
    if (!last) {
      keepDictionary(input, from + n);
    }
  }

  /** Keeps the last {@value #WINDOW} bytes of input before {@code end} as the next dictionary. */
  private void keepDictionary(byte[] input, int end) {
    int keep = Math.min(WINDOW, input == buffer ? end : WINDOW);
    if (input != buffer && buffer.length < WINDOW) {
      buffer = Arrays.copyOf(buffer, Math.max(WINDOW, Math.min(WINDOW + CHUNK, 2 * buffer.length)));
    }
    System.arraycopy(input, end - keep, buffer, 0, keep);
    dictionary = keep;
    length = keep;
  }

  private void write(byte[] out, int size) throws IOException {
    if (size > 0) {
      sink.write(out, 0, size);
      bytesOut += size;
    }
  }

  private void fail(Exception e) {
    state = State.FAILED;
    failure = e;
    buffer = new byte[0];
    codec.stats.failed(e);
  }
}
