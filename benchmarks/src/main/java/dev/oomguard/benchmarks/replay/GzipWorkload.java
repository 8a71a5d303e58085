package dev.oomguard.benchmarks.replay;

import dev.oomguard.compression.CompressingOutputStream;
import dev.oomguard.compression.GzipCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Incident 1: {@code GzipWorkload MODE OPS} compresses a 4 KiB value OPS times on the incident's
 * error path: {@code finish()}, then the application fails and {@code close()} never runs. MODE
 * {@code without} uses {@code new GZIPOutputStream(sink)}, {@code with} {@code
 * GzipCodec.compressingStream(sink)}. Prints the growth of VmRSS over the loop, and the GCs that
 * ran in it: the replay sizes the young generation so that none does, as in the incident, where the
 * GC saw a few tiny objects and had no reason to run.
 */
final class GzipWorkload {
  private static final int WARMUP_OPS = 500;
  private static final byte[] VALUE = value(4 * 1024);

  /** The application's failure after finish(): shared and stackless, so it costs no heap. */
  @SuppressWarnings("StaticAssignmentOfThrowable") // stackless and never thrown anywhere else
  private static final IOException AFTER_FINISH =
      new StacklessIOException("the write to Redis failed");

  private GzipWorkload() {}

  public static void main(String[] args) throws IOException {
    String mode = args[0];
    int ops = Integer.parseInt(args[1]);
    GzipCodec codec = GzipCodec.create();
    Op op =
        switch (mode) {
          case "without" ->
              () -> finishWithoutClose(new GZIPOutputStream(OutputStream.nullOutputStream()));
          case "with" ->
              () -> finishWithoutClose(codec.compressingStream(OutputStream.nullOutputStream()));
          default ->
              throw new IllegalArgumentException("mode must be without or with, was " + mode);
        };
    run(op, WARMUP_OPS);
    System.gc(); // the warm-up's streams are collected (and the JDK's Deflaters ended) before the
    // baseline
    long rssBefore = Probe.rssKb();
    long gcsBefore = Probe.gcCount();
    long start = System.nanoTime();
    run(op, ops);
    Probe.print("millis", (System.nanoTime() - start) / 1_000_000);
    Probe.print("rssGrowthKb", Probe.rssKb() - rssBefore);
    Probe.print("gcsDuringRun", Probe.gcCount() - gcsBefore);
    Probe.print("ops", ops);
    if (mode.equals("with")) {
      Probe.print("handlesInUse", codec.nativeHandlesInUse());
      Probe.print("handlesCreated", codec.nativeHandlesCreated());
    }
  }

  private static void run(Op op, int ops) throws IOException {
    for (int i = 0; i < ops; i++) {
      try {
        op.run();
      } catch (IOException expected) {
        if (expected != AFTER_FINISH) {
          throw expected;
        }
        // the service logged it and moved on, without closing the stream
      }
    }
  }

  private static void finishWithoutClose(GZIPOutputStream out) throws IOException {
    out.write(VALUE);
    out.finish(); // writes the trailer, but does not end the Deflater
    throw AFTER_FINISH;
  }

  private static void finishWithoutClose(CompressingOutputStream out) throws IOException {
    out.write(VALUE);
    out.finish(); // gives the deflater back to the codec's pool
    throw AFTER_FINISH;
  }

  /** Text that compresses about as well as a JSON value does. */
  private static byte[] value(int size) {
    StringBuilder text = new StringBuilder(size);
    for (int i = 0; text.length() < size; i++) {
      text.append("{\"order\":").append(i * 7919 % 100_003).append(",\"status\":\"shipped\"},");
    }
    return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
  }

  private static final class StacklessIOException extends IOException {
    private static final long serialVersionUID = 1L;

    StacklessIOException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  private interface Op {
    void run() throws IOException;
  }
}
