package dev.oomguard.executors.redis;

import dev.oomguard.executors.OverflowStore;
import dev.oomguard.executors.OverflowStoreException;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An {@link OverflowStore} on a Redis stream (Redis 6.2 or newer), shared by every instance that
 * names the same stream and group.
 *
 * <ul>
 *   <li><b>Spill</b> is an {@code XADD}, then an {@code XTRIM MINID} of entries older than the TTL
 *       (best effort: a spill whose trim fails still succeeds, and is logged),
 *       so the stream never holds more than a TTL's worth of spills, whatever happens to the
 *       consumers. Ages are measured on the Redis server's clock (entry ids), not this host's.
 *   <li><b>Take</b> first claims entries that another consumer took and has not acknowledged for
 *       {@code reclaimAfter} ({@code XAUTOCLAIM}: that consumer crashed, or is stuck), then reads
 *       entries not handed out yet ({@code XREADGROUP}). Delivery is at-least-once.
 *   <li><b>Acknowledge</b> is {@code XDEL} then {@code XACK}: a handled entry leaves the stream.
 *   <li>An entry that is trimmed while a crashed consumer held it is not handed out again. Redis
 *       7.0 and newer also drop it from the group's pending list; 6.2 keeps its id there.
 *   <li>An entry the codec cannot read is logged (WARNING) and deleted, not handed out.
 * </ul>
 *
 * <p>Every command is bounded by {@code timeout}; a command that fails or times out throws {@link
 * OverflowStoreException}. For a prompt failure while Redis is unreachable (rather than a wait of
 * {@code timeout}), build the Lettuce client with {@code
 * ClientOptions.builder().disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)}; Lettuce's
 * default queues commands until it reconnects, so a spill that timed out may still be written
 * later and be handed out twice. If Redis restarts without persistence, the stream and group are
 * recreated on the next use; the spills it held are lost with it.
 *
 * <p>The store does not own the connection: close it yourself after the store. Thread-safe.
 *
 * @param <E> the event type
 */
public final class RedisStreamOverflowStore<E> implements OverflowStore<E> {
  public static final String DEFAULT_GROUP = "oomguard";
  public static final Duration DEFAULT_TTL = Duration.ofHours(1);
  public static final Duration DEFAULT_RECLAIM_AFTER = Duration.ofMinutes(1);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  private static final byte[] FIELD = "event".getBytes(StandardCharsets.US_ASCII);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final System.Logger LOG = System.getLogger(RedisStreamOverflowStore.class.getName());

  private final RedisAsyncCommands<byte[], byte[]> redis;
  private final String stream;
  private final byte[] key;
  private final byte[] group;
  private final Consumer<byte[]> consumer;
  private final EventCodec<E> codec;
  private final Duration ttl;
  private final Duration reclaimAfter;
  private final Duration timeout;
  /** Where the next XAUTOCLAIM starts; "0-0" after a full pass. */
  private volatile String reclaimCursor = "0-0";

  private RedisStreamOverflowStore(Builder<E> builder) {
    this.redis = builder.connection.async();
    this.stream = builder.stream;
    this.key = builder.stream.getBytes(StandardCharsets.UTF_8);
    this.group = builder.group.getBytes(StandardCharsets.UTF_8);
    this.consumer = Consumer.from(group, builder.consumer.getBytes(StandardCharsets.UTF_8));
    this.codec = builder.codec;
    this.ttl = builder.ttl;
    this.reclaimAfter = builder.reclaimAfter;
    this.timeout = builder.timeout;
  }

  /**
   * A store on {@code stream}, over a connection with the byte-array codec ({@code
   * client.connect(ByteArrayCodec.INSTANCE)}).
   */
  public static <E> Builder<E> builder(StatefulRedisConnection<byte[], byte[]> connection, String stream, EventCodec<E> codec) {
    return new Builder<>(connection, stream, codec);
  }

