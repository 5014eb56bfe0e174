package io.sluice.dispatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A second, independent record of "handed to delivery", for the embedded H2 file database: one line per delivery
 * record written ({@code +key}) or removed ({@code -key}), appended to a plain file before the message goes out.
 *
 * <p>Why: after {@code kill -9} mid-send, H2 (2.5.252, with every commit written to its file) came back without some
 * delivery records it had committed, and once with a row lock no session held. Their recipients looked unsent and went
 * out a second time (48 addresses in 20 kills on a loaded machine). The journal does not depend on H2 recovering its
 * last moments: at the next start, {@link DeliveryRecords#restoreFromJournal} puts back every record the journal has
 * and the database lost, and marks its recipient UNKNOWN unless it already has an outcome, so it is settled, never
 * resent on its own.
 *
 * <p>A write is one {@code write(2)} into the operating system's cache: it survives a killed process, like H2's own
 * commits, not a power cut. Segments of {@value #SEGMENT_ENTRIES} entries; the current and the previous one are kept
 * (a crash loses the last moments, never minutes), so a start reads at most twice that many keys.
 */
public final class SendJournal implements AutoCloseable {

    static final int SEGMENT_ENTRIES = 10_000;
    private static final String PREFIX = "send-";
    private static final String SUFFIX = ".log";

    private final Path dir;
    private final List<Path> previousRun;
    private FileChannel current;
    private Path currentPath;
    private Path previousSegment;
    private int entries;
    private long sequence;

    /** Opens the journal folder (created if missing); what earlier runs left stays readable until {@link #forgetPreviousRun}. */
    public SendJournal(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                previousRun = files.filter(SendJournal::isSegment).sorted().toList();
            }
            for (Path p : previousRun) {
                sequence = Math.max(sequence, sequenceOf(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the send journal in " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * The keys earlier runs handed to delivery and did not take back, in the order written: a key whose last line is
     * {@code +key}. A torn last line (the process died inside the write) is ignored: its send had not begun.
     */
    public Set<String> handedOverInPreviousRun() {
        Set<String> keys = new LinkedHashSet<>();
        for (Path segment : previousRun) {
            String text;
            try {
                text = Files.readString(segment, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the send journal " + segment, e);
            }
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                continue;
            }
            for (String line : text.substring(0, end).split("\n")) {
                if (line.length() < 2) {
                    continue;
                }
                String key = line.substring(1);
                if (line.charAt(0) == '+') {
                    keys.remove(key);
                    keys.add(key);
                } else if (line.charAt(0) == '-') {
                    keys.remove(key);
                }
            }
        }
        return keys;
    }

    /** Once what earlier runs left is accounted for in the database: their segments go. */
    public void forgetPreviousRun() {
        for (Path p : previousRun) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete the send journal " + p, e);
            }
        }
    }

    /** The delivery record of {@code key} is committed and its message is about to go out. */
    public void handedOver(String key) {
        append('+', key);
    }

    /** The delivery record of {@code key} was removed: the message never left (a transient failure, a release). */
    public void withdrawn(String key) {
        append('-', key);
    }

    private synchronized void append(char op, String key) {
        try {
            if (current == null || entries >= SEGMENT_ENTRIES) {
                rotate();
            }
            byte[] line = (op + key + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                current.write(buffer);
            }
            entries++;
        } catch (IOException e) {
            // Not written: the send must not go on as if it had been (the caller's record is rolled back by the error).
            throw new UncheckedIOException("Cannot write the send journal " + currentPath, e);
        }
    }

    private void rotate() throws IOException {
        if (current != null) {
            current.close();
            if (previousSegment != null && !previousRun.contains(previousSegment)) {
                Files.deleteIfExists(previousSegment);
            }
            previousSegment = currentPath;
        }
        currentPath = dir.resolve(String.format("%s%012d%s", PREFIX, ++sequence, SUFFIX));
        current = FileChannel.open(currentPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        entries = 0;
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // closing after the last write: nothing more to keep
            }
            current = null;
        }
    }

    private static boolean isSegment(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
    }

    private static long sequenceOf(Path p) {
        String name = p.getFileName().toString();
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Every segment file now in the folder, oldest first (for tests and operators). */
    public List<Path> segments() {
        try (Stream<Path> files = Files.list(dir)) {
            return new ArrayList<>(files.filter(SendJournal::isSegment).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
