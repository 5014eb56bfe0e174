package io.sluice.drills;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Drill 1 (issue 18 item 1, issue 20): {@code kill -9} mid-send, N cycles, then the campaign finishes, then UNKNOWN is
 * settled against the Postmark stub. Each cycle starts the jar, waits until the sink accepts messages from it, lets
 * it send for a random 1-8 s and SIGKILLs it. Counted at the end in the database and at the sink: addresses delivered
 * twice (must be 0), recipients not in an explicit state (must be 0), UNKNOWN per crash against the README's bound
 * (threads + what was sent in the last outcome-max-delay), UNKNOWN left before and after settlement (must end at 0).
 */
final class Kill9Drill extends Drill {

    private Kill9Drill(String[] args) {
        super("kill9", args);
    }

    public static void main(String[] args) {
        Drill.main(new Kill9Drill(args));
    }

    private record Cycle(int n, double upSeconds, double killAfterSeconds, int acceptedInCycle, int sentInWindow,
                         long unknownBefore, Long unknownFromCrash, long restoredByJournal) {
    }

    /**
     * Delivery records the send journal put back at starts so far (H2 lost them in a crash): the jar logs each start's
     * count. Their recipients are UNKNOWN of the crash before, and the README's bound counts them.
     */
    private static long restoredByJournal(Path log) {
        long n = 0;
        try {
            java.util.regex.Pattern p = java.util.regex.Pattern.compile("came back without (\\d+) delivery records");
            for (String line : java.nio.file.Files.readAllLines(log)) {
                java.util.regex.Matcher m = p.matcher(line);
                if (m.find()) {
                    n += Long.parseLong(m.group(1));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no log yet
        }
        return n;
    }

    @Override
    void run() throws Exception {
        String dbKind = options.get("db", "h2");
        String mariadbServer = options.get("mariadb-server", "jdbc:mariadb://127.0.0.1:3306/");
        int cycles = options.getInt("cycles", 20);
        int n = options.getInt("n", 6000);
        int threads = options.getInt("threads", 15);
        int period = options.getInt("period-seconds", 2);
        int sendLimit = options.getInt("send-limit", 60);
        // The Throttle spreads each tick's sendLimit over most of its period, so a kill lands mid-send, not in the
        // quiet gap after a burst.
        int maxPerSecond = options.getInt("max-per-second", (int) Math.ceil(sendLimit * 1.25 / period));
        int finishLimit = options.getInt("finish-limit", 1000);
        long killMin = options.getLong("kill-min-ms", 1000);
        long killMax = options.getLong("kill-max-ms", 8000);
        long seed = options.getLong("seed", System.nanoTime() % 100_000);
        int finishTimeout = options.getInt("finish-timeout-seconds", 300);
        int settleTimeout = options.getInt("settle-timeout-seconds", 180);
        int settleQuiet = options.getInt("settle-quiet-seconds", 60);
        options.get("guard-grace", "PT10S");
        options.get("guard-period-seconds", "3");
        options.get("guard-timeout-ms", "2000");
        options.get("settle-delay", "PT5S");
        options.get("settle-period-seconds", "5");
        // The README's bound counts what the server accepted in the last outcome-max-delay (the flusher looks every
        // tenth of it) plus what it accepted while the outcome write was under way: this allowance stands for that
        // write (milliseconds idle; a few hundred on a 2-core machine at load 13).
        long writeAllowance = options.getLong("write-allowance-ms", 300);
        options.rejectUnknown();
        Random random = new Random(seed);

        Path work = workDir("jar");
        SmtpSink sink = closeLater(new SmtpSink());
        PostmarkStub stub = closeLater(new PostmarkStub(sink, POSTMARK_TOKEN));
        DrillDb db = closeLater(DrillDb.of(dbKind, work, mariadbServer));
        log("database " + db + "; " + sink + "; " + stub);

        Map<String, String> env = baseEnv(sink.port(), period, threads);
        env.putAll(db.env());
        // A fixed id, as a deployed instance has: on restart it takes back its own claims at once (H2 takes all).
        env.put("SLUICE_INSTANCE_ID", "drill-kill9");
        env.put("SLUICE_DISPATCH_MAX_PER_SECOND", Integer.toString(maxPerSecond));
        env.put("SLUICE_SMTP_TIMEOUT_MS", options.get("smtp-timeout-ms", "2000"));
        env.put("SLUICE_CLUSTER_HEARTBEAT_INTERVAL_MS", "1000");
        env.put("SLUICE_CLUSTER_HEARTBEAT_TIMEOUT", "PT5S");
        long outcomeDelay = Long.parseLong(env.getOrDefault("SLUICE_DISPATCH_OUTCOME_MAX_DELAY_MS",
                System.getenv().getOrDefault("SLUICE_DISPATCH_OUTCOME_MAX_DELAY_MS",
                        property(work, "sluice.dispatch.outcome-max-delay-ms", "100"))));
        long boundWindow = Math.round(outcomeDelay * 1.1) + writeAllowance;
        List<String> jvm = jvmOptions();

        List<Cycle> done = new ArrayList<>();
        DrillCampaign campaign = null;
        long previousUnknown = 0;
        long previousRestored = 0;
        long pendingKill = -1;
        int lastKillAccepted = 0;
        String ranOut = null;
        for (int i = 1; i <= cycles; i++) {
            long t0 = System.currentTimeMillis();
            SluiceJar jar = closeLater(new SluiceJar("cycle-" + i, work, env, jvm)).start();
            double up = seconds(t0);
            if (campaign == null) {
                campaign = DrillCampaign.create(jar, "k9", n);
                campaign.sendLimit(jar, sendLimit);
                campaign.start(jar);
                log("campaign " + campaign.id + ": " + n + " recipients, sendLimit " + sendLimit + " per " + period + " s");
            }
            Map<String, Long> counts = campaign.counts(jar);
            long unknownNow = counts == null ? -1 : counts.get("UNKNOWN");
            if (i > 1) {
                Cycle prev = done.get(done.size() - 1);
                long restored = restoredByJournal(jar.log());
                done.set(done.size() - 1, new Cycle(prev.n(), prev.upSeconds(), prev.killAfterSeconds(), prev.acceptedInCycle(),
                        prev.sentInWindow(), prev.unknownBefore(), unknownNow - previousUnknown, restored - previousRestored));
                previousRestored = restored;
            }
            previousUnknown = unknownNow;
            if (DrillCampaign.settled(counts)) {
                ranOut = "the campaign had nothing left to send at cycle " + i;
                jar.kill9();
                break;
            }
            int baseline = sink.acceptedCount();
            boolean sending = waitFor(Duration.ofSeconds(90), 50, () -> sink.acceptedCount() > baseline || !jar.isAlive());
            if (!sending || !jar.isAlive()) {
                throw new IllegalStateException("cycle " + i + ": nothing accepted within 90 s of start (alive " + jar.isAlive()
                        + "); log tail:\n" + jar.tail(30));
            }
            long sendingSince = System.currentTimeMillis();
            long delay = killMin + (long) (random.nextDouble() * (killMax - killMin));
            pause(Math.max(0, sendingSince + delay - System.currentTimeMillis()));
            long killAt = System.currentTimeMillis();
            jar.kill9();
            int inWindow = sink.acceptedBetween(killAt - boundWindow, killAt);
            int accepted = sink.acceptedCount() - baseline;
            done.add(new Cycle(i, up, delay / 1000.0, accepted, inWindow, unknownNow, null, 0));
            log(String.format("cycle %d: up in %.1f s, killed %.1f s into sending (pid %d), %d accepted this cycle, "
                    + "%d in the last %d ms", i, up, delay / 1000.0, jar.pid(), accepted, inWindow, boundWindow));
        }

        // Finish: restart once more, raise the limit, let it send everything (guard and settlement off).
        long t0 = System.currentTimeMillis();
        Map<String, String> finishEnv = new java.util.LinkedHashMap<>(env);
        finishEnv.remove("SLUICE_DISPATCH_MAX_PER_SECOND");
        env = finishEnv;
        SluiceJar finish = closeLater(new SluiceJar("finish", work, env, jvm)).start();
        Map<String, Long> counts = campaign.counts(finish);
        if (!done.isEmpty() && done.get(done.size() - 1).unknownFromCrash() == null && counts != null) {
            Cycle prev = done.remove(done.size() - 1);
            done.add(new Cycle(prev.n(), prev.upSeconds(), prev.killAfterSeconds(), prev.acceptedInCycle(), prev.sentInWindow(),
                    prev.unknownBefore(), counts.get("UNKNOWN") - previousUnknown, restoredByJournal(finish.log()) - previousRestored));
        }
        campaign.sendLimit(finish, finishLimit);
        DrillCampaign c = campaign;
        boolean finished = waitFor(Duration.ofSeconds(finishTimeout), 500, () -> DrillCampaign.settled(c.counts(finish)));
        log("finish: " + (finished ? "nothing pending or claimed" : "NOT finished") + " after " + seconds(t0) + " s: " + campaign.counts(finish));
        if (!finished) {
            finish.dumpThreads("finish did not end in " + finishTimeout + " s");
        }
        finish.stop();
        Accounting before = Accounting.of(db, campaign.id, n, sink.copiesByAddress(campaign.id));

        // Settlement: the same database with the Postmark stub (guard and settle on); UNKNOWN should end SENT or resent.
        Accounting after = before;
        String settleNote = "no UNKNOWN to settle";
        if (before.state("UNKNOWN") > 0 || before.state("PENDING") > 0) {
            Map<String, String> settleEnv = new java.util.LinkedHashMap<>(env);
            postmarkEnv(settleEnv, stub);
            SluiceJar settle = closeLater(new SluiceJar("settle", work, settleEnv, jvm)).start();
            settleNote = awaitSettlement(stub, settleTimeout, settleQuiet, () -> {
                Map<String, Long> now = c.counts(settle);
                return DrillCampaign.settled(now) && now.get("UNKNOWN") == 0;
            });
            log("settlement: " + settleNote);
            settle.stop();
            after = Accounting.of(db, campaign.id, n, sink.copiesByAddress(campaign.id));
        }

        Table perCycle = new Table("kill -9 cycles (" + db + ")", "cycle", "up (s)", "killed at (s into sending)",
                "accepted in cycle", "UNKNOWN from this crash", "records H2 lost (send journal)",
                "bound: threads + accepted in last " + boundWindow + " ms (1.1 x " + outcomeDelay + " + write " + writeAllowance + ") + records lost");
        List<Integer> perCrash = new ArrayList<>();
        int overBound = 0;
        for (Cycle cy : done) {
            // The README's bound: on H2 the recipients whose records H2 itself lost (put back by the journal) count too.
            int bound = threads + cy.sentInWindow() + (int) cy.restoredByJournal();
            perCycle.row(cy.n(), String.format("%.1f", cy.upSeconds()), String.format("%.1f", cy.killAfterSeconds()),
                    cy.acceptedInCycle(), cy.unknownFromCrash(), cy.restoredByJournal(), bound);
            if (cy.unknownFromCrash() != null) {
                perCrash.add(cy.unknownFromCrash().intValue());
                if (cy.unknownFromCrash() > bound) {
                    overBound++;
                }
            }
        }
        table(perCycle);
        Table summary = new Table("kill -9: final accounting (" + db + ", " + n + " recipients, " + done.size() + " kills, "
                + threads + " threads)", "figure", "before settlement", "after settlement", "target");
        summary.row("states", before.statesLine(), after.statesLine(), "all in PENDING/SENT/SKIPPED/FAILED/UNKNOWN");
        summary.row("addresses accepted twice or more", before.duplicates(), after.duplicates(), 0);
        summary.row("extra copies (max copies of one address)", before.extraCopies() + " (" + before.maxCopies() + ")",
                after.extraCopies() + " (" + after.maxCopies() + ")", "0 (1)");
        summary.row("unaccounted (CLAIMED, other, missing)", before.unaccounted(), after.unaccounted(), 0);
        summary.row("SENT never accepted by the server", before.sentNeverAccepted(), after.sentNeverAccepted(), 0);
        summary.row("UNKNOWN (accepted / not accepted)", before.state("UNKNOWN") + " (" + before.unknownAccepted() + " / "
                + before.unknownNotAccepted() + ")", after.state("UNKNOWN") + " (" + after.unknownAccepted() + " / "
                + after.unknownNotAccepted() + ")", "0 after settlement");
        summary.row("PENDING / FAILED though accepted", before.pendingButAccepted() + " / " + before.failedButAccepted(),
                after.pendingButAccepted() + " / " + after.failedButAccepted(), "0 / 0");
        summary.row("UNKNOWN per crash min / median / max", median(perCrash), "", "<= threads + sent in last outcome-max-delay");
        summary.row("settlement", "", settleNote, "");
        table(summary);
        for (String e : after.examples()) {
            log("example: " + e);
        }

        check("every cycle killed the jar mid-send", ranOut == null && done.size() == cycles, ranOut == null ? done.size() + " kills" : ranOut);
        check("campaign finished after the kills", finished, finished ? "nothing pending or claimed" : "still pending after " + finishTimeout + " s");
        check("0 addresses delivered twice (before settlement)", before.duplicates() == 0, before.duplicates() + " addresses, " + before.extraCopies() + " extra copies");
        check("0 addresses delivered twice (after settlement)", after.duplicates() == 0, after.duplicates() + " addresses, " + after.extraCopies() + " extra copies");
        check("every recipient in an explicit state", before.unaccounted() == 0 && after.unaccounted() == 0,
                "unaccounted " + before.unaccounted() + " / " + after.unaccounted());
        check("no SENT row the server never accepted", after.sentNeverAccepted() == 0, after.sentNeverAccepted());
        check("UNKNOWN per crash within threads + sent in the last outcome-max-delay (+ records H2 lost)", overBound == 0,
                overBound + " of " + perCrash.size() + " crashes over; min/median/max " + median(perCrash));
        check("0 UNKNOWN left after settlement", after.state("UNKNOWN") == 0, after.state("UNKNOWN") + " (" + settleNote + ")");
        check("every recipient SENT at the end", after.state("SENT") == n, after.statesLine());
    }
}