  @Override
  public void spill(E event) {
    Objects.requireNonNull(event, "event");
    byte[] bytes = codec.encode(event);
    String id = await(redis.xadd(key, Map.of(FIELD, bytes)), "XADD");
    // Trim by the new entry's own id, which Redis stamped with its clock: no skew, and the entry
    // just written can never fall below the line. The event is stored by now, so a failed trim
    // must not be reported as a failed spill; the next spill trims again.
    long oldest = Math.max(0, millisOf(id) - ttl.toMillis());
    try {
      await(redis.xtrim(key, new XTrimArgs().minId(oldest + "-0").exactTrimming()), "XTRIM");
    } catch (OverflowStoreException e) {
      LOG.log(System.Logger.Level.WARNING, "Stored an event in " + stream + " but could not trim it: " + e.getMessage());
    }
  }

  @Override
  public List<Spilled<E>> take(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    try {
      return takeFromGroup(max);
    } catch (OverflowStoreException e) {
      if (!isError(e, "NOGROUP")) {
        throw e;
      }
      // First use, or Redis restarted without persistence: make the group (and stream) and retry.
      createGroup();
      return takeFromGroup(max);
    }
  }

  @Override
  public void acknowledge(Spilled<E> spilled) {
    remove(Objects.requireNonNull(spilled, "spilled").id());
  }

  @Override
  public long size() {
    try {
      return await(redis.xlen(key), "XLEN");
    } catch (OverflowStoreException e) {
      return -1;
    }
  }

  public String stream() {
    return stream;
  }

  @Override
  public String toString() {
    return "RedisStreamOverflowStore[" + stream + ", group=" + new String(group, StandardCharsets.UTF_8)
        + ", consumer=" + new String(consumer.getName(), StandardCharsets.UTF_8) + ", ttl=" + ttl + "]";
  }

  private List<Spilled<E>> takeFromGroup(int max) {
    List<StreamMessage<byte[], byte[]>> messages = new ArrayList<>(
        reclaim(max));
    if (messages.size() < max) {
      XReadArgs count = new XReadArgs().count(max - messages.size());
      messages.addAll(await(readNew(count), "XREADGROUP"));
    }
    messages.sort(Comparator.comparingLong((StreamMessage<byte[], byte[]> m) -> millisOf(m.getId())).thenComparingLong(m -> sequenceOf(m.getId())));
    List<Spilled<E>> taken = new ArrayList<>(messages.size());
    for (StreamMessage<byte[], byte[]> message : messages) {
      E event = decode(message);
      if (event != null) {
        taken.add(new Entry<>(message.getId(), event));
      }
    }
    return taken;
  }

  /**
   * XAUTOCLAIM looks at about ten times {@code max} pending entries per call; the cursor it returns
   * is kept so that idle entries behind many busy ones are reached on later calls.
   */
  private List<StreamMessage<byte[], byte[]>> reclaim(int max) {
    ClaimedMessages<byte[], byte[]> claimed = await(redis.xautoclaim(key,
        new XAutoClaimArgs<byte[]>().consumer(consumer).minIdleTime(reclaimAfter).startId(reclaimCursor).count(max)), "XAUTOCLAIM");
    reclaimCursor = claimed.getId() == null ? "0-0" : claimed.getId();
    return claimed.getMessages();
  }

  @SuppressWarnings("unchecked") // the varargs array of one StreamOffset<byte[]>
  private RedisFuture<List<StreamMessage<byte[], byte[]>>> readNew(XReadArgs count) {
    return redis.xreadgroup(consumer, count, XReadArgs.StreamOffset.lastConsumed(key));
  }

