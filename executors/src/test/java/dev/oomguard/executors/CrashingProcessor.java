package dev.oomguard.executors;

import java.util.concurrent.CountDownLatch;

/**
 * Run in a forked JVM by {@link EventProcessorIT}: spills events e9..e19 to Redis, handles e0..e9,
 * then hangs in the handler of e10 with e10 and more taken from the stream and not acknowledged,
 * and prints {@code hanging} so that the test can kill it with SIGKILL there.
 */
final class CrashingProcessor {
  private CrashingProcessor() {}

  public static void main(String[] args) throws InterruptedException {
    CountDownLatch submitted = new CountDownLatch(1);
    try (SpillRedis redis = new SpillRedis(args[0])) {
      EventProcessor<String> processor =
          EventProcessor.<String>builder(
                  "crashing",
                  event -> {
                    int index = Integer.parseInt(event.substring(1));
                    if (index == 0) {
                      await(submitted);
                    } else if (index >= 10) {
                      System.out.println("hanging in " + event);
                      await(new CountDownLatch(1));
                    }
                  })
              .threads(1)
              .queueCapacity(8)
              .spillTo(redis.store(args[1], "crashing"))
              .build();
      for (int i = 0; i < 20; i++) {
        System.out.println("e" + i + " " + processor.submit("e" + i));
      }
      submitted.countDown();
      await(new CountDownLatch(1));
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
