package io.sluice.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Probe (not a test): what one row of a claim and of an outcome costs MariaDB at 7M rows, statement by statement and
 * column by column, on a database ScaleBenchmark loaded and kept ({@code bench/scale.sh claim mariadb
 * -Dbench.phases=load}, then {@code bench/scale.sh rows mariadb}). Each variant runs on 1,000 fresh PENDING rows, one
 * thread, autocommit off; the outcome variants in statements of 50 as OutcomeBatches writes them, each committed.
 * What it showed is in bench/README.md (session 6): the claim's UPDATE costs twice as much when it makes the row grow.
 */
public final class RowCostProbe {

    private static final String URL = "jdbc:mariadb://127.0.0.1:3306/sluice_bench_scale";

    private final Connection c;
    private long cursor;

    private RowCostProbe(Connection c) throws Exception {
        this.c = c;
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MIN(id) FROM recipient WHERE state = 'PENDING'")) {
            rs.next();
            cursor = rs.getLong(1) + 100_000;
        }
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(URL, "root", "")) {
            new RowCostProbe(c).run(Integer.getInteger("bench.reps", 4));
        }
    }

    private void run(int reps) throws Exception {
        String claim = "UPDATE recipient SET %s WHERE id IN (%s) AND state = 'PENDING'";
        String[][] claims = {
            {"claim as the product does (token and time: the row grows)",
                "state = 'CLAIMED', claimed_by = 'bench/12345', claimed_at = NOW(3), updated_at = NOW(3), attempts = attempts + 1"},
            {"token and time, state unchanged (grows, no index change)",
                "claimed_by = 'bench/12345', claimed_at = NOW(3), updated_at = NOW(3), attempts = attempts + 1"},
            {"state and updated_at only (same size, index change)", "state = 'CLAIMED', updated_at = NOW(3)"},
            {"updated_at only (same size, in place)", "updated_at = NOW(3)"},
        };
        String mark = "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$.id', state VARCHAR(16) PATH '$.state', "
                + "detail VARCHAR(500) PATH '$.detail')) o STRAIGHT_JOIN recipient r ON r.id = o.id SET %s WHERE r.state = 'CLAIMED'";
        String[][] marks = {
            {"outcome as the product does (state, reply, token cleared)",
                "r.state = o.state, r.smtp_reply = o.detail, r.last_error = NULL, r.claimed_by = NULL, r.updated_at = NOW(3)"},
            {"state and reply, token kept", "r.state = o.state, r.smtp_reply = o.detail, r.last_error = NULL, r.updated_at = NOW(3)"},
            {"state only", "r.state = o.state, r.updated_at = NOW(3)"},
        };
        for (int rep = 1; rep <= reps; rep++) {
            StringBuilder line = new StringBuilder("rep " + rep + ", ms per 1,000 rows:");
            for (String[] v : claims) {
                String ids = String.join(",", next().stream().map(String::valueOf).toList());
                long t = System.nanoTime();
                try (Statement st = c.createStatement()) {
                    st.executeUpdate(String.format(claim, v[1], ids));
                }
                c.commit();
                line.append(String.format("%n  %-62s %4d", v[0], (System.nanoTime() - t) / 1_000_000));
            }
            for (String[] v : marks) {
                List<Long> ids = next();
                try (Statement st = c.createStatement()) {
                    st.executeUpdate(String.format(claim, claims[0][1], String.join(",", ids.stream().map(String::valueOf).toList())));
                }
                c.commit();
                long t = System.nanoTime();
                for (int from = 0; from < ids.size(); from += 50) {
                    try (var ps = c.prepareStatement(String.format(mark, v[1]))) {
                        ps.setString(1, outcomes(ids.subList(from, Math.min(ids.size(), from + 50))));
                        ps.executeUpdate();
                    }
                    c.commit();
                }
                line.append(String.format("%n  %-62s %4d", v[0] + " (20 x 50)", (System.nanoTime() - t) / 1_000_000));
            }
            System.out.println(line);
        }
    }

    /** The next 1,000 PENDING rows, after the ones the last variant took. */
    private List<Long> next() throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM recipient WHERE state = 'PENDING' AND id > " + cursor + " ORDER BY id LIMIT 1000")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        c.commit();
        if (ids.isEmpty()) {
            throw new IllegalStateException("no PENDING rows left after id " + cursor);
        }
        cursor = ids.get(ids.size() - 1);
        return ids;
    }

    private static String outcomes(List<Long> ids) {
        StringBuilder json = new StringBuilder("[");
        for (long id : ids) {
            json.append(json.length() > 1 ? "," : "").append("{\"id\":").append(id)
                    .append(",\"state\":\"SENT\",\"detail\":\"250 2.0.0 OK: queued as 8E2D61F2C1A\"}");
        }
        return json.append(']').toString();
    }
}
