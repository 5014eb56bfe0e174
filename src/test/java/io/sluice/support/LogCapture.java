package io.sluice.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Collects what one logger writes, for tests whose behaviour is an operator-facing log line. */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final String name;
    private final Logger root = (Logger) LogManager.getRootLogger();

    private LogCapture(String name) {
        super("capture-" + name, null, null, true, Property.EMPTY_ARRAY);
        this.name = name;
    }

    /** Listens on the root logger (the configured appenders keep writing as usual) for this class's lines. */
    public static LogCapture of(Class<?> type) {
        LogCapture capture = new LogCapture(type.getName());
        capture.start();
        capture.root.addAppender(capture);
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        if (name.equals(event.getLoggerName())) {
            lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public void clear() {
        lines.clear();
    }

    @Override
    public void close() {
        root.removeAppender(this);
        stop();
    }
}
