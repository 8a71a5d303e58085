package dev.oomguard.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LocalRedisTest {

  @Test
  void start_servesCommandsOnLoopback() throws IOException {
    try (LocalRedis redis = LocalRedis.start()) {
      assertThat(redis.command("SET", "k", "v ✓")).isEqualTo("OK");
      assertThat(redis.command("GET", "k")).isEqualTo("v ✓");
      assertThat(redis.command("STRLEN", "k")).isEqualTo("5");
      assertThat(redis.command("GET", "missing")).isNull();
      assertThat(redis.command("RPUSH", "l", "a", "b")).isEqualTo("2");
      assertThat(redis.command("LRANGE", "l", "0", "-1")).isEqualTo("a\nb");
      assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
    }
  }

  @Test
  void command_errorReply_throwsWithRedisMessage() throws IOException {
    try (LocalRedis redis = LocalRedis.start()) {
      assertThatThrownBy(() -> redis.command("NOSUCHCOMMAND"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("unknown command");
    }
  }

  @Test
  void start_twice_givesTwoIndependentServers() throws IOException {
    try (LocalRedis a = LocalRedis.start();
        LocalRedis b = LocalRedis.start()) {
      a.command("SET", "k", "a");
      assertThat(a.port()).isNotEqualTo(b.port());
      assertThat(b.command("GET", "k")).isNull();
    }
  }

  @Test
  void kill_dropsTheServerAndRestart_bringsItBackEmptyOnTheSamePort() throws IOException {
    try (LocalRedis redis = LocalRedis.start()) {
      redis.command("SET", "k", "v");

      redis.kill();
      assertThat(redis.isRunning()).isFalse();
      assertThatThrownBy(() -> connect(redis)).isInstanceOf(ConnectException.class);

      redis.restart();
      assertThat(redis.command("PING")).isEqualTo("PONG");
      assertThat(redis.command("GET", "k")).as("nothing is persisted").isNull();
    }
  }

  @Test
  void stop_endsTheProcessAndFreesThePort() throws IOException {
    LocalRedis redis = LocalRedis.start();
    redis.stop();
    try {
      assertThat(redis.isRunning()).isFalse();
      assertThatThrownBy(() -> connect(redis)).isInstanceOf(ConnectException.class);
    } finally {
      redis.close();
    }
  }

  @Test
  void start_onAPortAnotherServerHolds_failsInsteadOfTalkingToThatServer() throws IOException {
    try (LocalRedis first = LocalRedis.start()) {
      assertThatThrownBy(() -> LocalRedis.start(first.port()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("exited on port " + first.port());
      assertThat(first.command("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void restart_whileRunning_isRefused() throws IOException {
    try (LocalRedis redis = LocalRedis.start()) {
      assertThatThrownBy(redis::restart)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already running");
    }
  }

  @Test
  void freeze_leavesConnectionsUpWithNoAnswer_andThawAnswersWhatWasSent() throws IOException {
    try (LocalRedis redis = LocalRedis.start();
        Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(redis.host(), redis.port()), 1_000);
      socket.setSoTimeout(300);
      redis.freeze();
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThatThrownBy(() -> socket.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      assertThat(redis.isRunning()).isTrue();

      redis.thaw();
      socket.setSoTimeout(5_000);
      assertThat(new String(socket.getInputStream().readNBytes(7), StandardCharsets.US_ASCII))
          .isEqualTo("+PONG\r\n");
    }
  }

  @Test
  void close_ofAFrozenServer_killsIt() throws IOException {
    LocalRedis redis = LocalRedis.start();
    redis.freeze();
    redis.close();
    assertThat(redis.isRunning()).isFalse();
    assertThatThrownBy(redis::thaw)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not running");
  }

  private static void connect(LocalRedis redis) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(redis.host(), redis.port()), 1_000);
    }
  }
}