  private @Nullable E decode(StreamMessage<byte[], byte[]> message) {
    Map<byte[], byte[]> body = message.getBody();
    byte[] bytes = null;
    if (body != null) {
      for (Map.Entry<byte[], byte[]> field : body.entrySet()) {
        if (Arrays.equals(field.getKey(), FIELD)) {
          bytes = field.getValue();
        }
      }
    }
    if (bytes == null) {
      // Trimmed by the TTL while it was pending: nothing left to handle.
      deleteUnreadable(message.getId(), "it has no event (trimmed while pending)");
      return null;
    }
    try {
      return codec.decode(bytes);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "Dropping entry " + message.getId() + " of stream " + stream + ": the codec cannot read it", e);
      deleteUnreadable(message.getId(), "the codec cannot read it");
      return null;
    }
  }

  private void deleteUnreadable(String id, String why) {
    LOG.log(System.Logger.Level.DEBUG, "Removing entry {0} of stream {1}: {2}", id, stream, why);
    remove(id);
  }

  /**
   * Deletes the entry, then acks it. Delete first: if that fails the entry is still pending and is
   * handed out again; if the ack then fails, the pending id points at nothing, and XAUTOCLAIM drops
   * it (Redis 7.0+).
   */
  private void remove(String id) {
    await(redis.xdel(key, id), "XDEL");
    await(redis.xack(key, group, id), "XACK");
  }

  private void createGroup() {
    try {
      await(redis.xgroupCreate(XReadArgs.StreamOffset.from(key, "0-0"), group, new XGroupCreateArgs().mkstream(true)), "XGROUP CREATE");
    } catch (OverflowStoreException e) {
      if (!isError(e, "BUSYGROUP")) {
        throw e;
      }
      // Another instance made it first.
    }
  }

  private <T> T await(RedisFuture<T> reply, String command) {
    try {
      T value = reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (value == null) {
        throw new OverflowStoreException(command + " on stream " + stream + " returned nothing");
      }
      return value;
    } catch (TimeoutException e) {
      reply.cancel(false);
      throw new OverflowStoreException(command + " on stream " + stream + " did not complete within " + timeout, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new OverflowStoreException(command + " on stream " + stream + " failed: " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.cancel(false);
      throw new OverflowStoreException(command + " on stream " + stream + " interrupted", e);
    }
  }

  private static boolean isError(OverflowStoreException e, String code) {
    return e.getCause() instanceof RedisCommandExecutionException redisError
        && redisError.getMessage() != null
        && redisError.getMessage().startsWith(code);
  }

  private static long millisOf(String id) {
    return Long.parseLong(id, 0, id.indexOf('-'), 10);
  }

  private static long sequenceOf(String id) {
    return Long.parseLong(id, id.indexOf('-') + 1, id.length(), 10);
  }

  private record Entry<E>(String id, E event) implements Spilled<E> {}

  /** Configures a {@link RedisStreamOverflowStore}; connection, stream and codec are required. */
  public static final class Builder<E> {
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final String stream;
    private final EventCodec<E> codec;
    private String group = DEFAULT_GROUP;
    private String consumer = ManagementFactory.getRuntimeMXBean().getName() + "-" + INSTANCES.incrementAndGet();
    private Duration ttl = DEFAULT_TTL;
    private Duration reclaimAfter = DEFAULT_RECLAIM_AFTER;
    private Duration timeout = DEFAULT_TIMEOUT;

    private Builder(StatefulRedisConnection<byte[], byte[]> connection, String stream, EventCodec<E> codec) {
      this.connection = Objects.requireNonNull(connection, "connection");
      this.stream = requireText(stream, "stream");
      this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** The consumer group that instances share; default {@value #DEFAULT_GROUP}. */
    public Builder<E> group(String group) {
      this.group = requireText(group, "group");
      return this;
    }

    /** This instance's name in the group; default {@code pid@host-n}, unique per store. */
    public Builder<E> consumer(String consumer) {
      this.consumer = requireText(consumer, "consumer");
      return this;
    }

    /** Entries older than this are trimmed at the next spill, handled or not; default 1 hour. */
    public Builder<E> ttl(Duration ttl) {
      this.ttl = requirePositive(ttl, "ttl");
      return this;
    }

    /** How long a taken entry may stay unacknowledged before another consumer takes it; default 1 minute. */
    public Builder<E> reclaimAfter(Duration reclaimAfter) {
      this.reclaimAfter = requirePositive(reclaimAfter, "reclaimAfter");
      return this;
    }

    /** The most any one Redis command may take; default 2 seconds. */
    public Builder<E> timeout(Duration timeout) {
      this.timeout = requirePositive(timeout, "timeout");
      return this;
    }

    public RedisStreamOverflowStore<E> build() {
      return new RedisStreamOverflowStore<>(this);
    }

    private static String requireText(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }

    private static Duration requirePositive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
