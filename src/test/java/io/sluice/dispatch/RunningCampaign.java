package io.sluice.dispatch;

import java.util.List;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.springframework.jdbc.core.JdbcTemplate;

/** Store-level test data: one RUNNING campaign of validated PENDING recipients, counted as the import counts them. */
final class RunningCampaign {

    private RunningCampaign() {
    }

    /** Inserts the campaign and {@code n} recipients r0..r(n-1)@example.com, each with a "valid" cache entry; returns its id. */
    static long create(DataSource dataSource, SqlFiles sql, int n) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.update("INSERT INTO campaign (name, from_address, subject, text_template, message_stream, state, created_at, updated_at) "
                + "VALUES ('c', 'a@example.com', 's', 't', 'broadcast', 'RUNNING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
        long campaign = jdbc.queryForObject("SELECT MAX(id) FROM campaign", Long.class);
        for (int i = 0; i < n; i++) {
            String email = "r" + i + "@example.com";
            jdbc.update("INSERT INTO recipient (campaign_id, email, email_key, fields, state, attempts, created_at, updated_at) "
                    + "VALUES (?, ?, ?, '{}', 'PENDING', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", campaign, email, email);
            jdbc.update("INSERT INTO email_validation_cache (email, text_code, provider, checked_at) VALUES (?, 'valid', 'test', CURRENT_TIMESTAMP)", email);
        }
        new RecipientCounts(dataSource, sql, "test").apply(List.of(new RecipientCounts.Delta(campaign, "PENDING", null, n)));
        return campaign;
    }
}
