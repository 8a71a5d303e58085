package dev.oomguard.spring.boot;

import dev.oomguard.testsupport.LocalRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LocalRedis} that answers only clients with its password. The machine's other test runs
 * kill and restart their servers on ports that ours may since have taken, and their clients (their
 * FLUSHALL included) reconnect to whatever listens there; with a password they are refused instead
 * of emptying ours mid-test.
 */
public final class PrivateRedis implements AutoCloseable {
  /** Not a secret: it only keeps other test runs' clients out. */
  public static final String PASSWORD = "oomguard-starter-tests";

  private final LocalRedis server;
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;

  private PrivateRedis(LocalRedis server) {
    this.server = server;
    this.client =
        RedisClient.create(
            RedisURI.builder()
                .withHost(server.host())
                .withPort(server.port())
                .withPassword(PASSWORD.toCharArray())
                .build());
    this.connection = client.connect(ByteArrayCodec.INSTANCE);
  }

  public static PrivateRedis start() throws IOException {
    LocalRedis server = LocalRedis.start();
    try {
      server.command("CONFIG", "SET", "requirepass", PASSWORD);
      return new PrivateRedis(server);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  public String host() {
    return server.host();
  }

  public int port() {
    return server.port();
  }

  /** The properties that point Boot's Redis support at this server. */
  public String[] bootProperties() {
    return new String[] {
      "spring.data.redis.host=" + host(),
      "spring.data.redis.port=" + port(),
      "spring.data.redis.password=" + PASSWORD
    };
  }

  public RedisCommands<byte[], byte[]> commands() {
    return connection.sync();
  }

  public byte @Nullable [] get(String key) {
    return commands().get(key.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The value of {@code key} once it is there. A cache write has been seen here to become visible
   * to this connection a moment after {@code Cache.put} returned (the key was listed right after a
   * GET had missed it), so a read waits for it instead of failing at once.
   */
  public byte[] awaitValue(String key) {
    return Awaitility.await("value of " + key + " in Redis")
        .atMost(Duration.ofSeconds(10))
        .until(() -> get(key), value -> value != null);
  }

  /** Milliseconds the key has left; -1 without expiry, -2 when there is no such key. */
  public long pttl(String key) {
    return commands().pttl(key.getBytes(StandardCharsets.UTF_8));
  }

  public String keys() {
    return commands().keys("*").stream()
        .map(key -> new String(key, StandardCharsets.UTF_8))
        .toList()
        .toString();
  }

  public void flushAll() {
    commands().flushall();
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
    server.close();
  }
}
