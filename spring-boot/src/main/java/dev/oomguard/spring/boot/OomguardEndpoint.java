package dev.oomguard.spring.boot;

import dev.oomguard.compression.GzipCodec;
import dev.oomguard.executors.BoundedExecutorService;
import dev.oomguard.metrics.CardinalityReport;
import dev.oomguard.metrics.memory.MemorySizing;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/oomguard}: what each guard holds now. The cardinality report, the sizing verdict
 * with its numbers, each bounded pool's queue and counters, and each codec's native handles; a part
 * that is off is absent.
 */
@Endpoint(id = "oomguard")
public final class OomguardEndpoint {
  private static final List<String> POOL_COUNTERS =
      List.of(
          "executor.completed",
          "executor.rejected",
          "executor.expired",
          "executor.discarded",
          "executor.failed");

  private final ObjectProvider<CardinalityGuardBinding> cardinality;
  private final ObjectProvider<MemorySizingCheck> sizing;
  private final ObjectProvider<BoundedAsyncTaskExecutor> taskExecutors;
  private final ObjectProvider<BoundedExecutorService> pools;
  private final ObjectProvider<GzipCodec> codecs;
  private final ObjectProvider<MeterRegistry> registry;

  OomguardEndpoint(
      ObjectProvider<CardinalityGuardBinding> cardinality,
      ObjectProvider<MemorySizingCheck> sizing,
      ObjectProvider<BoundedAsyncTaskExecutor> taskExecutors,
      ObjectProvider<BoundedExecutorService> pools,
      ObjectProvider<GzipCodec> codecs,
      ObjectProvider<MeterRegistry> registry) {
    this.cardinality = cardinality;
    this.sizing = sizing;
    this.taskExecutors = taskExecutors;
    this.pools = pools;
    this.codecs = codecs;
    this.registry = registry;
  }

  @ReadOperation
  public Map<String, Object> report() {
    Map<String, Object> report = new LinkedHashMap<>();
    CardinalityGuardBinding binding = cardinality.getIfAvailable();
    if (binding != null) {
      report.put("cardinality", cardinality(binding.report()));
    }
    MemorySizingCheck check = sizing.getIfAvailable();
    if (check != null) {
      report.put("memorySizing", sizing(check.inspect()));
    }
    List<Map<String, Object>> executors = new java.util.ArrayList<>();
    taskExecutors.orderedStream().forEach(executor -> executors.add(pool(executor.pool())));
    pools.orderedStream().forEach(pool -> executors.add(pool(pool)));
    report.put("executors", executors);
    report.put("gzipCodecs", codecs.orderedStream().map(OomguardEndpoint::codec).toList());
    return report;
  }

  private static Map<String, Object> cardinality(CardinalityReport report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("seriesUsed", report.seriesUsed());
    map.put("maxSeries", report.maxSeries());
    map.put("overflowCount", report.overflowCount());
    map.put("histogramsDropped", report.histogramsDropped());
    map.put("metersExpired", report.metersExpired());
    map.put(
        "overflows",
        report.overflows().stream()
            .map(
                overflow -> {
                  Map<String, Object> entry = new LinkedHashMap<>();
                  entry.put("meterName", overflow.meterName());
                  entry.put("tagKey", overflow.tagKey());
                  entry.put("count", overflow.count());
                  return entry;
                })
            .toList());
    map.put(
        "meterNames",
        report.meterNames().stream()
            .map(
                name -> {
                  Map<String, Object> entry = new LinkedHashMap<>();
                  entry.put("name", name.name());
                  entry.put("meters", name.meters());
                  entry.put("series", name.series());
                  entry.put(
                      "tagKeys",
                      name.tagKeys().stream()
                          .map(
                              key ->
                                  Map.of(
                                      "key",
                                      key.key(),
                                      "distinctValues",
                                      key.distinctValues(),
                                      "maxValues",
                                      key.maxValues()))
                          .toList());
                  return entry;
                })
            .toList());
    return map;
  }

  private static Map<String, Object> sizing(MemorySizing.Report report) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("verdict", report.verdict().name());
    map.put("maxHeapBytes", report.maxHeapBytes());
    map.put("nonHeapBytes", report.nonHeapBytes());
    report.limitBytes().ifPresent(limit -> map.put("limitBytes", limit));
    map.put("limitSource", report.limitSource());
    map.put("headroomBytes", report.headroomBytes());
    map.put("maxHeapToFitBytes", report.maxHeapToFitBytes());
    map.put("limitToFitBytes", report.limitToFitBytes());
    map.put(
        "nonHeap",
        report.nonHeap().stream()
            .map(item -> Map.of("name", item.name(), "bytes", item.bytes(), "basis", item.basis()))
            .toList());
    map.put("advice", report.advice());
    return map;
  }

  private Map<String, Object> pool(BoundedExecutorService pool) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", pool.name());
    map.put("queueSize", pool.queueSize());
    map.put("queueCapacity", pool.queueCapacity());
    map.put("shutdown", pool.isShutdown());
    MeterRegistry meters = registry.getIfUnique();
    if (meters != null) {
      for (String counter : POOL_COUNTERS) {
        Double count = count(meters, counter, pool.name());
        if (count != null) {
          map.put(counter.substring("executor.".length()), count.longValue());
        }
      }
    }
    return map;
  }

  private static @Nullable Double count(MeterRegistry registry, String name, String pool) {
    FunctionCounter counter = registry.find(name).tag("name", pool).functionCounter();
    return counter == null ? null : counter.count();
  }

  private static Map<String, Object> codec(GzipCodec codec) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("level", codec.level());
    map.put("maxDecompressedBytes", codec.maxDecompressedBytes());
    map.put("poolSize", codec.poolSize());
    map.put("nativeHandlesInUse", codec.nativeHandlesInUse());
    map.put("nativeHandlesIdle", codec.nativeHandlesIdle());
    map.put("nativeHandlesCreated", codec.nativeHandlesCreated());
    map.put("nativeHandlesEnded", codec.nativeHandlesEnded());
    return map;
  }
}
