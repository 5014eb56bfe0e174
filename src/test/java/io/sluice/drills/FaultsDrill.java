package io.sluice.drills;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drill 3 (issue 18 item 2, issue 20 "How it is judged"): one fault at a time, mid-send, each on a fresh jar and
 * database: the SMTP faults of {@link SmtpSink}, the Postmark statistics API hanging (mid-send and from the start),
 * and the database stopped for 15 s (a private mariadbd). Per fault: addresses delivered twice, FAILED, UNKNOWN
 * before and after settlement, every recipient SENT at the end, and the time to recover (first message accepted
 * after the fault ends). Targets: 0 duplicates, 0 FAILED, UNKNOWN at most 2 x threads and 0 after settlement.
 */
final class FaultsDrill extends Drill {

    static final List<String> ALL = List.of("greeting-421", "data-451", "drop-mid-data", "drop-after-dot", "slow-reply",
            "refused", "mail-421", "stats-hang", "stats-down-at-start", "db-down");

    private FaultsDrill(String[] args) {
        super("faults", args);
    }

    public static void main(String[] args) {
        Drill.main(new FaultsDrill(args));
    }

    private String dbKind;
    private String mariadbServer;
    private int n;
    private int threads;
    private int period;
    private int sendLimit;
    private int maxPerSecond;
    private int faultSeconds;
    private int dbDownSeconds;
    private int closedWithin;
    private int preSeconds;
    private int smtpTimeout;
    private int finishTimeout;
    private int settleTimeout;
    private int settleQuiet;
    private String retryAfter;
    private List<String> jvm;
    private Table table;

    @Override
    void run() throws Exception {
        List<String> faults = List.of(options.get("faults", String.join(",", ALL)).split(","));
        dbKind = options.get("db", "h2");
        mariadbServer = options.get("mariadb-server", "jdbc:mariadb://127.0.0.1:3306/");
        n = options.getInt("n", 2500);
        threads = options.getInt("threads", 15);
        period = options.getInt("period-seconds", 2);
        sendLimit = options.getInt("send-limit", 100);
        // The Throttle spreads each tick's sendLimit over most of its period: a fault lands mid-send, not in a gap.
        maxPerSecond = options.getInt("max-per-second", (int) Math.ceil(sendLimit * 1.25 / period));
        faultSeconds = options.getInt("fault-seconds", 20);
        dbDownSeconds = options.getInt("db-down-seconds", 15);
        closedWithin = options.getInt("guard-closed-within-seconds", 20);
        preSeconds = options.getInt("pre-seconds", 5);
        smtpTimeout = options.getInt("smtp-timeout-ms", 2000);
        finishTimeout = options.getInt("finish-timeout-seconds", 240);
        settleTimeout = options.getInt("settle-timeout-seconds", 120);
        settleQuiet = options.getInt("settle-quiet-seconds", 60);
        // A recipient returned to the pool waits this long (product default PT5M): short, so the drill ends in minutes,
        // yet long enough that a 20 s fault cannot use up sluice.dispatch.max-attempts (5) claims.
        retryAfter = options.get("retry-after", "PT15S");
        jvm = jvmOptions();
        options.get("guard-grace", "PT10S");
        options.get("guard-period-seconds", "3");
        options.get("guard-timeout-ms", "2000");
        options.get("settle-delay", "PT5S");
        options.get("settle-period-seconds", "5");
        options.rejectUnknown();
        for (String f : faults) {
            if (!ALL.contains(f)) {
                throw new IllegalArgumentException("unknown fault " + f + "; known: " + ALL);
            }
        }
        table = new Table("faults, one at a time mid-send (" + dbKind + " unless db-down; " + n + " recipients, sendLimit "
                + sendLimit + " per " + period + " s, " + threads + " threads, SMTP timeout " + smtpTimeout + " ms)",
                "fault", "lasted (s)", "accepted during", "duplicates", "FAILED", "UNKNOWN peak / looked up / end",
                "SENT at end", "unaccounted", "recovery (s)", "note");
        table(table);
        for (String fault : faults) {
            int mark = mark();
            try {
                runFault(fault);
            } catch (Exception e) {
                log(fault + ": drill error " + e);
                e.printStackTrace(System.out);
                check(fault + ": drill ran", false, e.toString());
                table.row(fault, "-", "-", "-", "-", "-", "-", "-", "-", "drill error: " + e.getMessage());
            } finally {
                closeTo(mark);
            }
        }
    }

