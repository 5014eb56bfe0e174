package io.sluice.bench;

import java.io.BufferedWriter;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Locale;

import io.sluice.audience.AudienceImporter;
import io.sluice.audience.ImportResult;
import io.sluice.audience.Rejects;
import io.sluice.campaign.CampaignStore;
import io.sluice.db.Database;
import io.sluice.db.SqlFiles;
import io.sluice.validation.DisposableDomains;
import io.sluice.validation.LocalChecks;
import io.sluice.validation.ValidationCache;

/**
 * Benchmark (not a test): a 7-million-row audience CSV through the real {@link AudienceImporter} (CSV parsing,
 * address syntax, duplicate check per batch against the unique index, local verdicts, batched inserts), run by
 * {@code bench/scale.sh import <db>} with {@code -Xmx512m}. About 1 % of the rows are disposable addresses (cached as
 * {@code disposable} at import) and 0.1 % are unparseable (rejected with their line).
 *
 * <p>System properties: bench.db (h2 | mariadb | postgresql), bench.rows (7000000), bench.dir (target/scale-bench),
 * bench.batch-size (the importer's batch, 1000 as in application.properties).
 */
public final class ImportBenchmark {

    private static final String DB_NAME = "sluice_bench_import";

    public static void main(String[] args) throws Exception {
        String vendor = System.getProperty("bench.db", "postgresql").toLowerCase(Locale.ROOT);
        long rows = Long.getLong("bench.rows", 7_000_000);
        Path dir = Path.of(System.getProperty("bench.dir", "target/scale-bench"));
        Files.createDirectories(dir);
        Path csv = dir.resolve("audience-" + rows + ".csv");
        long t = System.nanoTime();
        try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            out.write("email,first_name,plan\n");
            for (long i = 1; i <= rows; i++) {
                String email = i % 1000 == 7 ? "broken-" + i + "@@example.com"
                        : i % 100 == 3 ? "user" + i + "@mailinator.com" : "User" + i + "@Example.com";
                out.write(email + ",Ann " + i + ",free\n");
            }
        }
        say("generated %s (%,d rows, %,d MB) in %,d ms", csv, rows, Files.size(csv) >> 20, ms(t));

        String url = switch (vendor) {
            case "h2" -> "jdbc:h2:file:" + dir.resolve("h2-import/sluice").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
            case "mariadb" -> "jdbc:mariadb://127.0.0.1:3306/" + DB_NAME;
            default -> "jdbc:postgresql://127.0.0.1:5432/" + DB_NAME;
        };
        String user = vendor.equals("h2") ? "sa" : vendor.equals("mariadb") ? "root" : "postgres";
        admin(vendor, "DROP DATABASE IF EXISTS " + DB_NAME);
        admin(vendor, "CREATE DATABASE " + DB_NAME);
        Database database = new Database(url, user, "", 4);
        try {
            database.migrate();
            SqlFiles sql = new SqlFiles(database.vendor());
            int batchSize = Integer.getInteger("bench.batch-size", 1000);
            CampaignStore campaigns = new CampaignStore(database.dataSource(), sql, "broadcast");
            long campaign = campaigns.insert("import bench", "news@example.com", "Hello", "Hi", null, "broadcast");
            ValidationCache cache = new ValidationCache(database.dataSource(), sql, batchSize);
            AudienceImporter importer = new AudienceImporter(database.dataSource(), sql, campaigns, batchSize,
                    new LocalChecks(new DisposableDomains(""), false), cache);
            Rejects.Listed rejects = Rejects.listed(10);
            resetPeaks();
            t = System.nanoTime();
            ImportResult result;
            try (InputStream in = Files.newInputStream(csv)) {
                result = importer.importCsv(campaign, in, csv.getFileName().toString(), rejects);
            }
            long elapsed = ms(t);
            say("RESULT %s import of %,d rows: %s in %,d s = %,d rows/s; heap max %,d MB, peak used %,d MB", vendor, rows,
                    result.summary(), elapsed / 1000, rows * 1000 / Math.max(1, elapsed),
                    Runtime.getRuntime().maxMemory() >> 20, peakHeap() >> 20);
        } finally {
            database.close();
            Files.deleteIfExists(csv);
            if (!vendor.equals("h2")) {
                admin(vendor, "DROP DATABASE IF EXISTS " + DB_NAME);
            } else {
                try (var files = Files.walk(dir.resolve("h2-import"))) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            say("deleted the CSV and the database");
        }
    }

    private static void admin(String vendor, String statement) throws Exception {
        if (vendor.equals("h2")) {
            return;
        }
        try (Connection c = vendor.equals("mariadb")
                ? DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "")
                : DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static void say(String format, Object... args) {
        System.out.printf("%s %s%n", Instant.now().toString().substring(11, 19), String.format(format, args));
        System.out.flush();
    }
}
