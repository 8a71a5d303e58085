package dev.oomguard.compression;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * Reads every gzip member of a source: what {@link GzipCodec#decompressingStream} returns. The
 * inflater is taken when the first header is read, within the codec's cap on open decompressing
 * streams ({@link StreamCap}), and given back at the end of the input, at {@link #close()} or at
 * the first exception. Zero bytes after the last member are padding and end the input.
 */
final class DecompressingInputStream extends InputStream {
  private enum State {
    HEADER,
    BODY,
    PADDING,
    DONE,
    FAILED,
    CLOSED
  }

  private final InputStream source;
  private final GzipCodec codec;
  private final long limit;
  private final byte[] single = new byte[1];
  private @Nullable HandleLease<InflaterSlot> lease;
  private @Nullable IOException failure;
  private State state = State.HEADER;
  private byte[] input = new byte[0];
  private int inputPosition;
  private int inputLimit;
  private long sourceBytes;
  private int member;
  private long produced;
  private long memberProduced;

  DecompressingInputStream(InputStream source, GzipCodec codec) {
    this.source = source;
    this.codec = codec;
    this.limit = codec.maxDecompressedBytes();
  }

  @Override
  public int read() throws IOException {
    int n;
    do {
      n = read(single, 0, 1);
    } while (n == 0);
    return n < 0 ? -1 : single[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (state == State.CLOSED) {
      throw new IOException("stream closed");
    }
    if (state == State.FAILED) {
      throw new IOException("stream failed earlier and its inflater was released", failure);
    }
    if (len == 0) {
      return 0;
    }
    try {
      while (true) {
        if (state == State.DONE) {
          return -1;
        }
        if (state == State.HEADER && member > 0) {
          if (atEndOfInput()) {
            done();
            return -1;
          }
          if (input[inputPosition] == 0) {
            state = State.PADDING;
          }
        }
        if (state == State.PADDING) {
          skipPadding();
          done();
          return -1;
        }
        if (state == State.HEADER) {
          startMember();
        }
        int n = inflate(b, off, len);
        if (n > 0) {
          return n;
        }
      }
    } catch (MalformedGzipException e) {
      throw fail(new MalformedGzipIOException(e));
    } catch (DecompressionLimitException e) {
      throw fail(new DecompressionLimitIOException(e));
    } catch (IOException e) {
      throw fail(e);
    } catch (RuntimeException e) {
      fail(new IOException(e));
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    releaseHandle();
    source.close();
  }

  /** Offset in the compressed input of the next byte not yet consumed. */
  private long position() {
    return sourceBytes - (inputLimit - inputPosition);
  }

  private void startMember() throws IOException {
    InflaterSlot slot = slot();
    member++;
    GzipFormat.readHeader(headerInput(), member, slot.crc);
    slot.inflater.reset();
    slot.crc.reset();
    memberProduced = 0;
    if (inputPosition < inputLimit) {
      slot.inflater.setInput(input, inputPosition, inputLimit - inputPosition);
    }
    state = State.BODY;
  }

  private int inflate(byte[] b, int off, int len) throws IOException {
    InflaterSlot slot = slot();
    Inflater inflater = slot.inflater;
    if (inflater.needsInput()) {
      if (!fill()) {
        throw GzipFormat.truncated(member, position(), "deflate data");
      }
      inflater.setInput(input, inputPosition, inputLimit - inputPosition);
    }
    long room = limit - produced;
    // At the limit, ask for one byte: getting it means the limit is breached.
    int wanted = room > 0 ? (int) Math.min(len, room) : 1;
    int n;
    try {
      n = inflater.inflate(b, off, wanted);
    } catch (DataFormatException e) {
      throw GzipFormat.invalidDeflate(member, position(), e);
    } finally {
      inputPosition = inputLimit - inflater.getRemaining();
    }
    if (n > 0) {
      produced += n;
      if (produced > limit) {
        throw new DecompressionLimitException(limit);
      }
      memberProduced += n;
      slot.crc.update(b, off, n);
    }
    if (inflater.finished()) {
      long trailerAt = position();
      long crc = readTrailerInt();
      long isize = readTrailerInt();
      GzipFormat.checkTrailer(crc, isize, slot.crc.getValue(), memberProduced, member, trailerAt);
      state = State.HEADER;
    } else if (n == 0 && GzipFormat.isStalled(inflater)) {
      throw GzipFormat.stalled(inflater, member, position());
    }
    return n;
  }

  /** Reads zero bytes to the end of the input; anything else after the last member is garbage. */
  private void skipPadding() throws IOException {
    for (int b; (b = nextByte()) >= 0; ) {
      if (b != 0) {
        throw GzipFormat.garbageAfterPadding(member, position() - 1, b);
      }
    }
  }

  private long readTrailerInt() throws IOException {
    long value = 0;
    for (int shift = 0; shift < 32; shift += 8) {
      int b = nextByte();
      if (b < 0) {
        throw GzipFormat.truncated(member, position(), "trailer");
      }
      value |= (long) b << shift;
    }
    return value;
  }

  /** The header parser reads through the same buffer as the inflater. */
  private GzipFormat.ByteInput<IOException> headerInput() {
    return new GzipFormat.ByteInput<>() {
      @Override
      public int read() throws IOException {
        return nextByte();
      }

      @Override
      public long position() {
        return DecompressingInputStream.this.position();
      }
    };
  }

  private int nextByte() throws IOException {
    if (inputPosition == inputLimit && !fill()) {
      return -1;
    }
    return input[inputPosition++] & 0xff;
  }

  private boolean atEndOfInput() throws IOException {
    return inputPosition == inputLimit && !fill();
  }

  /** Reads more compressed input; false at the end of the source. */
  private boolean fill() throws IOException {
    int n;
    do {
      n = source.read(input, 0, input.length);
    } while (n == 0);
    if (n < 0) {
      return false;
    }
    inputPosition = 0;
    inputLimit = n;
    sourceBytes += n;
    return true;
  }

  private InflaterSlot slot() throws IOException {
    HandleLease<InflaterSlot> current = lease;
    if (current == null) {
      current = new HandleLease<>(this, codec.inflaters(), codec.streamCap());
      lease = current;
      input = current.handle.buffer;
    }
    return current.handle;
  }

  private void done() {
    state = State.DONE;
    releaseHandle();
    codec.stats.decompress.completed(sourceBytes, produced);
  }

  private IOException fail(IOException e) {
    state = State.FAILED;
    failure = e;
    releaseHandle();
    codec.stats.failed(e);
    return e;
  }

  private void releaseHandle() {
    HandleLease<InflaterSlot> current = lease;
    if (current != null) {
      lease = null;
      input = new byte[0];
      current.release();
    }
  }
}
