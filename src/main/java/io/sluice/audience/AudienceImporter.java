package io.sluice.audience;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.campaign.Campaign;
import io.sluice.campaign.CampaignStore;
import io.sluice.db.SqlFiles;
import io.sluice.dispatch.RecipientCounts;
import io.sluice.validation.CacheLookups;
import io.sluice.validation.EmailSyntax;
import io.sluice.validation.LocalChecks;
import io.sluice.validation.ValidationCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Imports an audience CSV into a campaign while streaming: one batch of rows in memory at a time, so a
 * 7-million-row file imports in a small heap. The header names the columns; {@code email} is required and every
 * other column becomes a merge field. Each data row is either imported or rejected with its line and reason.
 */
public class AudienceImporter {

    private static final Logger LOG = LoggerFactory.getLogger(AudienceImporter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final TransactionTemplate transaction;
    private final RecipientCounts counts;
    private final SqlFiles sql;
    private final CampaignStore campaigns;
    private final int batchSize;
    private final LocalChecks localChecks;
    private final ValidationCache validationCache;
    private CacheLookups lookups = new CacheLookups();
    private Duration validationMaxAge = Duration.ofDays(90);

    public AudienceImporter(DataSource dataSource, SqlFiles sql, CampaignStore campaigns, int batchSize,
                            LocalChecks localChecks, ValidationCache validationCache) {
        this.localChecks = localChecks;
        this.validationCache = validationCache;
        this.jdbc = new JdbcTemplate(dataSource);
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.counts = new RecipientCounts(dataSource, sql, "import");
        this.sql = sql;
        this.campaigns = campaigns;
        this.batchSize = batchSize;
    }

    /** Where each imported recipient's cache lookup is counted, and how old a verdict may be to count as a hit. */
    public void setCacheLookups(CacheLookups lookups, Duration validationMaxAge) {
        this.lookups = lookups;
        this.validationMaxAge = validationMaxAge;
    }

    /**
     * A recipient's merge fields as JSON, at most: far above any mail merge, and under H2's VARCHAR limit (1,000,000),
     * which the H2 claim reads them as (sql/h2/recipients-claim-select.sql).
     */
    static final int MAX_MERGE_FIELDS_CHARS = 100_000;

    private record Row(long line, String email, String key, String fields) {
    }

    public ImportResult importCsv(long campaignId, InputStream csv, String source, Rejects rejects) {
        Campaign campaign = campaigns.find(campaignId)
                .orElseThrow(() -> new ImportException("no campaign " + campaignId + " to import " + source + " into"));
        long rows = 0;
        long imported = 0;
        long analyzedAt = 1;
        try (CsvRecords records = new CsvRecords(new InputStreamReader(csv, StandardCharsets.UTF_8))) {
            CsvRecords.Record header = records.next();
            if (header == null || header.broken()) {
                throw new ImportException(source + " has no readable header row");
            }
            List<String> columns = header.fields().stream().map(c -> c.strip()).toList();
            int emailColumn = indexOf(columns, "email");
            if (emailColumn < 0) {
                throw new ImportException(source + " has no 'email' column in its header " + columns);
            }
            List<Row> batch = new ArrayList<>(batchSize);
            CsvRecords.Record record;
            while ((record = records.next()) != null) {
                rows++;
                String problem = record.problem();
                if (problem == null && record.fields().size() != columns.size()) {
                    problem = "expected " + columns.size() + " fields, found " + record.fields().size();
                }
                String email = problem == null ? record.fields().get(emailColumn).strip() : null;
                EmailSyntax.Result address = problem == null ? EmailSyntax.check(email) : null;
                if (address != null && !address.valid()) {
                    problem = "unparseable address: " + address.problem();
                }
                if (problem != null) {
                    rejects.reject(record.line(), email, problem);
                    continue;
                }
                String fields = mergeFields(columns, record.fields(), emailColumn);
                if (fields != null && fields.length() > MAX_MERGE_FIELDS_CHARS) {
                    rejects.reject(record.line(), email, "merge fields too long: " + fields.length() + " characters as JSON, at most "
                            + MAX_MERGE_FIELDS_CHARS);
                    continue;
                }
                batch.add(new Row(record.line(), address.normalized(), EmailSyntax.key(address.normalized()), fields));
                if (batch.size() == batchSize) {
                    imported += flush(campaign.id(), batch, rejects);
                    batch.clear();
                    if (imported >= analyzedAt * 2) {
                        refreshStatistics();
                        analyzedAt = Math.max(imported, 1);
                    }
                }
            }
            imported += flush(campaign.id(), batch, rejects);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source + " failed after " + rows + " rows", e);
        }
        ImportResult result = new ImportResult(source, rows, imported, rows - imported);
        LOG.info("Audience import into campaign {} '{}': {}", campaign.id(), campaign.name(), result.summary());
        return result;
    }

