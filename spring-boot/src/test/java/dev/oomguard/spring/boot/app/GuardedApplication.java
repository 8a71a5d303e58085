package dev.oomguard.spring.boot.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A service as the incidents' teams wrote them, with the starter as its only oomguard dependency.
 */
@SpringBootApplication
@EnableAsync
@EnableCaching
public class GuardedApplication {
  /** Incident 4: a histogram timer tagged with a raw id. */
  @RestController
  static class Orders {
    private final MeterRegistry registry;
    private final Reports reports;

    Orders(MeterRegistry registry, Reports reports) {
      this.registry = registry;
      this.reports = reports;
    }

    @GetMapping("/orders/{id}")
    String order(@PathVariable("id") String id) {
      Timer.builder("orders")
          .tag("id", id)
          .publishPercentileHistogram()
          .register(registry)
          .record(Duration.ofMillis(3));
      return id;
    }

    @GetMapping("/reports/{id}")
    String report(@PathVariable("id") String id) {
      return reports.report(id);
    }
  }

  /** Incident 1: large values cached in Redis. */
  @Service
  public static class Reports {
    private final AtomicInteger computed = new AtomicInteger();

    /** How many reports were computed rather than read from the cache. */
    public int computed() {
      return computed.get();
    }

    @Cacheable("reports")
    public String report(String id) {
      computed.incrementAndGet();
      return ("report " + id + ": ").repeat(1_000);
    }
  }

  /** Incident 3: work handed to @Async. */
  @Service
  public static class Work {
    @Async
    public CompletableFuture<String> run(Queue<String> started, CountDownLatch release)
        throws InterruptedException {
      String thread = Thread.currentThread().getName();
      started.add(thread);
      if (!release.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("not released");
      }
      return CompletableFuture.completedFuture(thread);
    }
  }
}
