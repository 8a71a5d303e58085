package dev.oomguard.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records logged to one logger while it is open, through the JDK's logging (where {@code
 * System.getLogger} goes when no other backend is installed): for tests that count log lines.
 */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private CapturedLog(String name) {
    this.logger = Logger.getLogger(name);
    this.previousLevel = logger.getLevel();
    logger.setLevel(Level.ALL);
    handler.setLevel(Level.ALL);
    logger.addHandler(handler);
  }

  /** Captures what the logger named {@code name} (a class name, usually) logs from now on. */
  public static CapturedLog of(String name) {
    return new CapturedLog(name);
  }

  /** The messages logged at {@code level} exactly, with their parameters filled in, in order. */
  public List<String> messages(Level level) {
    return records.stream()
        .filter(record -> record.getLevel().equals(level))
        .map(CapturedLog::format)
        .toList();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(previousLevel);
  }

  private static String format(LogRecord record) {
    Object[] parameters = record.getParameters();
    return parameters == null || parameters.length == 0
        ? record.getMessage()
        : java.text.MessageFormat.format(record.getMessage(), parameters);
  }
}
