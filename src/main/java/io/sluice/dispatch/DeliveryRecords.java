package io.sluice.dispatch;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

import javax.sql.DataSource;

import io.sluice.db.SqlFiles;
import org.apache.camel.processor.idempotent.jdbc.AbstractJdbcMessageIdRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;

/**
 * The idempotent consumer's JDBC repository, keyed by campaign and recipient. {@link #add} is one INSERT whose
 * primary key decides the race: Camel's stock repository counts first and then inserts, which lets two threads
 * (or two instances) both see zero and one of them fail with a DuplicateKeyException.
 */
public class DeliveryRecords extends AbstractJdbcMessageIdRepository {

    /** The processor name the rows carry (the route that records them). */
    public static final String PROCESSOR = "recipient-send";

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryRecords.class);

    private final SqlFiles sql;
    private volatile SendJournal journal;

    public DeliveryRecords(DataSource dataSource, SqlFiles sql) {
        super(dataSource, PROCESSOR);
        this.sql = sql;
    }

    /** With the embedded H2 file database: every record written or removed is also appended to the journal. */
    public void setJournal(SendJournal journal) {
        this.journal = journal;
    }

    @Override
    public boolean add(String key) {
        boolean added;
        try {
            added = insert(key) == 1;
        } catch (DuplicateKeyException alreadyRecorded) {
            return false;
        }
        if (added && journal != null) {
            journal.handedOver(key);
        }
        return added;
    }

    /**
     * At start, before anything is claimed or recovered: every key the journal says was handed to delivery in an earlier
     * run, whose record the database no longer has (H2 lost its last commits in a crash), gets its record back, and its
     * recipient becomes UNKNOWN unless it already has an outcome. Then the earlier run's journal goes.
     *
     * @return how many recipients were moved to UNKNOWN
     */
    public int restoreFromJournal(RecipientStore recipients) {
        if (journal == null) {
            return 0;
        }
        int restored = 0;
        int moved = 0;
        Set<String> held = new LinkedHashSet<>();
        for (String key : journal.handedOverInPreviousRun()) {
            if (queryForInt(key) > 0) {
                continue;
            }
            int colon = key.indexOf(':');
            long id;
            try {
                id = Long.parseLong(key.substring(colon + 1));
            } catch (NumberFormatException e) {
                continue; // not a key Sluice writes
            }
            try {
                if (recipients.markUnknownRestored(id, "delivery record lost by the database in a crash, restored from the send "
                        + "journal: may or may not have been sent")) {
                    moved++;
                }
                insert(key);
            } catch (DuplicateKeyException alreadyThere) {
                // recorded meanwhile: fine
            } catch (DataAccessException lockedByNoSession) {
                // H2 2.5.252 came back from a kill -9 with a row lock no session holds on such a record (drills/README.md):
                // it can be neither read nor written. Starting must not fail on it: the key stays in the journal, so the
                // next start tries again, and its recipient stays out of sending (UNKNOWN when its row could be moved).
                held.add(key);
                LOG.warn("Cannot restore the delivery record {} from the send journal ({}); kept in the journal for the next start",
                        key, lockedByNoSession.getMostSpecificCause().getMessage());
                continue;
            }
            restored++;
        }
        // Carried into this run's journal before the earlier run's goes, so a crash in between loses none of them.
        held.forEach(journal::handedOver);
        journal.forgetPreviousRun();
        if (restored > 0) {
            LOG.warn("The database came back without {} delivery records the send journal has (a crash lost its last commits); "
                    + "restored, and {} of their recipients are now UNKNOWN: settle them, never resent on their own", restored, moved);
        }
        return moved;
    }

    @Override
    public boolean contains(String key) {
        return queryForInt(key) > 0;
    }

    @Override
    public boolean remove(String key) {
        boolean removed = delete(key) > 0;
        if (removed && journal != null) {
            journal.withdrawn(key);
        }
        return removed;
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
