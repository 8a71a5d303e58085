package dev.oomguard.executors;

import dev.oomguard.executors.redis.EventCodec;
import dev.oomguard.executors.redis.RedisStreamOverflowStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;

/** A Lettuce connection to a test Redis, and stores of string events on it. */
final class SpillRedis implements AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;

  SpillRedis(String uri) {
    client = RedisClient.create(RedisURI.create(uri));
    // Fail at once while Redis is unreachable instead of queueing commands until it is back.
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    connection = client.connect(ByteArrayCodec.INSTANCE);
  }

  RedisStreamOverflowStore<String> store(String stream, String consumer) {
    return store(stream, consumer, Duration.ofSeconds(1));
  }

  RedisStreamOverflowStore<String> store(String stream, String consumer, Duration timeout) {
    return RedisStreamOverflowStore.builder(connection, stream, EventCodec.utf8())
        .consumer(consumer)
        .reclaimAfter(Duration.ofMillis(300))
        .timeout(timeout)
        .build();
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
