package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hard cap on decompressing streams that hold an inflater: {@code maxOpenDecompressingStreams}.
 */
class GzipStreamCapTest {
  private static final byte[] TEXT = GzipCodecRoundTripTest.text(50_000, 30);

  private final List<GzipCodec> codecs = new ArrayList<>();
  private final byte[] gzip = GzipCodec.create().compress(TEXT);

  @AfterEach
  void closeCodecs() {
    codecs.forEach(GzipCodec::close);
  }

  @Test
  void openStreams_atTheCap_refuseOneMoreWithTheNamedException_andServeItOnceOneCloses()
      throws IOException {
    GzipCodec codec = codec(3, Duration.ofMillis(50));
    List<InputStream> open = openPartlyRead(codec, 3);

    InputStream fourth = codec.decompressingStream(new ByteArrayInputStream(gzip));
    Throwable refused = catchThrowable(fourth::read);

    assertThat(refused)
        .isInstanceOf(OpenStreamLimitException.class)
        .hasMessageContaining("3 decompressing streams hold an inflater")
        .hasMessageContaining("maxOpenDecompressingStreams=3")
        .hasMessageContaining("not read to the end, not closed");
    assertThat(((OpenStreamLimitException) refused).limit()).isEqualTo(3);
    assertThat(codec.openDecompressingStreams()).isEqualTo(3);
    assertThat(codec.nativeHandlesInUse())
        .as("no inflater taken for the refused stream")
        .isEqualTo(3);
    assertThat(catchThrowable(fourth::read))
        .as("a refused stream stays failed")
        .isInstanceOf(IOException.class)
        .hasCause(refused);

    open.get(0).close();
    try (InputStream fifth = codec.decompressingStream(new ByteArrayInputStream(gzip))) {
      assertThat(fifth.readAllBytes()).isEqualTo(TEXT);
    }
    assertThat(codec.streamCap().highWater()).as("never above the cap").isEqualTo(3);
    for (InputStream in : open) {
      in.close();
    }
    assertThat(codec.openDecompressingStreams()).isZero();
  }

  @Test
  void streamAtTheCap_getsTheSlotOfAStreamReadToTheEndWhileItWaits() throws Exception {
    GzipCodec codec = codec(1, Duration.ofSeconds(30));
    InputStream holder = codec.decompressingStream(new ByteArrayInputStream(gzip));
    assertThat(holder.read()).isEqualTo(TEXT[0]);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      AtomicLong waiting = new AtomicLong();
      Future<byte[]> waiter =
          thread.submit(
              () -> {
                waiting.set(Thread.currentThread().getId());
                try (InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzip))) {
                  return in.readAllBytes();
                }
              });
      await().atMost(Duration.ofSeconds(10)).until(() -> isWaiting(waiting.get()));
      assertThat(waiter).isNotDone();

      holder.readAllBytes(); // the end of the input gives the inflater and the slot back

      assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(TEXT);
    } finally {
      thread.shutdownNow();
    }
    assertThat(codec.streamCap().highWater()).isEqualTo(1);
  }

  @Test
  void droppedStreams_atTheCap_areReclaimedByTheCodecWithoutTheCallerForcingAGc()
      throws IOException {
    GzipCodec codec = codec(4, GzipCodec.DEFAULT_RECLAIM_WAIT);
    dropPartlyRead(codec, 4);
    assertThat(codec.openDecompressingStreams()).isEqualTo(4);

    try (InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzip))) {
      assertThat(in.readAllBytes())
          .as("served after the codec reclaimed a dropped stream")
          .isEqualTo(TEXT);
    }
    assertThat(codec.streamCap().highWater()).isEqualTo(4);
  }

  @Test
  void threadsDroppingStreams_raceForTheCap_andNeverExceedIt() throws Exception {
    int cap = 8;
    int threads = 4;
    GzipCodec codec = codec(cap, Duration.ofSeconds(5));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(
            pool.submit(
                () -> {
                  start.await();
                  int served = 0;
                  for (int i = 0; i < 300; i++) {
                    if (i % 3 == 0) {
                      try (InputStream in =
                          codec.decompressingStream(new ByteArrayInputStream(gzip))) {
                        served += in.readAllBytes().length == TEXT.length ? 1 : 0;
                      }
                    } else {
                      dropPartlyRead(codec, 1);
                      served++;
                    }
                  }
                  return served;
                }));
      }
      start.countDown();
      for (Future<Integer> worker : workers) {
        assertThat(worker.get(120, TimeUnit.SECONDS)).as("operations served").isEqualTo(300);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(codec.streamCap().highWater()).as("most open at once").isEqualTo(cap);
    assertThat(codec.openDecompressingStreams()).isLessThanOrEqualTo(cap);
    assertThat(codec.nativeHandlesInUse())
        .as("inflaters lent: one per open stream")
        .isEqualTo(codec.openDecompressingStreams());
  }

  @Test
  void maxOpenDecompressingStreams_belowOne_isRefusedNamingTheValue() {
    assertThat(catchThrowable(() -> GzipCodec.builder().maxOpenDecompressingStreams(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxOpenDecompressingStreams must be at least 1, was 0");
  }

  private GzipCodec codec(int cap, Duration reclaimWait) {
    GzipCodec codec =
        GzipCodec.builder()
            .poolSize(2)
            .maxOpenDecompressingStreams(cap)
            .reclaimWait(reclaimWait)
            .build();
    codecs.add(codec);
    return codec;
  }

  private List<InputStream> openPartlyRead(GzipCodec codec, int count) throws IOException {
    List<InputStream> streams = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzip));
      assertThat(in.readNBytes(100)).hasSize(100);
      streams.add(in);
    }
    return streams;
  }

  /** Streams read for 100 bytes and dropped, as a caller that returns early drops them. */
  private void dropPartlyRead(GzipCodec codec, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      InputStream in = codec.decompressingStream(new ByteArrayInputStream(gzip));
      assertThat(in.readNBytes(100)).hasSize(100);
    }
  }

  private static boolean isWaiting(long threadId) {
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getId() == threadId) {
        return thread.getState() == Thread.State.TIMED_WAITING;
      }
    }
    return false;
  }
}
