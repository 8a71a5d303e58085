package dev.oomguard.executors.redis;

/**
 * Turns events into the bytes stored in Redis and back. With Jackson, for example:
 *
 * <pre>{@code
 * EventCodec<Order> json = new EventCodec<>() {   // Jackson 3: its exceptions are unchecked
 *   public byte[] encode(Order order) { return mapper.writeValueAsBytes(order); }
 *   public Order decode(byte[] bytes) { return mapper.readValue(bytes, Order.class); }
 * };
 * }</pre>
 *
 * @param <E> the event type
 */
public interface EventCodec<E> {
  /** Strings as UTF-8: for events that are text already (JSON, say). */
  static EventCodec<String> utf8() {
    return Utf8Codec.INSTANCE;
  }

  byte[] encode(E event);

  /**
   * Throws any runtime exception when {@code bytes} cannot be read; the entry is then deleted,
   * counted and logged, never handed out. A null return (Jackson's reading of the JSON literal
   * {@code null}) is treated the same way.
   */
  E decode(byte[] bytes);
}
