package dev.oomguard.compression;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.zip.Deflater;
import org.jspecify.annotations.Nullable;

/**
 * Writes one gzip member to a sink: the drop-in for {@code GZIPOutputStream} that {@link
 * GzipCodec#compressingStream} returns. The deflater is taken at the first write and given back at
 * {@link #finish()}, at {@link #close()} or at the first exception, whichever comes first, so the
 * incident's error path (finish, then an exception, and no close) leaks nothing. Not thread-safe,
 * like the JDK's streams.
 */
public final class CompressingOutputStream extends OutputStream {
  private enum State { NEW, WRITING, FINISHED, FAILED, CLOSED }

  private final OutputStream sink;
  private final GzipCodec codec;
  private final byte[] single = new byte[1];
  private @Nullable HandleLease<DeflaterSlot> lease;
  private @Nullable Exception failure;
  private State state = State.NEW;
  private long bytesIn;
  private long bytesOut;

  CompressingOutputStream(OutputStream sink, GzipCodec codec) {
    this.sink = sink;
    this.codec = codec;
  }

  @Override
  public void write(int b) throws IOException {
    single[0] = (byte) b;
    write(single, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    requireWritable();
    if (len == 0) {
      return;
    }
    try {
      DeflaterSlot slot = start();
      slot.crc.update(b, off, len);
      slot.deflater.setInput(b, off, len);
      while (!slot.deflater.needsInput()) {
        drain(slot);
      }
      bytesIn += len;
    } catch (IOException | RuntimeException e) {
      fail(e);
      throw e;
    }
  }

  /** Flushes the sink. Like {@code GZIPOutputStream} by default, it does not force a deflate block. */
  @Override
  public void flush() throws IOException {
    if (state == State.CLOSED) {
      throw new IOException("stream closed");
    }
    sink.flush();
  }

  /**
   * Writes the rest of the compressed data and the trailer without closing the sink, and gives the
   * deflater back. Calling it again does nothing; writing after it fails.
   */
  public void finish() throws IOException {
    if (state == State.FINISHED) {
      return;
    }
    requireWritable();
    try {
      DeflaterSlot slot = start();
      slot.deflater.finish();
      while (!slot.deflater.finished()) {
        drain(slot);
      }
      byte[] trailer = new byte[GzipFormat.TRAILER_SIZE];
      GzipFormat.writeTrailer(trailer, 0, slot.crc.getValue(), bytesIn);
      sink.write(trailer);
      bytesOut += trailer.length;
    } catch (IOException | RuntimeException e) {
      fail(e);
      throw e;
    }
    state = State.FINISHED;
    releaseHandle();
    codec.stats.compress.completed(bytesIn, bytesOut);
  }

  /** Finishes (unless an earlier call failed), gives the deflater back, and closes the sink. */
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
      releaseHandle();
      state = State.CLOSED;
    }
    sink.close();
  }

  private void requireWritable() throws IOException {
    switch (state) {
      case FINISHED:
        throw new IOException("write after finish()");
      case CLOSED:
        throw new IOException("stream closed");
      case FAILED:
        throw new IOException("stream failed earlier and its deflater was released", failure);
      default:
        break;
    }
  }

  private DeflaterSlot start() throws IOException {
    HandleLease<DeflaterSlot> current = lease;
    if (current != null) {
      return current.handle;
    }
    HandleLease<DeflaterSlot> started = new HandleLease<>(this, codec.deflaters());
    lease = started;
    state = State.WRITING;
    byte[] header = new byte[GzipFormat.HEADER_SIZE];
    GzipFormat.writeHeader(header, 0, codec.level());
    sink.write(header);
    bytesOut += header.length;
    return started.handle;
  }

  private void drain(DeflaterSlot slot) throws IOException {
    byte[] buffer = slot.streamBuffer();
    int length = slot.deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH);
    if (length > 0) {
      sink.write(buffer, 0, length);
      bytesOut += length;
    }
  }

  private void fail(Exception e) {
    state = State.FAILED;
    failure = e;
    releaseHandle();
    codec.stats.failed(e);
  }

  private void releaseHandle() {
    HandleLease<DeflaterSlot> current = lease;
    if (current != null) {
      lease = null;
      current.release();
    }
  }
}
