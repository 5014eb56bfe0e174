package io.sluice.drills;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drill 2 (issue 18 item 1, issue 20 item 6): two jars on one MariaDB database; the second is killed (SIGKILL) while
 * it holds claims, restarted under a new id, killed again, N times; the first, the survivor, finishes the campaign.
 * Measured: the time from each kill until the survivor has taken back every claim the victim held (target:
 * heartbeat-timeout + one heartbeat), addresses delivered twice (0), recipients unaccounted (0), and the budget: claims
 * per cron period never above sendLimit, both as dispatch_budget records it and as the claimed rows' own timestamps say.
 */
final class TwoInstancesDrill extends Drill {

    private TwoInstancesDrill(String[] args) {
        super("two-instances", args);
    }

    public static void main(String[] args) {
        Drill.main(new TwoInstancesDrill(args));
    }

    private record Kill(int n, String victim, double upSeconds, double killedAfter, int held, Double takenBack) {
    }

    @Override
    void run() throws Exception {
        String mariadbServer = options.get("mariadb-server", "jdbc:mariadb://127.0.0.1:3306/");
        int kills = options.getInt("kills", 5);
        int n = options.getInt("n", 8000);
        int threads = options.getInt("threads", 15);
        int period = options.getInt("period-seconds", 2);
        int sendLimit = options.getInt("send-limit", 500);
        // Per process: with 500 claimed per tick, a tick sends for ~20 s, so the victim dies holding claims and the
        // survivor is mid-tick when it does (recovery must not wait for the survivor's next tick).
        int maxPerSecond = options.getInt("max-per-second", 25);
        int heartbeatMs = options.getInt("heartbeat-interval-ms", 1000);
        int heartbeatTimeout = options.getInt("heartbeat-timeout-seconds", 5);
        long killMin = options.getLong("kill-min-ms", 1000);
        long killMax = options.getLong("kill-max-ms", 8000);
        int claimsWait = options.getInt("claims-wait-seconds", 30);
        int startAttempts = options.getInt("start-attempts", 4);
        int takebackTimeout = options.getInt("takeback-timeout-seconds", 240);
        int finishTimeout = options.getInt("finish-timeout-seconds", 600);
        long seed = options.getLong("seed", System.nanoTime() % 100_000);
        List<String> jvm = jvmOptions();
        options.rejectUnknown();
        Random random = new Random(seed);
        double target = heartbeatTimeout + heartbeatMs / 1000.0;

        SmtpSink sink = closeLater(new SmtpSink());
        DrillDb db = closeLater(DrillDb.mariadb(mariadbServer, "root", ""));
        log("database " + db + "; " + sink);
        Path workA = workDir("a");
        Map<String, String> envA = env(sink, period, threads, db, "drill-a", maxPerSecond, heartbeatMs, heartbeatTimeout);
        SluiceJar a = closeLater(new SluiceJar("drill-a", workA, envA, jvm)).start();
        DrillCampaign campaign = DrillCampaign.create(a, "two", n);
        campaign.sendLimit(a, sendLimit);

        Map<Long, Integer> budgetSeen = new ConcurrentHashMap<>();
        Thread budgetPoller = new Thread(() -> pollBudget(db, budgetSeen), "drill-budget-poller");
        budgetPoller.setDaemon(true);
        budgetPoller.start();

        campaign.start(a);
        log("campaign " + campaign.id + ": " + n + " recipients, sendLimit " + sendLimit + " per " + period + " s");
        List<Kill> done = new ArrayList<>();
        int restarts = 0;
        try (Connection c = db.open()) {
            for (int k = 1; k <= kills; k++) {
                // The cluster's cron tick stays on the instance that holds the Quartz trigger (the survivor); a new
                // instance claims in its start-up tick, when that lands in a period the survivor's long tick left free.
                // One that got nothing holds nothing to take back: it is stopped cleanly and started again.
                String id = null;
                SluiceJar b = null;
                boolean claimed = false;
                double up = 0;
                for (int attempt = 1; attempt <= startAttempts && !claimed; attempt++) {
                    id = "drill-b-" + k + (attempt > 1 ? "-" + attempt : "");
                    String instance = id;
                    long t0 = System.currentTimeMillis();
                    b = closeLater(new SluiceJar(id, workDir("b-" + k + "-" + attempt),
                            env(sink, period, threads, db, id, maxPerSecond, heartbeatMs, heartbeatTimeout), jvm)).start();
                    up = seconds(t0);
                    claimed = waitFor(Duration.ofSeconds(claimsWait), 100, () -> claims(c, instance) > 0);
                    if (!claimed) {
                        log(id + " claimed nothing within " + claimsWait + " s: stopped and started again");
                        b.stop();
                        restarts++;
                    }
                }
                String victim = id;
                long firstClaim = System.currentTimeMillis();
                double killedAfter = 0;
                if (claimed) {
                    long delay = killMin + (long) (random.nextDouble() * (killMax - killMin));
                    pause(delay);
                    // kill while it holds claims: the point is the survivor taking them back
                    waitFor(Duration.ofSeconds(60), 20, () -> claims(c, victim) > 0);
                    killedAfter = seconds(firstClaim);
                }
                long killAt = System.currentTimeMillis();
                b.kill9();
                int held = claims(c, victim);
                Double takenBack = null;
                if (held > 0) {
                    boolean back = waitFor(Duration.ofSeconds(takebackTimeout), 100, () -> claims(c, victim) == 0);
                    takenBack = back ? (System.currentTimeMillis() - killAt) / 1000.0 : null;
                }
                done.add(new Kill(k, victim, up, killedAfter, held, takenBack));
                log(String.format("kill %d: %s up in %.1f s, killed %.1f s after its first claim holding %d claims; taken back %s",
                        k, victim, up, killedAfter, held, takenBack == null ? (held == 0 ? "-" : "NOT within " + takebackTimeout + " s")
                                : String.format("after %.1f s", takenBack)));
                if (!a.isAlive()) {
                    throw new IllegalStateException("the survivor died; log tail:\n" + a.tail(30));
                }
            }
        }
        long f0 = System.currentTimeMillis();
        boolean finished = waitFor(Duration.ofSeconds(finishTimeout), 1000, () -> DrillCampaign.settled(campaign.counts(a)));
        log("survivor: " + (finished ? "finished" : "NOT finished") + " " + String.format("%.0f", seconds(f0)) + " s after the last kill; "
                + campaign.counts(a));
        if (!finished) {
            a.dumpThreads("survivor did not finish in " + finishTimeout + " s");
        }
        budgetPoller.interrupt();
        a.stop();
        Accounting acc = Accounting.of(db, campaign.id, n, sink.copiesByAddress(campaign.id));
        int maxBudget = budgetSeen.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int maxByRows = maxClaimedPerPeriod(db, campaign.id, period * 1000L);

        Table perKill = new Table("two instances on MariaDB: victim killed while holding claims (target take-back <= "
                + target + " s = heartbeat-timeout + one heartbeat)", "kill", "victim", "up (s)",
                "killed (s after its first claim)", "claims held", "taken back by the survivor after (s)");
        List<Double> times = new ArrayList<>();
        int late = 0;
        int missing = 0;
        for (Kill k : done) {
            perKill.row(k.n(), k.victim(), String.format("%.1f", k.upSeconds()), String.format("%.1f", k.killedAfter()), k.held(),
                    k.takenBack() == null ? (k.held() == 0 ? "- (held nothing)" : "never") : String.format("%.1f", k.takenBack()));
            if (k.held() > 0) {
                if (k.takenBack() == null) {
                    missing++;
                } else {
                    times.add(k.takenBack());
                    if (k.takenBack() > target) {
                        late++;
                    }
                }
            }
        }
        table(perKill);
        Table summary = new Table("two instances: final accounting (" + n + " recipients, sendLimit " + sendLimit + " per "
                + period + " s)", "figure", "value", "target");
        summary.row("states", acc.statesLine(), "all in PENDING/SENT/SKIPPED/FAILED/UNKNOWN, none PENDING");
        summary.row("addresses accepted twice or more", acc.duplicates() + " (" + acc.extraCopies() + " extra copies)", 0);
        summary.row("unaccounted", acc.unaccounted(), 0);
        summary.row("SENT never accepted", acc.sentNeverAccepted(), 0);
        summary.row("take-back min / max (s)", times.isEmpty() ? "-" : String.format("%.1f / %.1f",
                times.stream().mapToDouble(Double::doubleValue).min().orElse(0), times.stream().mapToDouble(Double::doubleValue).max().orElse(0)),
                "<= " + target);
        summary.row("most claimed in one period (dispatch_budget, polled)", maxBudget, "<= " + sendLimit);
        summary.row("most rows claimed in one period (claimed_at)", maxByRows, "<= " + sendLimit);
        table(summary);
        for (String e : acc.examples()) {
            log("example: " + e);
        }
        long measured = done.stream().filter(k -> k.held() > 0).count();
        check("the victim held claims at its kills", measured == done.size(), measured + " of " + done.size() + " kills ("
                + restarts + " victims restarted for claiming nothing)");
        check("survivor took back every victim's claims within " + target + " s", late == 0 && missing == 0,
                late + " late, " + missing + " never; times " + times);
        check("the survivor finished the campaign", finished && acc.state("PENDING") == 0, acc.statesLine());
        check("0 addresses delivered twice", acc.duplicates() == 0, acc.duplicates() + " (" + acc.extraCopies() + " extra copies)");
        check("every recipient in an explicit state", acc.unaccounted() == 0, acc.unaccounted());
        check("no SENT row the server never accepted", acc.sentNeverAccepted() == 0, acc.sentNeverAccepted());
        check("budget: claims per period <= sendLimit (dispatch_budget)", maxBudget <= sendLimit, maxBudget);
        check("budget: rows claimed per period <= sendLimit (claimed_at)", maxByRows <= sendLimit, maxByRows);
    }

