package dev.oomguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadsTest {
  @Test
  void json_hasExactSizeAndIsRepeatable() {
    assertThat(Payloads.json(16_384, 7)).hasSize(16_384).isEqualTo(Payloads.json(16_384, 7));
  }

  @Test
  void json_differsBySeedAndLooksLikeJson() {
    byte[] json = Payloads.json(1024, 1);

    assertThat(json).isNotEqualTo(Payloads.json(1024, 2));
    assertThat(new String(json, StandardCharsets.US_ASCII)).startsWith("[{\"id\":0,\"name\":\"");
  }
}
