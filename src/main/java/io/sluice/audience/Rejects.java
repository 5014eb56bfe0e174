package io.sluice.audience;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where rows that cannot be imported go, with their line number and the reason. */
public interface Rejects extends AutoCloseable {

    void reject(long line, String email, String reason);

    @Override
    void close();

    /** One line per reject in a CSV file, created on the first reject only. */
    static Rejects toFile(Path file) {
        return new Rejects() {
            private BufferedWriter out;

            @Override
            public void reject(long line, String email, String reason) {
                try {
                    if (out == null) {
                        Files.createDirectories(file.toAbsolutePath().getParent());
                        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                        out.write("line,email,reason\n");
                    }
                    out.write(line + "," + csv(email) + "," + csv(reason) + "\n");
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot write rejects file " + file, e);
                }
            }

            @Override
            public void close() {
                if (out != null) {
                    try {
                        out.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
    }

    /** Keeps the first {@code max} rejects in memory for an API answer; the count stays exact beyond that. */
    static Listed listed(int max) {
        return new Listed(max);
    }

    final class Listed implements Rejects {
        public record Reject(long line, String email, String reason) {
        }

        private final int max;
        private final List<Reject> kept = new ArrayList<>();

        Listed(int max) {
            this.max = max;
        }

        @Override
        public void reject(long line, String email, String reason) {
            if (kept.size() < max) {
                kept.add(new Reject(line, email, reason));
            }
        }

        public List<Reject> kept() {
            return kept;
        }

        @Override
        public void close() {
        }
    }

    private static String csv(String value) {
        if (value == null) {
            return "";
        }
        if (value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }
}
