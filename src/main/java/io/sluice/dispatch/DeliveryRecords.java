package io.sluice.dispatch;

import java.sql.Timestamp;
import java.time.Instant;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.apache.camel.processor.idempotent.jdbc.AbstractJdbcMessageIdRepository;
import org.springframework.dao.DuplicateKeyException;

/**
 * The idempotent consumer's JDBC repository, keyed by campaign and recipient. {@link #add} is one INSERT whose
 * primary key decides the race: Camel's stock repository counts first and then inserts, which lets two threads
 * (or two instances) both see zero and one of them fail with a DuplicateKeyException.
 */
public class DeliveryRecords extends AbstractJdbcMessageIdRepository {

    /** The processor name the rows carry (the route that records them). */
    public static final String PROCESSOR = "recipient-send";

    private final SqlFiles sql;

    public DeliveryRecords(DataSource dataSource, SqlFiles sql) {
        super(dataSource, PROCESSOR);
        this.sql = sql;
    }

    @Override
    public boolean add(String key) {
        try {
            return insert(key) == 1;
        } catch (DuplicateKeyException alreadyRecorded) {
            return false;
        }
    }

    @Override
    public boolean contains(String key) {
        return queryForInt(key) > 0;
    }

    @Override
    public boolean remove(String key) {
        return delete(key) > 0;
    }

    @Override
    protected int queryForInt(String key) {
        Integer count = jdbcTemplate.queryForObject(sql.get("delivery-record-count"), Integer.class, processorName, key);
        return count == null ? 0 : count;
    }

    @Override
    protected int insert(String key) {
        return jdbcTemplate.update(sql.get("delivery-record-insert"), processorName, key, Timestamp.from(Instant.now()));
    }

    @Override
    protected int delete(String key) {
        return jdbcTemplate.update(sql.get("delivery-record-delete"), processorName, key);
    }

    @Override
    protected int delete() {
        return jdbcTemplate.update(sql.get("delivery-record-clear"), processorName);
    }
}
