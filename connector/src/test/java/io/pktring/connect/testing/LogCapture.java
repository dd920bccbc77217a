package io.pktring.connect.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Collects what one logger, or a package's loggers, write (through log4j2, the tests' logging backend). */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final String loggerName;

    private LogCapture(String loggerName) {
        super("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY);
        this.loggerName = loggerName;
    }

    public static LogCapture of(Class<?> logger) {
        return of(logger.getName());
    }

    /** A logger by name: a class's, or a package's for all its classes. */
    public static LogCapture of(String name) {
        LogCapture c = new LogCapture(name);
        c.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        LoggerConfig lc = cfg.getLoggerConfig(name);
        if (!lc.getName().equals(name)) {
            lc = new LoggerConfig(name, null, true);
            cfg.addLogger(name, lc);
        }
        lc.addAppender(c, null, null);
        ctx.updateLoggers();
        return c;
    }

    @Override
    public void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
    }

    public List<String> lines() {
        return lines;
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getLoggerConfig(loggerName).removeAppender(getName());
        ctx.updateLoggers();
        stop();
    }
}