    private Map<String, String> env(SmtpSink sink, int period, int threads, DrillDb db, String id, int maxPerSecond,
                                    int heartbeatMs, int heartbeatTimeout) {
        Map<String, String> env = baseEnv(sink.port(), period, threads);
        env.putAll(db.env());
        env.put("SLUICE_INSTANCE_ID", id);
        env.put("SLUICE_DISPATCH_MAX_PER_SECOND", Integer.toString(maxPerSecond));
        env.put("SLUICE_CLUSTER_HEARTBEAT_INTERVAL_MS", Integer.toString(heartbeatMs));
        env.put("SLUICE_CLUSTER_HEARTBEAT_TIMEOUT", "PT" + heartbeatTimeout + "S");
        env.put("SLUICE_CLUSTER_CHECKIN_INTERVAL_MS", "2000");
        return env;
    }

    /** Rows still CLAIMED by this instance (claim tokens are {@code <instance id>/<n>}). */
    private static int claims(Connection c, String instanceId) {
        try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM recipient WHERE state = 'CLAIMED' AND claimed_by LIKE ?")) {
            q.setString(1, instanceId + "/%");
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** dispatch_budget forgets old periods: read it while the drill runs, keep the most each period ever held. */
    private static void pollBudget(DrillDb db, Map<Long, Integer> seen) {
        while (!Thread.currentThread().isInterrupted()) {
            try (Connection c = db.open(); PreparedStatement q = c.prepareStatement("SELECT period_end, claimed FROM dispatch_budget")) {
                while (!Thread.currentThread().isInterrupted()) {
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            seen.merge(rs.getLong(1), rs.getInt(2), Math::max);
                        }
                    }
                    Thread.sleep(300);
                }
            } catch (SQLException e) {
                pause(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Rows per cron period by their claim time (a row claimed again keeps only its last claim: a lower bound). */
    private static int maxClaimedPerPeriod(DrillDb db, long campaignId, long periodMillis) throws SQLException {
        Map<Long, Integer> perPeriod = new java.util.HashMap<>();
        try (Connection c = db.open();
             PreparedStatement q = c.prepareStatement("SELECT claimed_at FROM recipient WHERE campaign_id = ? AND claimed_at IS NOT NULL")) {
            q.setLong(1, campaignId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    Timestamp t = rs.getTimestamp(1);
                    perPeriod.merge(Math.floorDiv(t.getTime(), periodMillis), 1, Integer::sum);
                }
            }
        }
        return perPeriod.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
