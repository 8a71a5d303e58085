package dev.oomguard.executors.redis;

import dev.oomguard.executors.OverflowStore;
import dev.oomguard.executors.OverflowStoreException;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * An {@link OverflowStore} on a Redis stream (Redis 6.2 or newer), shared by every instance that
 * names the same stream and group.
 *
 * <ul>
 *   <li><b>Spill</b> is one {@code XADD}, at most one round trip. Spills from many threads are
 *       batched: while two batches wait for Redis's answer, new spills queue, and go out together
 *       as one write when an answer comes; so a flood spills at Redis's pace, not at one round trip
 *       per event. A spill still queued when its deadline passes was never sent, and is refused as
 *       certainly not stored; while the batches in flight are older than {@code timeout} (Redis
 *       hangs), new spills are refused at once, without waiting. So a hung Redis holds at most two
 *       batches whose outcome is unknown, and never piles up commands; spilling resumes when Redis
 *       answers them or the connection drops (turn on TCP keep-alive for a network that drops
 *       packets silently).
 *   <li><b>TTL</b>: at most every {@code min(ttl / 4, 1 s)}, sent along with a spill or a take
 *       without waiting for it, a script trims the entries older than the TTL by the Redis server's
 *       own {@code TIME} ({@code XTRIM MINID}, exact). Never by this host's clock, nor by the
 *       newest entry's id: an entry with an id in the future (written by hand, or after Redis's
 *       clock jumped) cannot make the trim remove younger entries. What the TTL removes was never
 *       handled: it is counted ({@link #trimmed()}) and logged at WARNING at most once per {@code
 *       logInterval}. The stream holds at most a TTL and one trim interval of spills.
 *   <li><b>Take</b> reads entries not handed out yet ({@code XREADGROUP}); at most every {@code
 *       reclaimAfter / 4} it first claims entries that another consumer took and has not
 *       acknowledged for {@code reclaimAfter} ({@code XAUTOCLAIM}: that consumer crashed, or is
 *       stuck); never its own entries that are still queued or running here. Delivery is
 *       at-least-once.
 *   <li><b>Acknowledge</b> of a batch is one {@code XDEL} and one {@code XACK} of all its ids,
 *       pipelined: one round trip, one deadline.
 *   <li>An entry that cannot be read back (no {@code event} field, a codec that throws or returns
 *       null) is deleted, counted ({@link #unreadable()}) and logged at WARNING at most once per
 *       kind per {@code logInterval}; it is never handed out. An entry whose content is gone
 *       (trimmed or deleted while a crashed consumer held it) is dropped from the pending list.
 *   <li>A consumer group that vanished after this store had seen it means Redis lost the stream
 *       (restarted without persistence, flushed, the key deleted): the spills it held are gone. The
 *       group is made again, the loss is counted ({@link #wiped()}) and logged at WARNING; noticed
 *       at the next take or {@link #size()}, which a processor calls every replay interval. A new
 *       store cannot tell a wiped stream from a stream never used.
 * </ul>
 *
 * <p>Every call is bounded by {@code timeout}, one deadline for all the commands it sends; a call
 * that fails or times out throws {@link OverflowStoreException}. A spill that timed out or lost its
 * connection after being sent {@link OverflowStoreException#mayHaveStored() may have been stored};
 * one refused by Redis (an error reply) or never sent (the connection is down) was not. For a
 * prompt failure while Redis is unreachable, build the Lettuce client with {@code
 * ClientOptions.builder().disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)}; Lettuce's
 * default queues commands until it reconnects.
 *
 * <p><b>Redis Cluster</b>: give the builder a cluster connection. A stream is one key, so it lives
 * on one node (its hash slot) and all its commands go there, the trim script included; a stream's
 * spill rate is bounded by that node. To spread a hot flood over the cluster, give the processors
 * several stores on streams in different slots; the store does not shard one stream over several
 * keys (its order, trim and backlog are those of one stream). The Redis user needs {@code XADD
 * XREADGROUP XAUTOCLAIM XACK XDEL XLEN XGROUP XTRIM EVAL TIME} on the key.
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
  public static final Duration DEFAULT_LOG_INTERVAL = Duration.ofMinutes(1);

  private static final byte[] FIELD = "event".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_BATCHES_IN_FLIGHT = 2;
  private static final int MAX_BATCH = 512;
  private static final long MAX_TRIM_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Trims by the server's clock: TIME inside the script, so no host or entry id can skew it. */
  private static final String TRIM_BY_SERVER_TIME =
      """
      local now = redis.call('TIME')
      local oldest = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[1])
      if oldest <= 0 then return 0 end
      return redis.call('XTRIM', KEYS[1], 'MINID', oldest)
      """;

  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final System.Logger LOG =
      System.getLogger(RedisStreamOverflowStore.class.getName());

  private final StatefulConnection<byte[], byte[]> connection;
  private final RedisClusterAsyncCommands<byte[], byte[]> redis;
  private final String stream;
  private final byte[] key;
  private final byte[][] keys;
  private final byte[] group;
  private final Consumer<byte[]> consumer;
  private final EventCodec<E> codec;
  private final Duration ttl;
  private final byte[] ttlMillis;
  private final long trimEveryNanos;
  private final Duration reclaimAfter;
  private final long reclaimEveryNanos;
  private final Duration timeout;

  /** Spills not sent yet: see {@link #xadd}. */
  private final ConcurrentLinkedQueue<AsyncCommand<byte[], byte[], String>> outbox =
      new ConcurrentLinkedQueue<>();

  private final AtomicInteger batchesInFlight = new AtomicInteger();

  /** When each batch in flight was sent, oldest first. */
  private final ConcurrentLinkedDeque<Long> sentAt = new ConcurrentLinkedDeque<>();

  private final AtomicLong nextTrimAt = new AtomicLong(System.nanoTime());
  private final LongAdder trimmed = new LongAdder();
  private final LongAdder unreadable = new LongAdder();
  private final LongAdder wiped = new LongAdder();
  private final IntervalLog trimLog;
  private final IntervalLog noField;
  private final IntervalLog codecFailed;
  private final IntervalLog codecNull;
  private final IntervalLog trimFailed;

  /**
   * Where the next XAUTOCLAIM starts; "0-0" after a full pass. Take's alone (one replay thread).
   */
  private volatile String reclaimCursor = "0-0";

  private volatile long nextReclaimAt = System.nanoTime();

  /**
   * Ids handed out by {@link #take} and not acknowledged or released yet: still queued or running
   * here, so a reclaim of idle entries must not hand them out a second time to this very consumer.
   */
  private final Set<String> handedOut = ConcurrentHashMap.newKeySet();

  /** This store has read from the group: if the group vanishes later, Redis lost the stream. */
  private volatile boolean groupSeen;

  private RedisStreamOverflowStore(Builder<E> builder) {
    this.connection = builder.connection;
    this.redis = builder.commands;
    this.stream = builder.stream;
    this.key = builder.stream.getBytes(StandardCharsets.UTF_8);
    this.keys = new byte[][] {key};
    this.group = builder.group.getBytes(StandardCharsets.UTF_8);
    this.consumer = Consumer.from(group, builder.consumer.getBytes(StandardCharsets.UTF_8));
    this.codec = builder.codec;
    this.ttl = builder.ttl;
    this.ttlMillis = Long.toString(Math.max(1, ttl.toMillis())).getBytes(StandardCharsets.US_ASCII);
    this.trimEveryNanos = Math.min(MAX_TRIM_EVERY_NANOS, Math.max(1, ttl.toNanos() / 4));
    this.reclaimAfter = builder.reclaimAfter;
    this.reclaimEveryNanos = Math.max(1, reclaimAfter.toNanos() / 4);
    this.timeout = builder.timeout;
    Duration every = builder.logInterval;
    this.trimLog =
        new IntervalLog(
            LOG,
            Level.WARNING,
            "The TTL (" + ttl + ") of stream " + stream + " removed spilled events never handled",
            every);
    this.noField =
        new IntervalLog(
            LOG,
            Level.WARNING,
            "Dropped entries of stream " + stream + " that have no 'event' field",
            every);
    this.codecFailed =
        new IntervalLog(
            LOG,
            Level.WARNING,
            "Dropped entries of stream " + stream + " that the codec cannot read",
            every);
    this.codecNull =
        new IntervalLog(
            LOG,
            Level.WARNING,
            "Dropped entries of stream " + stream + " that the codec read as null",
            every);
    this.trimFailed =
        new IntervalLog(
            LOG,
            Level.WARNING,
            "Could not trim stream " + stream + " by its TTL; it is retried",
            every);
  }

  /**
   * A store on {@code stream}, over a connection with the byte-array codec ({@code
   * client.connect(ByteArrayCodec.INSTANCE)}).
   */
  public static <E> Builder<E> builder(
      StatefulRedisConnection<byte[], byte[]> connection, String stream, EventCodec<E> codec) {
    Objects.requireNonNull(connection, "connection");
    return new Builder<>(connection, connection.async(), stream, codec);
  }

  /**
   * A store on {@code stream} in a Redis Cluster: its commands go to the node of the stream's slot.
   */
  public static <E> Builder<E> builder(
      StatefulRedisClusterConnection<byte[], byte[]> connection,
      String stream,
      EventCodec<E> codec) {
    Objects.requireNonNull(connection, "connection");
    return new Builder<>(connection, connection.async(), stream, codec);
  }

  @Override
  public void spill(E event) {
    Objects.requireNonNull(event, "event");
    byte[] bytes = codec.encode(event);
    Objects.requireNonNull(bytes, "the codec encoded an event as null");
    if (!connection.isOpen()) {
      throw new OverflowStoreException(
          "XADD on stream " + stream + " not sent: not connected to Redis");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    AsyncCommand<byte[], byte[], String> added = xadd(bytes);
    trimIfDue();
    try {
      added.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (outbox.remove(added)) {
        // Never sent: the batches before it were still unanswered. Certainly not stored.
        throw new OverflowStoreException(
            "XADD on stream "
                + stream
                + " not sent within "
                + timeout
                + ": Redis has not answered the spills before it",
            e,
            false);
      }
      // Sent, and not cancelled: its batch holds its place in flight until Redis answers or the
      // connection drops, so a hung Redis gets no more than two batches.
      throw new OverflowStoreException(
          "XADD on stream "
              + stream
              + " did not complete within "
              + timeout
              + "; it may still be applied",
          e,
          true);
    } catch (ExecutionException e) {
      await(added, "XADD", deadline, true); // the failure, classified
    }
  }

  /**
   * Queues an XADD and sends what is queued, as one write, unless {@value #MAX_BATCHES_IN_FLIGHT}
   * batches are unanswered already; each answer sends the next batch. At a trickle every spill goes
   * out at once; under a flood, the spills of many threads share a write and a round trip.
   */
  private AsyncCommand<byte[], byte[], String> xadd(byte[] event) {
    Long oldestSent = sentAt.peekFirst();
    if (batchesInFlight.get() >= MAX_BATCHES_IN_FLIGHT
        && oldestSent != null
        && System.nanoTime() - oldestSent > timeout.toNanos()) {
      throw new OverflowStoreException(
          "XADD on stream "
              + stream
              + " not sent: Redis has not answered the spills sent "
              + Duration.ofNanos(System.nanoTime() - oldestSent).toMillis()
              + " ms ago");
    }
    CommandArgs<byte[], byte[]> args =
        new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(key).add("*").add(FIELD).add(event);
    AsyncCommand<byte[], byte[], String> command =
        new AsyncCommand<>(
            new Command<>(CommandType.XADD, new StatusOutput<>(ByteArrayCodec.INSTANCE), args));
    outbox.add(command);
    sendQueued();
    return command;
  }

  private void sendQueued() {
    while (!outbox.isEmpty()) {
      int inFlight = batchesInFlight.get();
      if (inFlight >= MAX_BATCHES_IN_FLIGHT
          || !batchesInFlight.compareAndSet(inFlight, inFlight + 1)) {
        if (inFlight >= MAX_BATCHES_IN_FLIGHT) {
          return; // the answer to a batch in flight sends these
        }
        continue;
      }
      List<RedisCommand<byte[], byte[], ?>> batch = new ArrayList<>();
      for (AsyncCommand<byte[], byte[], String> next;
          batch.size() < MAX_BATCH && (next = outbox.poll()) != null; ) {
        batch.add(next);
      }
      if (batch.isEmpty()) {
        batchesInFlight.decrementAndGet();
        continue;
      }
      AsyncCommand<?, ?, ?> last = (AsyncCommand<?, ?, ?>) batch.get(batch.size() - 1);
      sentAt.addLast(System.nanoTime());
      // Only the bookkeeping hangs on the last command: each spill reads its own command's outcome.
      CompletionStage<?> unused =
          last.whenComplete(
              (reply, failure) -> {
                sentAt.pollFirst(); // answers come in the order sent: this was the oldest
                batchesInFlight.decrementAndGet();
                sendQueued();
              });
      try {
        connection.dispatch(batch);
      } catch (RuntimeException e) {
        for (RedisCommand<byte[], byte[], ?> command : batch) {
          command.completeExceptionally(e);
        }
      }
    }
  }

  @Override
  public List<Spilled<E>> take(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    trimIfDue();
    flushLogs();
    try {
      return takeFromGroup(max, deadline);
    } catch (OverflowStoreException e) {
      if (!isError(e, "NOGROUP")) {
        throw e;
      }
      createGroup(deadline);
      return takeFromGroup(max, deadline);
    }
  }

  @Override
  public void acknowledge(Spilled<E> spilled) {
    acknowledge(List.of(Objects.requireNonNull(spilled, "spilled")));
  }

  @Override
  public void acknowledge(List<? extends Spilled<E>> batch) {
    if (batch.isEmpty()) {
      return;
    }
    String[] ids = new String[batch.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = batch.get(i).id();
    }
    remove(ids, System.nanoTime() + timeout.toNanos());
    for (String id : ids) {
      handedOut.remove(id);
    }
  }

  @Override
  public void release(List<? extends Spilled<E>> notHandled) {
    for (Spilled<E> spilled : notHandled) {
      handedOut.remove(spilled.id());
    }
  }

  /**
   * {@code XLEN}; once the group has been seen, pipelined with an {@code XPENDING} that notices a
   * wipe even while this instance takes nothing (its queue is full).
   */
  @Override
  public long size() {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      RedisFuture<Long> length = redis.xlen(key);
      if (groupSeen) {
        RedisFuture<?> pending = redis.xpending(key, group);
        try {
          await(pending, "XPENDING", deadline, false);
        } catch (OverflowStoreException e) {
          if (isError(e, "NOGROUP")) {
            createGroup(deadline);
          }
        }
      }
      return await(length, "XLEN", deadline, false);
    } catch (OverflowStoreException e) {
      return -1;
    }
  }

  @Override
  public long trimmed() {
    return trimmed.sum();
  }

  @Override
  public long unreadable() {
    return unreadable.sum();
  }

  @Override
  public long wiped() {
    return wiped.sum();
  }

  public String stream() {
    return stream;
  }

  @Override
  public String toString() {
    return "RedisStreamOverflowStore["
        + stream
        + ", group="
        + new String(group, StandardCharsets.UTF_8)
        + ", consumer="
        + new String(consumer.getName(), StandardCharsets.UTF_8)
        + ", ttl="
        + ttl
        + "]";
  }

  /**
   * Sends the TTL trim if its interval has passed, without waiting: the caller's deadline is its
   * own command's. The reply is counted when it comes.
   */
  private void trimIfDue() {
    long now = System.nanoTime();
    long due = nextTrimAt.get();
    if (now - due < 0
        || !nextTrimAt.compareAndSet(due, now + trimEveryNanos)
        || !connection.isOpen()) {
      return;
    }
    RedisFuture<Long> trim =
        redis.eval(TRIM_BY_SERVER_TIME, ScriptOutputType.INTEGER, keys, ttlMillis);
    trim.whenComplete(
        (removed, failure) -> {
          if (failure != null) {
            trimFailed.add(1, String.valueOf(failure.getMessage()));
          } else if (removed != null && removed > 0) {
            trimmed.add(removed);
            trimLog.add(removed, removed + " removed by one trim");
          }
        });
  }

  private void flushLogs() {
    trimLog.flush();
    noField.flush();
    codecFailed.flush();
    codecNull.flush();
    trimFailed.flush();
  }

  private List<Spilled<E>> takeFromGroup(int max, long deadline) {
    List<StreamMessage<byte[], byte[]>> messages = new ArrayList<>();
    if (!"0-0".equals(reclaimCursor) || System.nanoTime() - nextReclaimAt >= 0) {
      for (StreamMessage<byte[], byte[]> message : reclaim(max, deadline)) {
        if (!handedOut.contains(message.getId())) { // ours, still queued or running here
          messages.add(message);
        }
      }
    }
    if (messages.size() < max) {
      XReadArgs count = new XReadArgs().count(max - messages.size());
      messages.addAll(await(readNew(count), "XREADGROUP", deadline, false));
    }
    groupSeen = true;
    if (messages.size() > 1) {
      messages.sort(
          Comparator.comparingLong((StreamMessage<byte[], byte[]> m) -> millisOf(m.getId()))
              .thenComparingLong(m -> sequenceOf(m.getId())));
    }
    List<Spilled<E>> taken = new ArrayList<>(messages.size());
    List<String> dropped = new ArrayList<>();
    for (StreamMessage<byte[], byte[]> message : messages) {
      E event = decode(message);
      if (event != null) {
        taken.add(new Entry<>(message.getId(), event));
        handedOut.add(message.getId());
      } else {
        dropped.add(message.getId());
      }
    }
    if (!dropped.isEmpty()) {
      try {
        remove(dropped.toArray(String[]::new), deadline);
      } catch (OverflowStoreException e) {
        // Still pending: reclaimed after reclaimAfter, read again and dropped then. The events
        // taken with them are handed out now all the same.
        LOG.log(
            Level.DEBUG,
            "Could not remove unreadable entries of stream " + stream + " yet: " + e.getMessage());
      }
    }
    return taken;
  }

  /**
   * XAUTOCLAIM looks at about ten times {@code max} pending entries per call; the cursor it returns
   * is kept so that idle entries behind many busy ones are reached on later calls. A full pass
   * waits {@code reclaimAfter / 4} before the next.
   */
  private List<StreamMessage<byte[], byte[]>> reclaim(int max, long deadline) {
    ClaimedMessages<byte[], byte[]> claimed =
        await(
            redis.xautoclaim(
                key,
                new XAutoClaimArgs<byte[]>()
                    .consumer(consumer)
                    .minIdleTime(reclaimAfter)
                    .startId(reclaimCursor)
                    .count(max)),
            "XAUTOCLAIM",
            deadline,
            false);
    String next = claimed.getId() == null ? "0-0" : claimed.getId();
    if ("0-0".equals(next)) {
      nextReclaimAt = System.nanoTime() + reclaimEveryNanos;
    }
    reclaimCursor = next;
    return claimed.getMessages();
  }

  @SuppressWarnings("unchecked") // the varargs array of one StreamOffset<byte[]>
  private RedisFuture<List<StreamMessage<byte[], byte[]>>> readNew(XReadArgs count) {
    return redis.xreadgroup(consumer, count, XReadArgs.StreamOffset.lastConsumed(key));
  }

  /** The event, or null for an entry to remove: counted and logged if it was unreadable. */
  private @Nullable E decode(StreamMessage<byte[], byte[]> message) {
    Map<byte[], byte[]> body = message.getBody();
    if (body == null || body.isEmpty()) {
      // Its content is gone (trimmed or deleted while a consumer held it): already counted there.
      LOG.log(
          Level.DEBUG,
          "Removing entry {0} of stream {1} from the pending list: its content is gone",
          message.getId(),
          stream);
      return null;
    }
    byte[] bytes = null;
    for (Map.Entry<byte[], byte[]> field : body.entrySet()) {
      if (Arrays.equals(field.getKey(), FIELD)) {
        bytes = field.getValue();
      }
    }
    if (bytes == null) {
      unreadable.increment();
      noField.add(1, "entry " + message.getId());
      return null;
    }
    E event;
    try {
      event = codec.decode(bytes);
    } catch (RuntimeException e) {
      unreadable.increment();
      codecFailed.add(1, "entry " + message.getId() + ": " + e);
      return null;
    }
    if (event == null) {
      unreadable.increment();
      codecNull.add(1, "entry " + message.getId());
    }
    return event;
  }

  /**
   * Deletes the entries, then acks them, pipelined. Delete first: if that fails the entries are
   * still pending and are handed out again; if only the ack fails, the pending ids point at
   * nothing, and a later reclaim drops them.
   */
  private void remove(String[] ids, long deadline) {
    RedisFuture<Long> deleted = redis.xdel(key, ids);
    RedisFuture<Long> acked = redis.xack(key, group, ids);
    await(deleted, "XDEL", deadline, false);
    await(acked, "XACK", deadline, false);
  }

  private void createGroup(long deadline) {
    if (groupSeen) {
      wiped.increment();
      LOG.log(
          Level.WARNING,
          "Consumer group "
              + new String(group, StandardCharsets.UTF_8)
              + " of stream "
              + stream
              + " vanished: Redis restarted without persistence, was flushed, or the key was deleted. The events spilled"
              + " before are lost; the group is made again");
    }
    try {
      await(
          redis.xgroupCreate(
              XReadArgs.StreamOffset.from(key, "0-0"),
              group,
              new XGroupCreateArgs().mkstream(true)),
          "XGROUP CREATE",
          deadline,
          false);
    } catch (OverflowStoreException e) {
      if (!isError(e, "BUSYGROUP")) {
        throw e;
      }
      // Another instance made it first.
    }
  }

  /**
   * The reply by {@code deadline}. {@code write} marks a command whose effect matters when its
   * outcome is unknown: a timeout or a lost connection then {@link
   * OverflowStoreException#mayHaveStored may have stored}.
   */
  private <T> T await(Future<T> reply, String command, long deadline, boolean write) {
    try {
      T value = reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (value == null) {
        throw new OverflowStoreException(command + " on stream " + stream + " returned nothing");
      }
      return value;
    } catch (TimeoutException e) {
      reply.cancel(false);
      throw new OverflowStoreException(
          command
              + " on stream "
              + stream
              + " did not complete within "
              + timeout
              + (write ? "; it may still be applied" : ""),
          e,
          write);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      // An error reply means Redis refused the command; anything else (the connection dropped)
      // leaves a sent write's outcome unknown, unless Lettuce refused to send it at all.
      boolean unknown =
          write && !(cause instanceof RedisCommandExecutionException) && !isNotSent(cause);
      throw new OverflowStoreException(
          command
              + " on stream "
              + stream
              + " failed: "
              + cause.getMessage()
              + (unknown ? "; it may still be applied" : ""),
          cause,
          unknown);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.cancel(false);
      throw new OverflowStoreException(
          command
              + " on stream "
              + stream
              + " interrupted"
              + (write ? "; it may still be applied" : ""),
          e,
          write);
    }
  }

  /** Lettuce's refusal to send while disconnected (DisconnectedBehavior.REJECT_COMMANDS). */
  private static boolean isNotSent(Throwable cause) {
    String message = cause.getMessage();
    return message != null && message.contains("not connected");
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
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final String stream;
    private final EventCodec<E> codec;
    private String group = DEFAULT_GROUP;
    private String consumer =
        ManagementFactory.getRuntimeMXBean().getName() + "-" + INSTANCES.incrementAndGet();
    private Duration ttl = DEFAULT_TTL;
    private Duration reclaimAfter = DEFAULT_RECLAIM_AFTER;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration logInterval = DEFAULT_LOG_INTERVAL;

    private Builder(
        StatefulConnection<byte[], byte[]> connection,
        RedisClusterAsyncCommands<byte[], byte[]> commands,
        String stream,
        EventCodec<E> codec) {
      this.connection = connection;
      this.commands = commands;
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

    /**
     * Entries older than this by Redis's clock are removed, handled or not, within a quarter of it
     * (at most a second) while the store is in use; default 1 hour.
     */
    public Builder<E> ttl(Duration ttl) {
      this.ttl = requirePositive(ttl, "ttl");
      return this;
    }

    /**
     * How long a taken entry may stay unacknowledged before another consumer takes it; default 1
     * minute.
     */
    public Builder<E> reclaimAfter(Duration reclaimAfter) {
      this.reclaimAfter = requirePositive(reclaimAfter, "reclaimAfter");
      return this;
    }

    /**
     * The most any one call (spill, take, acknowledge) may take, all its commands together; default
     * 2 seconds.
     */
    public Builder<E> timeout(Duration timeout) {
      this.timeout = requirePositive(timeout, "timeout");
      return this;
    }

    /**
     * The least time between two log lines about one kind of loss (TTL, unreadable entries);
     * default 1 minute.
     */
    public Builder<E> logInterval(Duration logInterval) {
      this.logInterval = requirePositive(logInterval, "logInterval");
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
