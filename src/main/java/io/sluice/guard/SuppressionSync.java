package io.sluice.guard;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.db.SqlFiles;
import io.sluice.validation.EmailSyntax;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Cross-pollinates Postmark suppressions: a hard bounce on the transactional stream does not stop sends on the
 * broadcast stream, so every stream's suppression dump is upserted into the cache as {@code suppressed} with its
 * reason and stream. Dumps are parsed as a stream and written in batches: hundreds of thousands of rows are fine.
 */
public class SuppressionSync {

    private static final Logger LOG = LoggerFactory.getLogger(SuppressionSync.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final JdbcTemplate jdbc;
    private final SqlFiles sql;
    private final int batchSize;
    private final Map<String, Long> current = new LinkedHashMap<>();

    private record Suppression(String email, String reason) {
    }

    public SuppressionSync(DataSource dataSource, SqlFiles sql, int batchSize) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
        this.batchSize = batchSize;
    }

    /** The ids of every message stream of the server (GET /message-streams). */
    public synchronized List<String> streamIds(String json) throws IOException {
        current.clear();
        JsonNode streams = JSON.readTree(json).path("MessageStreams");
        if (!streams.isArray()) {
            throw new IllegalStateException("GET /message-streams answered without a MessageStreams array");
        }
        List<String> ids = new ArrayList<>();
        streams.forEach(stream -> {
            String id = stream.path("ID").asText("");
            if (id.isEmpty()) {
                LOG.warn("GET /message-streams listed a stream without an ID: skipped");
            } else {
                ids.add(id);
            }
        });
        return ids;
    }

    /**
     * The CamelHttpPath of one stream's dump, below {@code /message-streams}. The id comes from Postmark's answer, so
     * it is data: one path segment with every byte but letters, digits, {@code -} and {@code _} percent-encoded
     * ({@code .} too, so {@code ..} is no dot-segment), never URI syntax and never a {@code {{placeholder}}}.
     */
    public String dumpPath(String stream) {
        return pathSegment(stream) + "/suppressions/dump";
    }

    static String pathSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** Upserts one stream's dump ({"Suppressions":[{"EmailAddress","SuppressionReason","Origin","CreatedAt"}]}). */
    public synchronized long importDump(InputStream dump, String stream) throws IOException {
        long count = 0;
        List<Suppression> batch = new ArrayList<>(batchSize);
        try (JsonParser parser = JSON.getFactory().createParser(dump)) {
            while (parser.nextToken() != null) {
                if (parser.currentToken() == JsonToken.FIELD_NAME && "Suppressions".equals(parser.currentName())) {
                    if (parser.nextToken() != JsonToken.START_ARRAY) {
                        throw new IllegalStateException("Suppressions of stream " + stream + " is not an array");
                    }
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode row = JSON.readTree(parser);
                        EmailSyntax.Result address = EmailSyntax.check(row.path("EmailAddress").asText(""));
                        if (!address.valid()) {
                            continue;
                        }
                        batch.add(new Suppression(EmailSyntax.key(address.normalized()), row.path("SuppressionReason").asText("Unknown")));
                        if (batch.size() == batchSize) {
                            count += write(batch, stream);
                            batch.clear();
                        }
                    }
                }
            }
        }
        count += write(batch, stream);
        current.put(stream, count);
        LOG.info("Suppressions of stream {}: {} upserted as suppressed", stream, count);
        return count;
    }

    public synchronized Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("at", Instant.now().toString());
        summary.put("streams", new LinkedHashMap<>(current));
        summary.put("total", current.values().stream().mapToLong(Long::longValue).sum());
        return summary;
    }

    private int write(List<Suppression> batch, String stream) {
        if (batch.isEmpty()) {
            return 0;
        }
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.batchUpdate(sql.get("suppression-upsert"), batch, batch.size(), (ps, s) -> {
            ps.setString(1, s.email());
            ps.setString(2, "suppressed");
            ps.setString(3, "postmark-suppressions");
            ps.setTimestamp(4, now);
            ps.setString(5, s.reason());
            ps.setString(6, stream);
        });
        return batch.size();
    }
}