    private void runFault(String fault) throws Exception {
        log("=== fault " + fault);
        Path work = workDir(fault);
        SmtpSink sink = closeLater(new SmtpSink());
        sink.slowReplyMillis(smtpTimeout + 1000L);
        PostmarkStub stub = closeLater(new PostmarkStub(sink, POSTMARK_TOKEN));
        MariaDbServer server = null;
        DrillDb db;
        if (fault.equals("db-down")) {
            server = closeLater(new MariaDbServer(work.resolve("mariadb")));
            server.start();
            db = closeLater(DrillDb.mariadb(server.url(), "root", ""));
        } else {
            db = closeLater(DrillDb.of(dbKind, work, mariadbServer));
        }
        Map<String, String> env = baseEnv(sink.port(), period, threads);
        env.putAll(db.env());
        postmarkEnv(env, stub);
        env.put("SLUICE_SMTP_TIMEOUT_MS", Integer.toString(smtpTimeout));
        env.put("SLUICE_DISPATCH_RETRY_AFTER", retryAfter);
        env.put("SLUICE_DISPATCH_MAX_PER_SECOND", Integer.toString(maxPerSecond));
        env.put("SLUICE_CLUSTER_HEARTBEAT_INTERVAL_MS", "1000");
        env.put("SLUICE_CLUSTER_HEARTBEAT_TIMEOUT", "PT5S");
        if (fault.equals("stats-down-at-start")) {
            stub.hang(true);
        }
        SluiceJar jar = closeLater(new SluiceJar(fault, work, env, jvm)).start();
        DrillCampaign campaign = DrillCampaign.create(jar, "f", n);
        campaign.sendLimit(jar, sendLimit);
        long started = System.currentTimeMillis();
        campaign.start(jar);

        long t0;
        if (fault.equals("stats-down-at-start")) {
            t0 = started;
        } else {
            if (!waitFor(Duration.ofSeconds(90), 50, () -> sink.acceptedCount() > 0 || !jar.isAlive())) {
                throw new IllegalStateException("nothing accepted within 90 s of the campaign start; log tail:\n" + jar.tail(30));
            }
            pause(preSeconds * 1000L);
            t0 = System.currentTimeMillis();
        }
        int acceptedAtT0 = sink.acceptedCount();
        AtomicLong unknownPeak = new AtomicLong();
        AtomicLong failedPeak = new AtomicLong();
        Thread monitor = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Map<String, Long> counts = campaign.counts(jar.status(Duration.ofSeconds(2)));
                if (counts != null) {
                    unknownPeak.accumulateAndGet(counts.get("UNKNOWN"), Math::max);
                    failedPeak.accumulateAndGet(counts.get("FAILED"), Math::max);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "drill-status-monitor");
        monitor.setDaemon(true);
        monitor.start();

        int lasted = switch (fault) {
            case "stats-hang" -> faultSeconds + closedWithin;
            case "db-down" -> dbDownSeconds;
            default -> faultSeconds;
        };
        switch (fault) {
            case "stats-hang" -> stub.hang(true);
            case "stats-down-at-start" -> {
            }
            case "db-down" -> server.stop();
            default -> sink.fault(SmtpSink.Fault.of(fault));
        }
        log(fault + ": on for " + lasted + " s");
        pause(Math.max(0, t0 + lasted * 1000L - System.currentTimeMillis()));
        switch (fault) {
            case "stats-hang", "stats-down-at-start" -> stub.hang(false);
            case "db-down" -> server.start();
            default -> sink.fault(SmtpSink.Fault.NONE);
        }
        // The fault ends when the statistics answer, the SMTP server behaves, or the database takes connections again.
        long t1 = System.currentTimeMillis();
        lasted = (int) Math.round((t1 - t0) / 1000.0);
        int acceptedDuring = sink.acceptedBetween(t0, t1);
        Map<String, Long> atEnd = campaign.counts(jar.status(Duration.ofSeconds(10)));
        log(fault + ": off after " + String.format("%.1f", (t1 - t0) / 1000.0) + " s; " + acceptedDuring
                + " accepted meanwhile; sink fault events " + sink.faultEvents() + "; status " + atEnd);

        long f0 = System.currentTimeMillis();
        boolean finished = waitFor(Duration.ofSeconds(finishTimeout), 1000,
                () -> !jar.isAlive() || DrillCampaign.settled(campaign.counts(jar)));
        log(fault + ": " + (finished ? "nothing pending or claimed" : "NOT finished") + " " + String.format("%.0f", seconds(f0))
                + " s after the fault; " + campaign.counts(jar));
        if (!finished) {
            jar.dumpThreads(fault + ": not finished in " + finishTimeout + " s");
        }
        String settleNote = "";
        Map<String, Long> now = campaign.counts(jar);
        if (now != null && now.get("UNKNOWN") > 0) {
            settleNote = awaitSettlement(stub, settleTimeout, settleQuiet, () -> {
                Map<String, Long> c = campaign.counts(jar);
                return DrillCampaign.settled(c) && c.get("UNKNOWN") == 0;
            });
            log(fault + ": settlement: " + settleNote);
        }
        monitor.interrupt();
        boolean alive = jar.isAlive();
        jar.stop();
        Accounting acc = Accounting.of(db, campaign.id, n, sink.copiesByAddress(campaign.id));
        long recoveredAt = sink.firstAcceptedAtOrAfter(t1);
        String recovery = recoveredAt < 0 ? "never" : String.format("%.1f", (recoveredAt - t1) / 1000.0);
        long unknownSeen = Math.max(unknownPeak.get(), Math.max(stub.searchedRecipients(), acc.state("UNKNOWN")));
        List<String> notes = new ArrayList<>();
        if (!alive) {
            notes.add("jar died");
        }
        if (!settleNote.isEmpty()) {
            notes.add(settleNote);
        }
        notes.add("sink events " + sink.faultEvents());
        if (fault.startsWith("stats")) {
            notes.add("stats calls " + stub.calls("stats") + " (" + stub.calls("stats-hung") + " hung)");
        }
        table.row(fault, lasted, acceptedDuring, acc.duplicates() + (acc.extraCopies() > acc.duplicates() ? " (" + acc.extraCopies()
                        + " extra copies)" : ""), acc.state("FAILED"),
                unknownPeak.get() + " / " + stub.searchedRecipients() + " / " + acc.state("UNKNOWN"), acc.state("SENT") + " of " + n,
                acc.unaccounted(), recovery, String.join("; ", notes));
        for (String e : acc.examples()) {
            log(fault + ": example: " + e);
        }

        check(fault + ": jar alive to the end", alive, alive ? "" : "the process exited");
        check(fault + ": 0 addresses delivered twice", acc.duplicates() == 0, acc.duplicates() + " addresses, " + acc.extraCopies() + " extra copies");
        check(fault + ": 0 FAILED", acc.state("FAILED") == 0 && failedPeak.get() == 0, acc.state("FAILED") + " at the end (" + acc.failedButAccepted()
                + " of them accepted by the server)");
        check(fault + ": UNKNOWN <= 2 x threads (" + 2 * threads + ")", unknownSeen <= 2L * threads,
                "peak " + unknownPeak.get() + ", looked up " + stub.searchedRecipients() + ", end " + acc.state("UNKNOWN"));
        check(fault + ": 0 UNKNOWN after settlement", acc.state("UNKNOWN") == 0, acc.state("UNKNOWN") + (settleNote.isEmpty() ? "" : " (" + settleNote + ")"));
        check(fault + ": every recipient SENT at the end", acc.state("SENT") == n && acc.unaccounted() == 0, acc.statesLine());
        check(fault + ": sending recovered after the fault", recoveredAt >= 0 || sink.acceptedCount() - acceptedAtT0 >= n,
                "first message accepted " + recovery + " s after the fault ended");
        if (fault.equals("stats-hang")) {
            int leaked = sink.acceptedBetween(t0 + closedWithin * 1000L, t1);
            check(fault + ": nothing accepted from " + closedWithin + " s into the hang until statistics answer", leaked == 0,
                    leaked + " accepted in that window");
        }
        if (fault.equals("stats-down-at-start")) {
            check(fault + ": nothing accepted while statistics were never read", acceptedDuring == 0, acceptedDuring + " accepted");
        }
    }
}