    /** Lets the database's planner see how big the campaign has grown (PostgreSQL; a no-op elsewhere). */
    private void refreshStatistics() {
        String analyze = sql.get("recipient-import-statistics");
        if (!analyze.isEmpty()) {
            jdbc.execute(analyze);
        }
    }

    /** Inserts a batch, rejecting addresses already in the campaign (or twice in the batch); returns how many went in. */
    private int flush(long campaignId, List<Row> batch, Rejects rejects) {
        if (batch.isEmpty()) {
            return 0;
        }
        Map<String, Long> firstLineOf = new HashMap<>();
        Set<String> keys = new HashSet<>();
        for (Row row : batch) {
            keys.add(row.key());
        }
        Set<String> existing = new HashSet<>(named.queryForList(sql.get("recipient-existing-keys"),
                new MapSqlParameterSource().addValue("campaignId", campaignId).addValue("keys", keys), String.class));
        List<Row> fresh = new ArrayList<>(batch.size());
        for (Row row : batch) {
            if (existing.contains(row.key())) {
                rejects.reject(row.line(), row.email(), "duplicate of an address already in the campaign");
            } else if (firstLineOf.containsKey(row.key())) {
                rejects.reject(row.line(), row.email(), "duplicate of line " + firstLineOf.get(row.key()));
            } else {
                firstLineOf.put(row.key(), row.line());
                fresh.add(row);
            }
        }
        // Free local verdicts (disposable domain, role account) go into the cache at once, so those recipients are
        // skipped with their code instead of waiting for a provider.
        Map<String, String> local = new HashMap<>();
        Set<String> needVerdict = new HashSet<>();
        for (Row row : fresh) {
            LocalChecks.Verdict verdict = localChecks.check(row.email());
            if (!verdict.passed()) {
                local.put(row.key(), verdict.code());
            } else {
                needVerdict.add(row.key());
            }
        }
        validationCache.putAll(local, "local");
        // The cache hit rate: how many of the new recipients the cache already answers (no provider spend).
        long hits = validationCache.verdicts(needVerdict, Instant.now().minus(validationMaxAge)).values().stream()
                .filter(ValidationCache.Cached::fresh).count();
        lookups.add(CacheLookups.Source.IMPORT, CacheLookups.Result.LOCAL, fresh.size() - needVerdict.size());
        lookups.add(CacheLookups.Source.IMPORT, CacheLookups.Result.HIT, hits);
        lookups.add(CacheLookups.Source.IMPORT, CacheLookups.Result.MISS, needVerdict.size() - hits);
        Timestamp now = Timestamp.from(Instant.now());
        // The batch and the PENDING counter move together, so the status counts never drift from the rows.
        transaction.executeWithoutResult(status -> {
            jdbc.batchUpdate(sql.get("recipient-insert"), fresh, fresh.size(), (PreparedStatement ps, Row row) -> {
                ps.setLong(1, campaignId);
                ps.setString(2, row.email());
                ps.setString(3, row.key());
                ps.setString(4, row.fields());
                ps.setTimestamp(5, now);
                ps.setTimestamp(6, now);
            });
            counts.apply(List.of(new RecipientCounts.Delta(campaignId, "PENDING", null, fresh.size())));
        });
        return fresh.size();
    }

    private static String mergeFields(List<String> columns, List<String> values, int emailColumn) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            if (i != emailColumn) {
                fields.put(columns.get(i), values.get(i));
            }
        }
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static int indexOf(List<String> columns, String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).toLowerCase(Locale.ROOT).equals(name)) {
                return i;
            }
        }
        return -1;
    }

}
