package dev.oomguard.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} on loopback for integration tests: started on a free port, stopped
 * (or killed, to test what a crash does) and restarted on the same port. Nothing is persisted.
 *
 * <p>The binary is, in order: {@code $OOMGUARD_REDIS_SERVER}, a {@code redis-server} on the PATH
 * (CI installs the distribution's), or the Linux binary that the embedded-redis artifact ships.
 */
public final class LocalRedis implements AutoCloseable {
  private static final long READY_TIMEOUT_MILLIS = 15_000;
  private static final int SOCKET_TIMEOUT_MILLIS = 5_000;
  private static final int PORT_ATTEMPTS = 3;

  private final Path executable;
  private final Path dir;
  private final int port;

  /** Kills the server if the test JVM exits without closing it (a timeout, a crash). */
  private final Thread orphanKiller = new Thread(this::kill, "redis-server killer");

  private @Nullable Process process;

  private LocalRedis(Path executable, Path dir, int port) {
    this.executable = executable;
    this.dir = dir;
    this.port = port;
    Runtime.getRuntime().addShutdownHook(orphanKiller);
  }

  /** Starts a server on a free loopback port and waits until it answers PING. */
  public static LocalRedis start() throws IOException {
    Path executable = executable();
    IOException last = null;
    // A free port can be taken by someone else between the probe and the bind: try another.
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      try {
        return start(executable, freePort());
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  /** Starts a server on {@code port}; fails if it cannot listen there. */
  static LocalRedis start(int port) throws IOException {
    return start(executable(), port);
  }

  private static LocalRedis start(Path executable, int port) throws IOException {
    LocalRedis redis =
        new LocalRedis(executable, Files.createTempDirectory("oomguard-redis"), port);
    try {
      redis.restart();
      return redis;
    } catch (IOException e) {
      redis.close();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return InetAddress.getLoopbackAddress().getHostAddress();
  }

  /** {@code redis://host:port}, as Lettuce's {@code RedisURI.create} takes it. */
  public String uri() {
    return "redis://" + host() + ":" + port;
  }

  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Starts the server again on the same port (after {@link #stop()} or {@link #kill()}). */
  public synchronized void restart() throws IOException {
    if (isRunning()) {
      throw new IllegalStateException("redis-server on port " + port + " is already running");
    }
    Path log = dir.resolve("redis.log");
    List<String> command =
        List.of(
            executable.toString(),
            "--port",
            Integer.toString(port),
            "--bind",
            host(),
            "--dir",
            dir.toString(),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no");
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    awaitReady(log);
  }

  /** Shuts the server down the way an operator would (SIGTERM) and waits for it to exit. */
  public synchronized void stop() {
    end(false);
  }

  /** Kills the server with SIGKILL: connections drop mid-command, as in a crash. */
  public synchronized void kill() {
    end(true);
  }

  /**
   * Suspends the server's process (SIGSTOP) without closing anything: connections stay up, the
   * kernel still accepts new ones, and nothing answers, as in a hang or a network partition. {@link
   * #thaw()} resumes it; {@link #kill()} and {@link #close()} work on a frozen server.
   */
  public synchronized void freeze() throws IOException {
    signal("STOP");
  }

  /** Resumes a {@link #freeze() frozen} server: the commands sent meanwhile run now. */
  public synchronized void thaw() throws IOException {
    signal("CONT");
  }

  /**
   * Sends one command and returns the reply: a status or bulk string, an integer as its decimal
   * text, {@code null} for a nil reply, or each element of an array on its own line. An error reply
   * throws.
   */
  public @Nullable String command(String... args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host(), port), SOCKET_TIMEOUT_MILLIS);
      socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write(encode(args));
      out.flush();
      return Resp.read(new BufferedInputStream(socket.getInputStream()));
    }
  }

  /** Stops the server and deletes its working directory. */
  @Override
  public void close() {
    kill();
    Runtime.getRuntime().removeShutdownHook(orphanKiller);
    try (var files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(LocalRedis::deleteQuietly);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void signal(String signal) throws IOException {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
            .redirectErrorStream(true)
            .start();
    try {
      if (!kill.waitFor(SOCKET_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
        throw new IOException(
            "kill -"
                + signal
                + " "
                + p.pid()
                + " failed: "
                + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending SIG" + signal + " to redis-server", e);
    }
  }

  private void end(boolean forcibly) {
    Process p = process;
    if (p == null) {
      return;
    }
    if (forcibly) {
      p.destroyForcibly();
    } else {
      p.destroy();
    }
    try {
      if (!p.waitFor(READY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private void awaitReady(Path log) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MILLIS);
    while (true) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        process = null;
        throw new IOException(
            "redis-server "
                + executable
                + " exited on port "
                + port
                + ":\n"
                + Files.readString(log));
      }
      try {
        // Ours, not a server that another JVM started on the same port a moment earlier (ours then
        // fails to bind and exits, and start() tries another port).
        if (String.valueOf(command("INFO", "server")).contains("process_id:" + p.pid() + "\r\n")) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      if (System.nanoTime() > deadline) {
        end(true);
        throw new IOException(
            "redis-server on port "
                + port
                + " not ready within "
                + READY_TIMEOUT_MILLIS
                + " ms:\n"
                + Files.readString(log));
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        end(true);
        throw new IOException("interrupted while waiting for redis-server", e);
      }
    }
  }

  private static Path executable() throws IOException {
    Map<String, String> env = System.getenv();
    String configured = env.get("OOMGUARD_REDIS_SERVER");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    for (String dir : env.getOrDefault("PATH", "").split(java.io.File.pathSeparator, -1)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return ExecutableProvider.newJarResourceProvider().get().toPath();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static byte[] encode(String... args) {
    StringBuilder resp = new StringBuilder().append('*').append(args.length).append("\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      resp.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    return resp.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The few reply types of the Redis protocol (RESP2) that the tests read. */
  private static final class Resp {
    static @Nullable String read(InputStream in) throws IOException {
      int type = in.read();
      String line = line(in);
      switch (type) {
        case '+', ':' -> {
          return line;
        }
        case '-' -> throw new IOException("redis error: " + line);
        case '$' -> {
          int length = Integer.parseInt(line);
          if (length < 0) {
            return null;
          }
          byte[] bulk = in.readNBytes(length + 2);
          return new String(bulk, 0, length, StandardCharsets.UTF_8);
        }
        case '*' -> {
          int count = Integer.parseInt(line);
          if (count < 0) {
            return null;
          }
          List<String> items = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            items.add(String.valueOf(read(in)));
          }
          return String.join("\n", items);
        }
        default -> throw new IOException("unexpected reply type " + type + ": " + line);
      }
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != '\r') {
        if (b < 0) {
          throw new IOException("connection closed mid-reply");
        }
        line.write(b);
      }
      in.read(); // '\n'
      return line.toString(StandardCharsets.UTF_8);
    }
  }
}
