package io.sqlcache.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what one class logs (through {@code System.Logger}, which writes to
 * java.util.logging) instead of printing it, for tests that provoke a failure on purpose and
 * want to assert what it logs.
 *
 * <pre>{@code
 * try (LogRecorder log = LogRecorder.of(CircuitBreakerStore.class)) {
 *     ... provoke the failure ...
 *     assertThat(log.at(Level.WARNING)).hasSize(1);
 * }
 * }</pre>
 *
 * <p>While open, every level of that logger is recorded (DEBUG is {@link Level#FINE}) and
 * nothing of it reaches the console; {@link #close} restores the logger. Records from any
 * thread are kept, so a test must not share the logger with another test running at the same
 * time (the builds run test classes one after the other).
 */
public final class LogRecorder implements AutoCloseable {

    private final Logger logger; // strong reference: JUL forgets unreferenced loggers and their settings
    private final Level previousLevel;
    private final boolean previousUseParent;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogRecorder(Logger logger) {
        this.logger = logger;
        this.previousLevel = logger.getLevel();
        this.previousUseParent = logger.getUseParentHandlers();
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
        logger.setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
    }

    /** Starts recording what {@code owner} logs under its class name. */
    public static LogRecorder of(Class<?> owner) {
        return new LogRecorder(Logger.getLogger(owner.getName()));
    }

    /** Every record so far, oldest first. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The records at exactly {@code level}, oldest first. */
    public List<LogRecord> at(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
        logger.setUseParentHandlers(previousUseParent);
    }
}
