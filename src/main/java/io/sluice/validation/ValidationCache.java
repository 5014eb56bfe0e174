package io.sluice.validation;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.sql.DataSource;

import io.sluice.audience.CsvRecords;
import io.sluice.audience.ImportException;
import io.sluice.audience.ImportResult;
import io.sluice.audience.Rejects;
import io.sluice.db.SqlFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The story's {@code email_validation_cache}: one verdict per address, filled ahead of sending. Dispatch only reads
 * it; a recipient without an entry waits. Until provider validation runs, entries come from result files in the
 * shape NeverBounce and Email List Verify let you download ({@code email,code}).
 */
public class ValidationCache {

    private static final Logger LOG = LoggerFactory.getLogger(ValidationCache.class);
    private static final List<String> CODE_COLUMNS = List.of("code", "text_code", "result", "status");

    /** Addresses per lookup query: well below every driver's bind-parameter limit. */
    private static final int LOOKUP_CHUNK = 1000;

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final SqlFiles sql;
    private final int batchSize;
    private volatile java.util.Set<String> extraFileCodes = java.util.Set.of();

    public ValidationCache(DataSource dataSource, SqlFiles sql, int batchSize) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.sql = sql;
        this.batchSize = batchSize;
    }

    private record Entry(String email, String code) {
    }

    /**
     * Codes a results file may carry besides those {@link Verdicts} knows: the codes an operator allows to be mailed
     * ({@code sluice.dispatch.allowed-codes}), which Sluice must then accept from a file too.
     */
    public void setExtraFileCodes(java.util.Set<String> codes) {
        this.extraFileCodes = codes.stream().map(ValidationCache::normalizeCode).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** A cached verdict: the provider's code, and whether dispatch may use it (not older than the maximum age). */
    public record Cached(String code, boolean fresh) {
    }

    /**
     * The cached verdicts of {@code keys} (addresses as the cache keys them, see {@link #key}), by key; an address
     * never validated is absent. {@code freshSince}: a verdict checked before it is stale, unless it is a suppression.
     */
    public Map<String, Cached> verdicts(Collection<String> keys, Instant freshSince) {
        Map<String, Cached> verdicts = new HashMap<>();
        List<String> all = List.copyOf(keys);
        for (int from = 0; from < all.size(); from += LOOKUP_CHUNK) {
            named.query(sql.get("validation-cache-verdicts"), new MapSqlParameterSource()
                    .addValue("keys", all.subList(from, Math.min(all.size(), from + LOOKUP_CHUNK)))
                    .addValue("freshSince", Timestamp.from(freshSince)), rs -> {
                verdicts.put(rs.getString("email"), new Cached(rs.getString("text_code"), rs.getInt("fresh") == 1));
            });
        }
        return verdicts;
    }

    /** The cached code for an address, or null when it has never been validated. */
    public String lookup(String email) {
        List<String> codes = jdbc.queryForList(sql.get("validation-cache-lookup"), String.class, key(email));
        return codes.isEmpty() ? null : codes.get(0);
    }

    public void put(String email, String code, String provider) {
        upsert(List.of(new Entry(key(email), normalizeCode(code))), provider);
    }

    /** Upserts many verdicts of one provider (suppressed and unsubscribed entries stay as they are). */
    public void putAll(Map<String, String> codesByEmail, String provider) {
        List<Entry> entries = new ArrayList<>();
        codesByEmail.forEach((email, code) -> entries.add(new Entry(key(email), normalizeCode(code))));
        upsert(entries, provider);
    }

    /** Records suppressed or unsubscribed: wins over any verdict, and no later verdict replaces it. */
    public void suppress(String email, String code, String provider) {
        jdbc.update(sql.get("validation-cache-suppress"), key(email), normalizeCode(code), provider, Timestamp.from(Instant.now()));
    }

    /** Imports a results file; rows with an unparseable address or an empty code are rejected with their line. */
    public ImportResult importResults(InputStream csv, String source, String provider, Rejects rejects) {
        long rows = 0;
        long imported = 0;
        try (CsvRecords records = new CsvRecords(new InputStreamReader(csv, StandardCharsets.UTF_8))) {
            CsvRecords.Record header = records.next();
            if (header == null || header.broken()) {
                throw new ImportException(source + " has no readable header row");
            }
            List<String> columns = header.fields().stream().map(c -> c.strip().toLowerCase(Locale.ROOT)).toList();
            int emailColumn = columns.indexOf("email");
            int codeColumn = CODE_COLUMNS.stream().mapToInt(columns::indexOf).filter(i -> i >= 0).findFirst().orElse(-1);
            if (emailColumn < 0 || codeColumn < 0) {
                throw new ImportException(source + " needs an 'email' column and a 'code' column, header is " + columns);
            }
            List<Entry> batch = new ArrayList<>(batchSize);
            CsvRecords.Record record;
            while ((record = records.next()) != null) {
                rows++;
                if (record.broken()) {
                    rejects.reject(record.line(), null, record.problem());
                    continue;
                }
                if (record.fields().size() != columns.size()) {
                    rejects.reject(record.line(), null, "expected " + columns.size() + " fields, found " + record.fields().size());
                    continue;
                }
                String email = record.fields().get(emailColumn).strip();
                String code = normalizeCode(record.fields().get(codeColumn));
                EmailSyntax.Result address = EmailSyntax.check(email);
                if (!address.valid()) {
                    rejects.reject(record.line(), email, "unparseable address: " + address.problem());
                } else if (code.isEmpty()) {
                    rejects.reject(record.line(), email, "empty code");
                } else if (!Verdicts.known(code) && !extraFileCodes.contains(code)) {
                    // A file is made by a person: a code nobody knows is a typo or a shifted column, and caching it
                    // would replace a good verdict with one no campaign mails. Provider answers keep the open vocabulary.
                    rejects.reject(record.line(), email, "unknown code '" + shorten(code) + "': not a code Sluice knows "
                            + "(README, Validation) nor one of sluice.dispatch.allowed-codes");
                } else {
                    batch.add(new Entry(EmailSyntax.key(address.normalized()), code));
                    if (batch.size() == batchSize) {
                        imported += upsert(batch, provider);
                        batch.clear();
                    }
                }
            }
            imported += upsert(batch, provider);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source + " failed after " + rows + " rows", e);
        }
        ImportResult result = new ImportResult(source, rows, imported, rows - imported);
        LOG.info("Validation results import: {}", result.summary());
        return result;
    }

    private int upsert(List<Entry> entries, String provider) {
        if (entries.isEmpty()) {
            return 0;
        }
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.batchUpdate(sql.get("validation-cache-upsert"), entries, entries.size(), (ps, entry) -> {
            ps.setString(1, entry.email());
            ps.setString(2, entry.code());
            ps.setString(3, provider);
            ps.setTimestamp(4, now);
        });
        return entries.size();
    }

    /** How the cache keys an address: trimmed and lower-cased. */
    static String key(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    private static String shorten(String code) {
        String printable = code.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }

    private static String normalizeCode(String code) {
        return code == null ? "" : code.strip().toLowerCase(Locale.ROOT);
    }
}
