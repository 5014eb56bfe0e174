package io.sluice.drills;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every business table of the database as row count + a hash of its sorted rows, to show that a request changed
 * nothing. Left out: what a running process rewrites on its own (heartbeats, budgets of past periods, Quartz, Flyway).
 */
final class DbSnapshot {

    private static final Set<String> VOLATILE = Set.of("sluice_instance", "dispatch_budget", "flyway_schema_history");

    final Map<String, String> tables = new TreeMap<>();

    static DbSnapshot of(DrillDb db) throws SQLException {
        DbSnapshot snapshot = new DbSnapshot();
        try (Connection c = db.open()) {
            DatabaseMetaData meta = c.getMetaData();
            List<String> names = new ArrayList<>();
            try (ResultSet rs = meta.getTables(c.getCatalog(), db.isH2() ? "PUBLIC" : null, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    names.add(rs.getString("TABLE_NAME"));
                }
            }
            for (String name : names) {
                String key = name.toLowerCase(Locale.ROOT);
                if (VOLATILE.contains(key) || key.startsWith("qrtz_")) {
                    continue;
                }
                List<String> rows = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + name)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= columns; i++) {
                            row.append(rs.getString(i)).append('\u0001');
                        }
                        rows.add(row.toString());
                    }
                }
                rows.sort(null);
                snapshot.tables.put(key, rows.size() + " rows #" + hash(rows));
            }
        }
        return snapshot;
    }

    private static String hash(List<String> rows) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String row : rows) {
                digest.update(row.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tables whose content differs, with both figures. */
    List<String> changedSince(DbSnapshot before) {
        List<String> changed = new ArrayList<>();
        for (String table : tables.keySet()) {
            String was = before.tables.get(table);
            if (!tables.get(table).equals(was)) {
                changed.add(table + ": " + was + " -> " + tables.get(table));
            }
        }
        for (String table : before.tables.keySet()) {
            if (!tables.containsKey(table)) {
                changed.add(table + ": gone");
            }
        }
        return changed;
    }
}
