package io.sluice.audience;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming RFC 4180 reader that survives broken input. It holds one record at a time (a 7-million-row file is
 * never in memory) and reports a malformed record with its line number instead of giving up on the file: a quoted
 * field that is still open after {@link #MAX_LINES_PER_RECORD} physical lines is reported as broken and reading
 * resumes on the line after the one where that record started.
 */
public final class CsvRecords implements AutoCloseable {

    /** A quoted field may legitimately span lines; an unclosed quote must not swallow the rest of the file. */
    static final int MAX_LINES_PER_RECORD = 20;

    /** One logical record: its fields, or the reason it could not be read. */
    public record Record(long line, List<String> fields, String problem) {
        public boolean broken() {
            return problem != null;
        }
    }

    private final BufferedReader reader;
    private final java.util.ArrayDeque<String> pushedBack = new java.util.ArrayDeque<>();
    private long lineNumber;

    public CsvRecords(Reader reader) {
        this.reader = reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader, 1 << 16);
    }

    /** The next record, or null at the end; blank lines are skipped. */
    public Record next() throws IOException {
        String line;
        do {
            line = nextLine();
            if (line == null) {
                return null;
            }
        } while (line.isBlank());
        long startLine = lineNumber;
        List<String> consumed = new ArrayList<>();
        consumed.add(line);
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean afterQuote = false;
        String current = line;
        int i = 0;
        while (true) {
            if (i >= current.length()) {
                if (!quoted) {
                    fields.add(field.toString());
                    return new Record(startLine, fields, null);
                }
                String more = consumed.size() < MAX_LINES_PER_RECORD ? nextLine() : null;
                if (more == null) {
                    return broken(startLine, consumed, "unterminated quoted field");
                }
                consumed.add(more);
                field.append('\n');
                current = more;
                i = 0;
                continue;
            }
            char c = current.charAt(i++);
            if (quoted) {
                if (c == '"') {
                    if (i < current.length() && current.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                        afterQuote = true;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                afterQuote = false;
            } else if (afterQuote) {
                return broken(startLine, consumed, "text after a closing quote");
            } else if (c == '"') {
                if (field.length() > 0) {
                    return new Record(startLine, null, "quote inside an unquoted field");
                }
                quoted = true;
            } else {
                field.append(c);
            }
        }
    }

    /** A broken record gives back every line after its first, so they are read as records of their own. */
    private Record broken(long startLine, List<String> consumed, String problem) {
        for (int k = consumed.size() - 1; k >= 1; k--) {
            pushedBack.push(consumed.get(k));
        }
        lineNumber = startLine;
        // A quote that only "closes" lines later most likely never closed on its own line.
        return new Record(startLine, null, consumed.size() > 1 ? "unterminated quoted field" : problem);
    }

    private String nextLine() throws IOException {
        String line = pushedBack.isEmpty() ? reader.readLine() : pushedBack.pop();
        if (line != null) {
            lineNumber++;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
        }
        return line;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
