package dev.oomguard.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReviewScannerConcurrencyTest {
  @Test
  void scan_oneScannerSharedByRacingThreads_givesEveryThreadTheSameFindings() throws Exception {
    ReviewScanner shared = ReviewScanner.allRules();
    List<Path> fixtures = List.of(Fixtures.classesDir());
    List<Finding> alone = shared.scan(fixtures).findings();
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Finding>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  List<Finding> all = new ArrayList<>();
                  for (int round = 0; round < 5; round++) {
                    all = shared.scan(fixtures).findings();
                  }
                  return all;
                }));
      }
      start.countDown();
      for (Future<List<Finding>> result : results) {
        assertThat(result.get(1, TimeUnit.MINUTES)).isEqualTo(alone);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(alone).hasSizeGreaterThan(15);
  }
}
