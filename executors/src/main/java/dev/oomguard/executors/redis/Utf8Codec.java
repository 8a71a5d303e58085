package dev.oomguard.executors.redis;

import java.nio.charset.StandardCharsets;

/** {@link EventCodec#utf8()}. */
enum Utf8Codec implements EventCodec<String> {
  INSTANCE;

  @Override
  public byte[] encode(String event) {
    return event.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String decode(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
