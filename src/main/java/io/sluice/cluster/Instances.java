package io.sluice.cluster;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The running Sluice processes on one database, each with a heartbeat. A claim names its process
 * ({@code <instance id>/<n>}); when that process stops beating for {@code timeout} (killed, frozen, its host gone),
 * any other instance recovers its claims without waiting for the claim lease.
 */
public class Instances {

    private static final Logger LOG = LoggerFactory.getLogger(Instances.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,60}");

    private final JdbcTemplate jdbc;
    private final SqlFiles sql;
    private final String instanceId;
    private final Duration timeout;

    public Instances(DataSource dataSource, SqlFiles sql, String instanceId, Duration timeout) {
        if (!ID.matcher(instanceId).matches()) {
            throw new IllegalStateException("sluice.instance.id must be 1-60 letters, digits, '.', '_' or '-', got: " + instanceId);
        }
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
        this.instanceId = instanceId;
        this.timeout = timeout;
    }

    public String id() {
        return instanceId;
    }

    /** Renews this process's heartbeat (registering it on the first beat). */
    public void heartbeat() {
        Timestamp now = Timestamp.from(Instant.now());
        if (jdbc.update(sql.get("instance-heartbeat"), now, instanceId) == 0) {
            try {
                jdbc.update(sql.get("instance-insert"), instanceId, now, now);
                LOG.info("Instance {} registered (heartbeat timeout {})", instanceId, timeout);
            } catch (DuplicateKeyException raced) {
                jdbc.update(sql.get("instance-heartbeat"), now, instanceId);
            }
            jdbc.update(sql.get("instances-forget"), Timestamp.from(Instant.now().minus(Duration.ofDays(1))));
        }
    }

    /** The processes that beat within the timeout (this one always counts as alive). */
    public Set<String> alive() {
        Set<String> alive = new HashSet<>(jdbc.queryForList(sql.get("instances-alive"), String.class,
                Timestamp.from(Instant.now().minus(timeout))));
        alive.add(instanceId);
        return alive;
    }

    /** A clean stop: the others may recover whatever this process still holds at once. */
    public void leave() {
        jdbc.update(sql.get("instance-delete"), instanceId);
    }
}
