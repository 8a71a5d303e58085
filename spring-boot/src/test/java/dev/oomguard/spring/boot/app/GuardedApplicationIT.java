package dev.oomguard.spring.boot.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oomguard.spring.boot.BoundedAsyncTaskExecutor;
import dev.oomguard.spring.boot.PrivateRedis;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The starter in a real Boot application on a random port: Tomcat, Actuator, Prometheus, Redis
 * caching against a real {@code redis-server}, {@code @Async}; scraped and queried over HTTP.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=health,prometheus,oomguard",
      "management.endpoint.health.show-details=always",
      "management.metrics.tags.application=guarded",
      "spring.cache.type=redis",
      "spring.cache.redis.time-to-live=10m",
      "oomguard.redis.gzip.enabled=true",
      "oomguard.metrics.cardinality.max-series=2000",
      "spring.task.execution.pool.core-size=4",
      "oomguard.task.execution.queue-capacity=50",
      "oomguard.memory.limit=1TB"
    })
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GuardedApplicationIT {
  private static final PrivateRedis REDIS = startRedis();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;

  @Autowired GuardedApplication.Reports reports;

  @Autowired GuardedApplication.Work work;

  @Autowired BoundedAsyncTaskExecutor applicationTaskExecutor;

  @DynamicPropertySource
  static void redis(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.host", REDIS::host);
    registry.add("spring.data.redis.port", REDIS::port);
    registry.add("spring.data.redis.password", () -> PrivateRedis.PASSWORD);
  }

  @AfterAll
  static void stopRedis() {
    REDIS.close();
  }

  @Test
  void prometheus_5000DistinctIdsOnAHistogramTimer_stayWithinTheBudgetAndAddUp() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        String id = "order-" + i;
        statuses.add(clients.submit(() -> get("/orders/" + id).statusCode()));
      }
      for (Future<Integer> status : statuses) {
        assertThat(status.get(60, TimeUnit.SECONDS)).isEqualTo(200);
      }
    } finally {
      clients.shutdownNow();
    }

    HttpResponse<String> scrape = get("/actuator/prometheus");
    assertThat(scrape.statusCode()).isEqualTo(200);
    List<String> series =
        scrape.body().lines().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    assertThat(series.size()).as("series in the scrape").isLessThanOrEqualTo(2000);
    List<String> counts =
        series.stream().filter(line -> line.startsWith("orders_seconds_count{")).toList();
    assertThat(counts).allSatisfy(line -> assertThat(line).contains("application=\"guarded\""));
    assertThat(counts).anySatisfy(line -> assertThat(line).contains("id=\"OVERFLOW\""));
    double total =
        counts.stream()
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .sum();
    assertThat(total).isEqualTo(5_000);
    assertThat(series).anySatisfy(line -> assertThat(line).startsWith("orders_seconds_bucket{"));
  }

  @Test
  void cacheable_valuesAreGzippedInRedisAndKeepTheConfiguredTimeToLive() throws Exception {
    int computedBefore = reports.computed();
    assertThat(get("/reports/r1").body()).startsWith("report r1: ");
    assertThat(get("/reports/r1").body()).startsWith("report r1: ");
    assertThat(reports.computed())
        .as("computed once, then read from Redis")
        .isEqualTo(computedBefore + 1);

    byte[] stored = REDIS.awaitValue("reports::r1");
    assertThat(stored).startsWith(0x1f, 0x8b);
    assertThat(stored.length).isLessThan(("report r1: ").length() * 1_000 / 10);
    long ttl = REDIS.pttl("reports::r1");
    assertThat(ttl).isPositive().isLessThanOrEqualTo(600_000);
  }

  @Test
  void async_500ConcurrentCalls_runOnThePoolsThreadsOnlyAndOverflowOntoTheCallers()
      throws Exception {
    Queue<String> started = new ConcurrentLinkedQueue<>();
    CountDownLatch release = new CountDownLatch(1);
    List<CompletableFuture<CompletableFuture<String>>> calls = new ArrayList<>();
    List<Thread> callers = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      CompletableFuture<CompletableFuture<String>> call = new CompletableFuture<>();
      calls.add(call);
      Thread caller =
          new Thread(
              () -> {
                try {
                  call.complete(work.run(started, release));
                } catch (Throwable e) {
                  call.completeExceptionally(e);
                }
              },
              "caller-" + i);
      callers.add(caller);
      caller.start();
    }
    // 4 running on the pool, 50 queued, and the other 446 running on their callers (caller-runs).
    await()
        .atMost(60, TimeUnit.SECONDS)
        .until(() -> started.size() == 450 && applicationTaskExecutor.pool().queueSize() == 50);
    release.countDown();
    List<String> ranOn = new ArrayList<>();
    for (CompletableFuture<CompletableFuture<String>> call : calls) {
      ranOn.add(call.get(60, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS));
    }
    for (Thread caller : callers) {
      caller.join(TimeUnit.SECONDS.toMillis(60));
    }
    List<String> onPool = ranOn.stream().filter(name -> !name.startsWith("caller-")).toList();
    assertThat(onPool).hasSize(54).allSatisfy(name -> assertThat(name).matches("task-[1-4]"));
    assertThat(ranOn.stream().filter(name -> name.startsWith("caller-"))).hasSize(446);
    assertThat(
            IntStream.range(0, 500)
                .filter(i -> ranOn.get(i).startsWith("caller-"))
                .allMatch(i -> ranOn.get(i).equals("caller-" + i)))
        .isTrue();
  }

  @Test
  void actuator_oomguardAndHealth_showTheParts(CapturedOutput output) throws Exception {
    get("/reports/r2");
    HttpResponse<String> response = get("/actuator/oomguard");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode oomguard = JSON.readTree(response.body());
    assertThat(oomguard.path("cardinality").path("maxSeries").asLong()).isEqualTo(2000);
    assertThat(oomguard.path("memorySizing").path("verdict").asString()).isEqualTo("FITS");
    JsonNode pool = oomguard.path("executors").get(0);
    assertThat(pool.path("name").asString()).isEqualTo("task");
    assertThat(pool.path("queueCapacity").asInt()).isEqualTo(50);
    assertThat(pool.has("rejected")).isTrue();
    JsonNode codec = oomguard.path("gzipCodecs").get(0);
    assertThat(codec.path("nativeHandlesCreated").asLong()).isPositive();
    assertThat(codec.path("nativeHandlesInUse").asLong()).isZero();

    JsonNode health = JSON.readTree(get("/actuator/health").body());
    JsonNode headroom = health.path("components").path("memoryHeadroom");
    assertThat(headroom.path("status").asString()).isEqualTo("UP");
    assertThat(headroom.path("details").path("limitBytes").asLong()).isEqualTo(1L << 40);
    assertThat(headroom.path("details").path("rssBytes").asLong()).isPositive();

    assertThat(output).contains("memory sizing: fits");
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static PrivateRedis startRedis() {
    try {
      return PrivateRedis.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start redis-server", e);
    }
  }
}
