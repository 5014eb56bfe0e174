package io.sluice.dispatch;

import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.quartz.CronExpression;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * sendLimit as one budget per dispatch period across every instance (the Throttle EIP counts per JVM). A period runs
 * from one cron fire to the next; every tick in it (the cron tick on whichever instance Quartz chose, a kickoff tick
 * after a start, a tick an operator triggers) reserves what it is about to claim from the period's row under a row
 * lock and gives back what it could not claim. Together they never claim more than sendLimit in one period.
 */
public class SendBudget {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final SqlFiles sql;
    private final CronExpression cron;

    public SendBudget(DataSource dataSource, SqlFiles sql, String cron) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.sql = sql;
        try {
            this.cron = new CronExpression(cron);
        } catch (ParseException e) {
            throw new IllegalArgumentException("sluice.dispatch.cron is not a Quartz cron expression: " + cron, e);
        }
    }

    /** The period {@code at} falls in, named by its end: the next cron fire time after it (epoch milliseconds). */
    public long periodOf(Instant at) {
        Date next = cron.getNextValidTimeAfter(Date.from(at));
        return next == null ? Long.MAX_VALUE : next.getTime();
    }

    /** Reserves up to {@code wanted} of the period's {@code sendLimit}; returns how many this tick may claim. */
    public int reserve(long period, int sendLimit, int wanted) {
        Timestamp now = Timestamp.from(Instant.now());
        try {
            jdbc.update(sql.get("dispatch-budget-insert"), period, now);
        } catch (DataIntegrityViolationException exists) {
            // Another tick of this period created the row first.
        }
        Integer granted = transaction.execute(status -> {
            Integer claimed = jdbc.queryForObject(sql.get("dispatch-budget-lock"), Integer.class, period);
            int take = Math.max(0, Math.min(wanted, sendLimit - (claimed == null ? 0 : claimed)));
            if (take > 0) {
                jdbc.update(sql.get("dispatch-budget-add"), take, now, period);
            }
            return take;
        });
        jdbc.update(sql.get("dispatch-budget-forget"), Instant.now().minus(Duration.ofDays(2)).toEpochMilli());
        return granted == null ? 0 : granted;
    }

    /** Returns what a tick reserved but could not claim (fewer ready recipients than its share). */
    public void giveBack(long period, int unused) {
        if (unused > 0) {
            jdbc.update(sql.get("dispatch-budget-add"), -unused, Timestamp.from(Instant.now()), period);
        }
    }

    /** What the period's ticks have claimed so far. */
    public int claimed(long period) {
        return jdbc.query(sql.get("dispatch-budget-read"), rs -> rs.next() ? rs.getInt(1) : 0, period);
    }
}
