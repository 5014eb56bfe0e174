package io.sluice.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import io.sluice.Sluice;
import io.sluice.audience.AudienceImporter;
import io.sluice.audience.ImportResult;
import io.sluice.audience.Rejects;
import io.sluice.campaign.CampaignStore;
import io.sluice.db.Database;
import io.sluice.db.SqlFiles;
import io.sluice.dispatch.Dispatch;
import io.sluice.dispatch.Recipient;
import io.sluice.dispatch.SendControl;
import io.sluice.mail.MailComposer;
import io.sluice.mail.PooledMailSender;
import io.sluice.validation.ValidationCache;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import jdk.jfr.Recording;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedProcessorMBean;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.apache.camel.main.Main;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Benchmark (not a test: surefire ignores it): the whole Sluice pipeline (one dispatch tick of N recipients, through
 * the YAML routes, H2, the idempotent consumer, MailComposer and the pooled SMTP sender) against raw Jakarta Mail
 * sending the same N messages over the same number of threads, each thread reusing one connected Transport, to the
 * same local SMTP sink, in the same JVM. Run it with bench/run.sh, which starts Postfix's smtp-sink.
 *
 * <p>System properties: bench.smtp.port (required), bench.smtp.host (127.0.0.1), bench.n (8000), bench.warmup
 * (2000,8000,8000: the sizes of the first warm-up ticks; more ticks of bench.n follow until one has under
 * bench.warmup.jit-ms (2000) of JIT compilation and a rate within 15 % of the previous one, or bench.warmup.max-ms
 * (120000) have passed), bench.runs (3), bench.threads (15), bench.dir (a fresh temp dir), bench.profile (false: when true, a JFR
 * recording of the whole run is written to bench.dir/bench.jfr and its measured phases are summarised).
 */
public final class PipelineBenchmark {

    private static final String SUBJECT = "{{first_name}}, the spring issue is out";
    private static final String TEXT = """
            Hello {{first_name}},

            The spring issue of our newsletter is out. This quarter: what changed in the product, three customer
            stories, and the dates of the next community calls. Read it online at https://news.example.com/spring.

            You get this email because you subscribed at example.com with {{email}}.
            Unsubscribe: {{unsubscribe_url}}
            """;
    private static final String HTML = """
            <!doctype html><html><body style="font-family:sans-serif">
            <h1>Hello {{first_name}},</h1>
            <p>The spring issue of our newsletter is out. This quarter: what changed in the product, three customer
            stories, and the dates of the next community calls.</p>
            <p><a href="https://news.example.com/spring">Read it online</a></p>
            <hr><p style="font-size:small">You get this email because you subscribed at example.com with {{email}}.
            <a href="{{unsubscribe_url}}">Unsubscribe</a></p>
            </body></html>
            """;

    /** Processor ids of the dispatch routes whose time is reported (see routes/*.camel.yaml). */
    private static final List<String> PROCESSORS = List.of(
            "dispatch-tick-open", "dispatch-tick-claim", "dispatch-tick-split", "dispatch-lane", "dispatch-tick-close",
            "recipient-send-keep-recipient", "recipient-send-skip-code", "recipient-send-once",
            "recipient-send-skip-duplicate", "recipient-send-throttle", "recipient-send-compose", "recipient-send-deliver",
            "mail-deliver-smtp-no-internal-headers", "mail-deliver-smtp-send", "mail-deliver-smtp-reply",
            "recipient-send-record-sent");

    private static final long SETTLE_MILLIS = Long.getLong("bench.settle-ms", 1000);
    /** A warm-up tick with less JIT compile time than this (ms, summed over compiler threads) counts as warm. */
    private static final long WARM_JIT_MILLIS = Long.getLong("bench.warmup.jit-ms", 2000);
    /** Warm-up ticks stop after this long even when not settled. */
    private static final long WARM_MAX_MILLIS = Long.getLong("bench.warmup.max-ms", 120_000);

    private final String smtpHost;
    private final int smtpPort;
    private final int n;
    private final int[] warmup;
    private final int runs;
    private final int threads;
    private final boolean profile;
    private final Path dir;
    /** The sink's delay per message (bench.sink.delay-ms, set by run.sh for its slow sink), 0 for smtp-sink. */
    private final long sinkDelayMillis;
    /** h2 (default) or mariadb (a scratch database on 127.0.0.1:3306, dropped at the end). */
    private final String db;
    private String scratchDatabase;
    private RawDurableSender rawDurable;

    private Main main;
    private CamelContext context;
    private CampaignStore campaigns;
    private AudienceImporter audience;
    private ValidationCache validation;
    private SendControl sendControl;
    private Dispatch dispatch;
    private MailComposer composer;
    private PooledMailSender pooledSender;
    private JdbcTemplate jdbc;
    private ProducerTemplate producer;
    private int campaignSeq;
    private long handedToSink;
    private double othersMax;

    private PipelineBenchmark() throws IOException {
        smtpHost = System.getProperty("bench.smtp.host", "127.0.0.1");
        String port = System.getProperty("bench.smtp.port");
        if (port == null) {
            throw new IllegalArgumentException("-Dbench.smtp.port=<port of a running smtp-sink> is required (use bench/run.sh)");
        }
        smtpPort = Integer.parseInt(port);
        sinkDelayMillis = Long.getLong("bench.sink.delay-ms", 0);
        // With a slow sink (15 threads x 100 ms: 150 msg/s at best) 8,000 messages would take almost a minute per phase.
        n = Integer.getInteger("bench.n", sinkDelayMillis > 0 ? 1500 : 8000);
        db = System.getProperty("bench.db", "h2").strip().toLowerCase(Locale.ROOT);
        if (!db.equals("h2") && !db.equals("mariadb")) {
            throw new IllegalArgumentException("-Dbench.db must be h2 or mariadb, got " + db);
        }
        warmup = Arrays.stream(System.getProperty("bench.warmup", sinkDelayMillis > 0 ? "" + n : "2000,8000,8000").split(","))
                .map(String::strip).filter(w -> !w.isEmpty()).mapToInt(Integer::parseInt).toArray();
        runs = Integer.getInteger("bench.runs", 3);
        threads = Integer.getInteger("bench.threads", 15);
        profile = Boolean.getBoolean("bench.profile");
        String d = System.getProperty("bench.dir");
        dir = d == null ? Files.createTempDirectory("sluice-bench") : Files.createDirectories(Path.of(d));
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("jakarta.mail.util.StreamProvider") == null) {
            System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
        }
        PipelineBenchmark bench = new PipelineBenchmark();
        int exit;
        try {
            exit = bench.run();
        } finally {
            bench.stop();
        }
        System.exit(exit);
    }

    private int run() throws Exception {
        say("Sluice pipeline vs raw durable JDBC + Jakarta Mail: %d messages per measured run, %d runs, %d threads, database %s,"
                        + " sink %s:%d (%s), %d cores, %s %s",
                n, runs, threads, db, smtpHost, smtpPort, sinkDelayMillis > 0 ? "answers each message after " + sinkDelayMillis + " ms" : "smtp-sink",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"));
        // One recording for the whole run, started before the warm-up: starting JFR disturbs the JIT for a while, which
        // the warm-up absorbs; the summaries keep only the events inside the measured phases.
        Recording recording = profile ? newRecording(System.getProperty("bench.profile.settings", "samples")) : null;
        if (recording != null) {
            recording.start();
        }
        long t0 = System.nanoTime();
        startSluice();
        say("Sluice started in %d ms (work dir %s)", ms(System.nanoTime() - t0), dir);

        // Warm-up: the whole pipeline and the raw path once each, so the JIT has compiled both before measuring.
        // On 2 busy cores the JIT compiler threads get a small share of the CPU next to 15 senders, so the pipeline
        // needs 30-60 s of sending before its rate levels off (see bench/README.md). Warm-up ticks go on until one
        // tick saw little compilation and a rate close to the previous one, within a time cap.
        long warmStart = System.nanoTime();
        double previousRate = 0;
        for (int i = 0; ; i++) {
            int size = i < warmup.length ? warmup[i] : n;
            long warmCampaign = prepareCampaign(size);
            PipelineRun warm = pipelineTick(warmCampaign, size);
            RawRun warmRaw = raw(loadRecipients(warmCampaign), true);
            RawRun warmDurable = rawDurable(size);
            say("warm-up %d: pipeline %d msgs in %d ms = %.0f msg/s | raw durable %d ms = %.0f msg/s | raw compose+send %d ms = %.0f msg/s",
                    i + 1, size, ms(warm.nanos), warm.rate(), ms(warmDurable.nanos), warmDurable.rate(), ms(warmRaw.nanos), warmRaw.rate());
            say("       pipeline: %s; SENT per second %s; other programs %.0f %% | raw: %s", warm.cpu.jvmActivity(), warm.timeline,
                    warm.cpu.othersPercent(), warmRaw.cpu.jvmActivity());
            boolean settled = size == n && warm.cpu.jitMillis() < WARM_JIT_MILLIS
                    && Math.abs(warm.rate() - previousRate) < 0.15 * warm.rate();
            previousRate = size == n ? warm.rate() : 0;
            if (i + 1 >= warmup.length && settled) {
                break;
            }
            if (i + 1 >= warmup.length && ms(System.nanoTime() - warmStart) > WARM_MAX_MILLIS) {
                say("warm-up stopped after %d s without settling: figures below may still include JIT warm-up",
                        ms(System.nanoTime() - warmStart) / 1000);
                break;
            }
        }

        List<PipelineRun> pipelineRuns = new ArrayList<>();
        List<RawRun> rawRuns = new ArrayList<>();
        List<RawRun> durableRuns = new ArrayList<>();
        List<RawRun> sendOnlyRuns = new ArrayList<>();
        Map<String, long[]> processorTotals = new LinkedHashMap<>();
        List<Instant[]> pipelineWindows = new ArrayList<>();
        List<Instant[]> rawWindows = new ArrayList<>();
        // Experiments: -Dbench.alternate.claim-chunk=1000,1000000 gives the measured runs each value in turn, so two
        // settings meet the same machine state; the per-value ratios are printed at the end.
        int[] chunks = Arrays.stream(System.getProperty("bench.alternate.claim-chunk", "").split(","))
                .map(String::strip).filter(w -> !w.isEmpty()).mapToInt(Integer::parseInt).toArray();
        Map<Integer, List<Double>> ratioByChunk = new LinkedHashMap<>();
        // -Dbench.alternate.write-delay=500,0 gives the measured runs each H2 WRITE_DELAY in turn (500 ms: H2's default
        // before Sluice made commits durable; 0: what Sluice runs now), to price durability in one run.
        int[] writeDelays = Arrays.stream(System.getProperty("bench.alternate.write-delay", "").split(","))
                .map(String::strip).filter(w -> !w.isEmpty()).mapToInt(Integer::parseInt).toArray();
        Map<Integer, List<Double>> ratioByWriteDelay = new LinkedHashMap<>();
        Map<Integer, List<Double>> rateByWriteDelay = new LinkedHashMap<>();
        for (int run = 1; run <= runs; run++) {
            if (chunks.length > 0) {
                dispatch.setClaimChunk(chunks[(run - 1) % chunks.length]);
                say("run %d: claim chunk %d", run, chunks[(run - 1) % chunks.length]);
            }
            if (writeDelays.length > 0) {
                jdbc.execute("SET WRITE_DELAY " + writeDelays[(run - 1) % writeDelays.length]);
                say("run %d: H2 WRITE_DELAY %d ms", run, writeDelays[(run - 1) % writeDelays.length]);
            }
            // The pipeline and the raw durable sender take turns at going first, so neither always meets the database or
            // the JIT in the state the other left.
            boolean durableFirst = run % 2 == 0;
            RawRun d = durableFirst ? rawDurable(n) : null;
            long campaign = prepareCampaign(n);
            Map<String, long[]> before = processorStatistics();
            PipelineRun p = pipelineTick(campaign, n);
            pipelineWindows.add(new Instant[] {p.from, p.to});
            pipelineRuns.add(p);
            Map<String, long[]> after = processorStatistics();
            after.forEach((id, v) -> {
                long[] b = before.getOrDefault(id, new long[2]);
                long[] t = processorTotals.computeIfAbsent(id, k -> new long[2]);
                t[0] += v[0] - b[0];
                t[1] += v[1] - b[1];
            });
            if (!durableFirst) {
                d = rawDurable(n);
            }
            durableRuns.add(d);
            // The same recipients (same ids, so the same Message-IDs' shape and unsubscribe tokens) for the raw side.
            Recipient[] recipients = loadRecipients(campaign);
            RawRun r = raw(recipients, true);
            rawWindows.add(new Instant[] {r.from, r.to});
            rawRuns.add(r);
            RawRun s = raw(recipients, false);
            sendOnlyRuns.add(s);
            if (chunks.length > 0) {
                ratioByChunk.computeIfAbsent(chunks[(run - 1) % chunks.length], k -> new ArrayList<>()).add(p.rate() / r.rate());
            }
            if (writeDelays.length > 0) {
                int delay = writeDelays[(run - 1) % writeDelays.length];
                ratioByWriteDelay.computeIfAbsent(delay, k -> new ArrayList<>()).add(p.rate() / r.rate());
                rateByWriteDelay.computeIfAbsent(delay, k -> new ArrayList<>()).add(p.rate());
            }
            say("run %d: pipeline %d msgs in %d ms = %.0f msg/s (first claim %d ms) | raw durable %d ms = %.0f msg/s (ratio %.1f %%%s)"
                            + " | raw compose+send %.0f msg/s | raw send-only %.0f msg/s",
                    run, n, ms(p.nanos), p.rate(), ms(p.claimNanos), ms(d.nanos), d.rate(), 100 * p.rate() / d.rate(),
                    durableFirst ? ", raw durable ran first" : "", r.rate(), s.rate());
            say("       JVM CPU per message: pipeline %.0f us, raw durable %.0f us, raw compose+send %.0f us, raw send-only %.0f us;"
                            + " machine busy: pipeline %.0f %%, raw durable %.0f %%, raw %.0f %%, send-only %.0f %%",
                    p.cpu.jvmMicrosPer(n), d.cpu.jvmMicrosPer(n), r.cpu.jvmMicrosPer(n), s.cpu.jvmMicrosPer(n),
                    p.cpu.machineBusyPercent(), d.cpu.machineBusyPercent(), r.cpu.machineBusyPercent(), s.cpu.machineBusyPercent());
            double others = Math.max(Math.max(p.cpu.othersPercent(), d.cpu.othersPercent()), r.cpu.othersPercent());
            say("       JVM CPU in the kernel: pipeline %.0f %%, raw durable %.0f %%, raw %.0f %%; share of the machine taken by the sink:"
                            + " pipeline %.0f %%, raw durable %.0f %%, raw %.0f %%; by other programs: pipeline %.0f %%, raw durable %.0f %%,"
                            + " raw %.0f %%%s",
                    p.cpu.jvmSysPercent(), d.cpu.jvmSysPercent(), r.cpu.jvmSysPercent(),
                    p.cpu.sinkPercent(), d.cpu.sinkPercent(), r.cpu.sinkPercent(),
                    p.cpu.othersPercent(), d.cpu.othersPercent(), r.cpu.othersPercent(),
                    others > 10 ? "  <-- OTHER LOAD ON THE MACHINE: this run is skewed" : "");
            othersMax = Math.max(othersMax, others);
            say("       pipeline: %s; SENT per second %s | raw durable: %s | raw: %s", p.cpu.jvmActivity(), p.timeline,
                    d.cpu.jvmActivity(), r.cpu.jvmActivity());
        }

        if (Boolean.getBoolean("bench.probes")) {
            claimProbe();
            stepProbe();
        }

        double pipelineRate = median(pipelineRuns.stream().mapToDouble(PipelineRun::rate).toArray());
        double rawRate = median(rawRuns.stream().mapToDouble(RawRun::rate).toArray());
        double sendOnlyRate = median(sendOnlyRuns.stream().mapToDouble(RawRun::rate).toArray());
        double durableRate = median(durableRuns.stream().mapToDouble(RawRun::rate).toArray());
        double tickMillis = median(pipelineRuns.stream().mapToDouble(p -> p.nanos / 1e6).toArray());
        double ratio = pipelineRate / rawRate;
        double durableRatio = pipelineRate / durableRate;
        double[] durableRatios = new double[runs];
        for (int i = 0; i < runs; i++) {
            durableRatios[i] = 100 * pipelineRuns.get(i).rate() / durableRuns.get(i).rate();
        }

        say("");
        say("Time inside the pipeline per processor, summed over the %d measured runs (%d exchanges each; wall time on %d threads):",
                runs, n, threads);
        say("  %-40s %10s %12s %10s", "processor id", "exchanges", "total ms", "mean ms");
        processorTotals.forEach((id, v) -> say("  %-40s %10d %12d %10.3f", id, v[0], v[1], v[0] == 0 ? 0.0 : (double) v[1] / v[0]));
        if (recording != null) {
            recording.stop();
            Path file = dir.resolve("bench.jfr");
            recording.dump(file);
            recording.close();
            say("");
            say("JFR %s, pipeline (the measured ticks only):", file);
            JfrHotMethods.print(List.of(file), 30, pipelineWindows);
            say("");
            say("JFR %s, raw compose+send (the measured runs only):", file);
            JfrHotMethods.print(List.of(file), 15, rawWindows);
        }

        say("");
        say("RESULT pipeline (Sluice tick)   : %8.0f msg/s  (median of %d runs: %s)", pipelineRate, runs,
                list(pipelineRuns.stream().mapToDouble(PipelineRun::rate).toArray()));
        say("RESULT raw durable (JDBC + Mail): %8.0f msg/s  (same claim, record before send, send, outcome batches and counters;"
                        + " median of %d runs: %s)", durableRate, runs, list(durableRuns.stream().mapToDouble(RawRun::rate).toArray()));
        say("RESULT ratio pipeline/raw durable: %7.1f %%   (ratio of the medians; goal >= 80 %%: %s; per run: %s)",
                durableRatio * 100, durableRatio >= 0.80 ? "MET" : "MISSED", list(durableRatios));
        say("RESULT raw Jakarta Mail (info)  : %8.0f msg/s  (compose+send, no database work, median of %d runs: %s)", rawRate, runs,
                list(rawRuns.stream().mapToDouble(RawRun::rate).toArray()));
        say("RESULT raw send-only (info)     : %8.0f msg/s  (pre-composed messages, median: %s)", sendOnlyRate,
                list(sendOnlyRuns.stream().mapToDouble(RawRun::rate).toArray()));
        ratioByChunk.forEach((chunk, ratios) -> say("RESULT claim chunk %7d: ratio pipeline/raw median %.1f %% (runs: %s)", chunk,
                100 * median(ratios.stream().mapToDouble(Double::doubleValue).toArray()),
                list(ratios.stream().mapToDouble(x -> 100 * x).toArray())));
        ratioByWriteDelay.forEach((delay, ratios) -> say("RESULT H2 WRITE_DELAY %4d ms: pipeline median %.0f msg/s, ratio pipeline/raw median %.1f %% (runs: %s)",
                delay, median(rateByWriteDelay.get(delay).stream().mapToDouble(Double::doubleValue).toArray()),
                100 * median(ratios.stream().mapToDouble(Double::doubleValue).toArray()),
                list(ratios.stream().mapToDouble(x -> 100 * x).toArray())));
        say("RESULT ratio pipeline/raw (info): %7.1f %%   (against compose+send without database work; the old goal was >= 70 %%)",
                ratio * 100);
        say("RESULT %d-send tick duration  : %8.0f ms   (median; goal < 5000 ms for 8,000 to the local sink: %s; runs: %s)", n, tickMillis,
                n == 8000 && sinkDelayMillis == 0 ? (tickMillis < 5000 ? "MET" : "MISSED") : "not this run",
                list(pipelineRuns.stream().mapToDouble(p -> p.nanos / 1e6).toArray()));
        if (sinkDelayMillis > 0) {
            double ceiling = threads * 1000.0 / sinkDelayMillis;
            say("RESULT slow sink, threads/latency: %d / %d ms = %.0f msg/s at most; pipeline %.1f %% of it (goal >= 95 %%: %s),"
                            + " raw durable %.1f %%, raw compose+send %.1f %%",
                    threads, sinkDelayMillis, ceiling, 100 * pipelineRate / ceiling, pipelineRate >= 0.95 * ceiling ? "MET" : "MISSED",
                    100 * durableRate / ceiling, 100 * rawRate / ceiling);
        }
        say("RESULT JVM CPU per message      : pipeline %.0f us, raw durable %.0f us, raw compose+send %.0f us, raw send-only %.0f us (medians)",
                median(pipelineRuns.stream().mapToDouble(p -> p.cpu.jvmMicrosPer(n)).toArray()),
                median(durableRuns.stream().mapToDouble(r -> r.cpu.jvmMicrosPer(n)).toArray()),
                median(rawRuns.stream().mapToDouble(r -> r.cpu.jvmMicrosPer(n)).toArray()),
                median(sendOnlyRuns.stream().mapToDouble(r -> r.cpu.jvmMicrosPer(n)).toArray()));
        say("RESULT messages handed to the sink by this run: %d", handedToSink);
        say("RESULT other programs took up to %.0f %% of the machine during a measured phase%s", othersMax,
                othersMax > 10 ? " (figures skewed: run again on a quiet machine)" : " (quiet machine)");
        return 0;
    }

    // ---------------------------------------------------------------- pipeline side

    private void startSluice() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        if (db.equals("mariadb")) {
            settings.put("sluice.db.url", createScratchDatabase());
            settings.put("sluice.db.username", MARIADB_USER);
            settings.put("sluice.db.password", "");
        } else {
            settings.put("sluice.db.url", "jdbc:h2:file:" + dir.resolve("db/bench").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE");
        }
        settings.put("sluice.delivery.mode", "smtp");
        settings.put("sluice.smtp.host", smtpHost);
        settings.put("sluice.smtp.port", Integer.toString(smtpPort));
        settings.put("sluice.http.host", "127.0.0.1");
        settings.put("sluice.http.port", Integer.toString(freePort()));
        settings.put("sluice.admin.token", "bench-token");
        settings.put("sluice.demo.enabled", "false");
        settings.put("sluice.dispatch.max-per-second", "100000");
        settings.put("sluice.dispatch.threads", Integer.toString(threads));
        settings.put("sluice.dispatch.cron", "0 0 0 1 1 ? 2099");
        settings.put("sluice.dispatch.first-tick-delay-ms", "3600000");
        settings.put("sluice.outbox.dir", dir.resolve("outbox").toString());
        settings.put("sluice.inbox.dir", dir.resolve("inbox").toString());
        settings.put("sluice.unsubscribe.base-url", "https://news.example.com");
        settings.put("sluice.unsubscribe.secret", "bench-unsubscribe-secret-not-for-production");
        // Nothing may leave the machine: no Postmark token (the guard stays off), an API URL on a closed loopback
        // port in case it is not, and the scheduled guard and suppression jobs never fire.
        settings.put("sluice.postmark.server-token", "");
        settings.put("sluice.postmark.api-url", "http://127.0.0.1:9");
        settings.put("sluice.guard.cron", "0 0 0 1 1 ? 2099");
        settings.put("sluice.suppressions.cron", "0 0 0 1 1 ? 2099");
        // Experiments: -Dbench.override.<key>=<value> sets any Sluice or Camel property; -Dbench.routes.override=DIR
        // runs routes/ with the same-named (or extra) YAML files of DIR in their place.
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.override."))
                .sorted().forEach(k -> settings.put(k.substring("bench.override.".length()), System.getProperty(k)));
        String routesOverride = System.getProperty("bench.routes.override", "");
        if (!routesOverride.isBlank()) {
            Path routes = Files.createDirectories(dir.resolve("routes"));
            try (var files = Files.list(Path.of("routes"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                    Files.copy(f, routes.resolve(f.getFileName()));
                }
            }
            try (var files = Files.list(Path.of(routesOverride))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                    Files.copy(f, routes.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    say("EXPERIMENT: route file %s replaced by %s", f.getFileName(), f);
                }
            }
            settings.put("camel.main.routesIncludePattern", "file:" + routes.toAbsolutePath() + "/*.camel.yaml");
        }
        settings.forEach((k, v) -> {
            if (System.getProperty("bench.override." + k) != null) {
                say("EXPERIMENT: %s = %s", k, v);
            }
        });
        main = Sluice.create();
        settings.forEach(main::addOverrideProperty);
        main.start();
        context = main.getCamelContext();
        campaigns = bean("campaignStore", CampaignStore.class);
        audience = bean("audienceImporter", AudienceImporter.class);
        validation = bean("validationCache", ValidationCache.class);
        sendControl = bean("sendControl", SendControl.class);
        dispatch = bean("dispatch", Dispatch.class);
        composer = bean("mailComposer", MailComposer.class);
        pooledSender = bean("pooledMailSender", PooledMailSender.class);
        jdbc = new JdbcTemplate(bean("dataSource", DataSource.class));
        producer = context.createProducerTemplate();
        rawDurable = new RawDurableSender(bean("instances", io.sluice.cluster.Instances.class).id(), bean("dataSource", DataSource.class), new SqlFiles(bean("database", Database.class).vendor()),
                composer, pooledSender.getJavaMailProperties(), smtpHost, smtpPort, threads,
                Integer.parseInt(setting("sluice.dispatch.claim-chunk")), Integer.parseInt(setting("sluice.dispatch.outcome-batch")),
                Long.parseLong(setting("sluice.dispatch.outcome-max-delay-ms")),
                Set.of(setting("sluice.dispatch.allowed-codes").split("\\s*,\\s*")),
                java.time.Duration.parse(setting("sluice.validation.max-age")));
    }

    private String setting(String key) {
        return context.getPropertiesComponent().resolveProperty(key)
                .orElseThrow(() -> new IllegalStateException("no setting " + key)).strip();
    }

    private static final String MARIADB_SERVER = System.getProperty("bench.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/");
    private static final String MARIADB_USER = System.getProperty("bench.mariadb.user", "root");

    /** A fresh, empty database on the local MariaDB for this run (dropped by stop(), or at exit); its JDBC URL. */
    private String createScratchDatabase() throws SQLException {
        scratchDatabase = "sluice_bench_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(MARIADB_SERVER, MARIADB_USER, "");
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + scratchDatabase);
            s.execute("CREATE DATABASE " + scratchDatabase);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::dropScratchDatabase));
        say("MariaDB scratch database %s created on %s", scratchDatabase, MARIADB_SERVER);
        return MARIADB_SERVER + scratchDatabase;
    }

    private synchronized void dropScratchDatabase() {
        if (scratchDatabase == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(MARIADB_SERVER, MARIADB_USER, "");
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + scratchDatabase);
            System.out.println("MariaDB scratch database " + scratchDatabase + " dropped");
            scratchDatabase = null;
        } catch (SQLException e) {
            System.err.println("Could not drop the scratch database " + scratchDatabase + ": " + e);
        }
    }

    private <T> T bean(String name, Class<T> type) {
        T bean = context.getRegistry().lookupByNameAndType(name, type);
        if (bean == null) {
            throw new IllegalStateException("no bean " + name + " of type " + type.getName() + " in the registry");
        }
        return bean;
    }

    /** A new RUNNING campaign with {@code count} validated recipients; earlier campaigns are paused. */
    private long prepareCampaign(int count) {
        for (var c : campaigns.all()) {
            if ("RUNNING".equals(c.state())) {
                campaigns.pause(c.id());
            }
        }
        int seq = ++campaignSeq;
        long id = campaigns.insert("bench " + seq, "News <news@example.com>", SUBJECT, TEXT, HTML, "broadcast");
        StringBuilder csv = new StringBuilder("email,first_name\n");
        StringBuilder results = new StringBuilder("email,code\n");
        for (int i = 0; i < count; i++) {
            String email = String.format(Locale.ROOT, "reader%d.%06d@example.com", seq, i);
            csv.append(email).append(",Reader").append(i).append('\n');
            results.append(email).append(",valid\n");
        }
        ImportResult v = validation.importResults(bytes(results), "bench-validation-" + seq + ".csv", "bench", Rejects.listed(5));
        ImportResult a = audience.importCsv(id, bytes(csv), "bench-audience-" + seq + ".csv", Rejects.listed(5));
        if (v.imported() != count || a.imported() != count) {
            throw new IllegalStateException("import failed: " + v.summary() + " / " + a.summary());
        }
        campaigns.start(id);
        sendControl.setSendLimit(count);
        return id;
    }

    private record PipelineRun(long nanos, long claimNanos, int count, Cpu cpu, String timeline, Instant from, Instant to) {
        double rate() {
            return count / (nanos / 1e9);
        }
    }

    /** CPU used during a phase: by this JVM (all threads) and by the whole machine (JVM, sink, everything). */
    record Cpu(long jvmNanos, long machineBusyTicks, long machineTotalTicks, long gcCount, long gcMillis, long jitMillis,
               long jvmTicks, long sinkTicks, long jvmSysTicks) {
        private static final String SINK_PID = System.getProperty("bench.sink.pid", "");

        /** utime + stime of a process in clock ticks (the unit of /proc/stat), or 0. */
        static long processTicks(String pid) {
            long[] t = processUserSys(pid);
            return t[0] + t[1];
        }

        /** {utime, stime} of a process in clock ticks, or zeros. */
        static long[] processUserSys(String pid) {
            if (pid.isBlank()) {
                return new long[2];
            }
            try {
                String stat = Files.readString(Path.of("/proc/" + pid.strip() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
            } catch (IOException | RuntimeException e) {
                return new long[2];
            }
        }

        static Cpu now() {
            long gcCount = 0;
            long gcMillis = 0;
            for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                gcCount += Math.max(0, gc.getCollectionCount());
                gcMillis += Math.max(0, gc.getCollectionTime());
            }
            var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            long jitMillis = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
            long jvm = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
            long busy = 0;
            long all = 0;
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                for (int i = 1; i < f.length && i <= 8; i++) {
                    long v = Long.parseLong(f[i]);
                    all += v;
                    if (i != 4 && i != 5) {
                        busy += v;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: machine figures stay 0
            }
            long[] self = processUserSys("self");
            return new Cpu(jvm, busy, all, gcCount, gcMillis, jitMillis, self[0] + self[1], processTicks(SINK_PID), self[1]);
        }

        Cpu since(Cpu before) {
            return new Cpu(jvmNanos - before.jvmNanos, machineBusyTicks - before.machineBusyTicks,
                    machineTotalTicks - before.machineTotalTicks, gcCount - before.gcCount, gcMillis - before.gcMillis,
                    jitMillis - before.jitMillis, jvmTicks - before.jvmTicks, sinkTicks - before.sinkTicks,
                    jvmSysTicks - before.jvmSysTicks);
        }

        /** Share of the JVM's CPU spent in the kernel (socket calls, futexes, context switches), 0-100. */
        double jvmSysPercent() {
            return jvmTicks == 0 ? 0 : 100.0 * jvmSysTicks / jvmTicks;
        }

        /** Share of the machine (all cores) used by the SMTP sink, 0-100. */
        double sinkPercent() {
            return machineTotalTicks == 0 ? 0 : 100.0 * sinkTicks / machineTotalTicks;
        }

        /** Share of the machine used by neither this JVM nor the sink (other programs: they skew the figures). */
        double othersPercent() {
            return machineTotalTicks == 0 ? 0 : Math.max(0, 100.0 * (machineBusyTicks - jvmTicks - sinkTicks) / machineTotalTicks);
        }

        /** GC and JIT activity during the phase. */
        String jvmActivity() {
            return String.format(Locale.ROOT, "GC %d collections %d ms, JIT %d ms", gcCount, gcMillis, jitMillis);
        }

        /** JVM CPU microseconds per message. */
        double jvmMicrosPer(int messages) {
            return jvmNanos / 1e3 / messages;
        }

        /** Share of all cores busy, 0-100. */
        double machineBusyPercent() {
            return machineTotalTicks == 0 ? 0 : 100.0 * machineBusyTicks / machineTotalTicks;
        }
    }

    /**
     * Before every timed phase: a short pause, so H2's background writes of the import just before are not billed to
     * the tick. No System.gc(): a full GC lets G1 shrink the heap, which would make the next phase collect more often.
     */
    private static void settle() throws InterruptedException {
        Thread.sleep(SETTLE_MILLIS);
    }

    private PipelineRun pipelineTick(long campaignId, int count) throws InterruptedException {
        settle();
        Timeline timeline = new Timeline(managed());
        Cpu cpuBefore = Cpu.now();
        Instant from = Instant.now();
        long start = System.nanoTime();
        try {
            // The benchmark drives its ticks inside one endless cron period: each gets a fresh period budget, as a cron tick would.
            jdbc.update("DELETE FROM dispatch_budget");
            producer.sendBody("direct:dispatch-tick", null);
        } finally {
            timeline.stop();
        }
        long nanos = System.nanoTime() - start;
        // The tick can return while OutcomeBatches' background flusher is still writing a batch it took just before the
        // tick's final flushAll (seen on MariaDB: 5 rows still CLAIMED right after the tick). Wait for it (up to 5 s) and
        // count the wait as tick time, so the figure is the time until every outcome is written, as on the raw side.
        long stillClaimed = claimedRows(campaignId);
        if (stillClaimed > 0) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (claimedRows(campaignId) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long late = System.nanoTime() - start - nanos;
            say("       (the tick returned with %d rows still CLAIMED; their outcomes were written %d ms later, counted in the tick's time)",
                    stillClaimed, ms(late));
            nanos += late;
        }
        Instant to = Instant.now();
        Cpu cpu = Cpu.now().since(cpuBefore);
        Map<String, Object> tick = dispatch.lastTick().toMap();
        Map<String, Long> states = new LinkedHashMap<>();
        jdbc.query("SELECT state, COUNT(*) AS n FROM recipient WHERE campaign_id = ? GROUP BY state",
                rs -> {
                    states.put(rs.getString("state"), rs.getLong("n"));
                }, campaignId);
        if (!Long.valueOf(count).equals(states.get("SENT")) || states.size() != 1
                || !Integer.valueOf(count).equals(tick.get("sent"))) {
            List<String> errors = jdbc.queryForList("SELECT DISTINCT last_error FROM recipient WHERE campaign_id = ? "
                    + "AND last_error IS NOT NULL LIMIT 5", String.class, campaignId);
            throw new IllegalStateException("tick of campaign " + campaignId + " did not send all " + count
                    + " recipients: states " + states + ", tick " + tick + ", errors " + errors);
        }
        handedToSink += count;
        return new PipelineRun(nanos, claimNanos(), count, cpu, timeline.toString(), from, to);
    }

    private long claimedRows(long campaignId) {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM recipient WHERE campaign_id = ? AND state = 'CLAIMED'", Long.class, campaignId);
        return n == null ? 0 : n;
    }

    /** Messages recorded SENT in each second of a tick (from the record-sent step's JMX counter), to spot stalls. */
    private static final class Timeline {
        private final Thread thread;
        private final List<Long> perSecond = new ArrayList<>();
        private volatile boolean running = true;

        Timeline(ManagedCamelContext managed) {
            ManagedProcessorMBean sent = managed == null ? null : managed.getManagedProcessor("recipient-send-record-sent");
            thread = new Thread(() -> {
                if (sent == null) {
                    return;
                }
                long last = sent.getExchangesCompleted();
                while (running) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long now = sent.getExchangesCompleted();
                    synchronized (perSecond) {
                        perSecond.add(now - last);
                    }
                    last = now;
                }
            }, "bench-timeline");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            thread.interrupt();
        }

        @Override
        public String toString() {
            synchronized (perSecond) {
                return perSecond.toString();
            }
        }
    }

    /**
     * Times RecipientStore.claim on fresh campaigns of n recipients: the serial claim at the start of every tick, as
     * one claim of n (a tick claims its first chunk only before it sends).
     */
    private void claimProbe() throws Exception {
        DataSource ds = bean("dataSource", DataSource.class);
        var sql = new io.sluice.db.SqlFiles(bean("database", io.sluice.db.Database.class).vendor());
        var store = new io.sluice.dispatch.RecipientStore(ds, sql, "probe");
        for (int probe = 1; probe <= 3; probe++) {
            prepareCampaign(n);
            settle();
            long t = System.nanoTime();
            int claimed = store.claim(n).size();
            say("claim probe %d: RecipientStore.claim(%d) took %d rows in %d ms", probe, n, claimed, ms(System.nanoTime() - t));
            jdbc.update("UPDATE recipient SET state = 'SENT', claimed_by = NULL WHERE claimed_by LIKE 'probe/%'");
        }
        // ProgressLog.log reads the counters and (at most once a minute) the waiting-for-validation count.
        var stats = new io.sluice.dispatch.RecipientStats(ds, sql, java.time.Duration.ofMinutes(1));
        long rows = jdbc.queryForObject("SELECT COUNT(*) FROM recipient", Long.class);
        // Only the first call counts: H2 reuses a query's result while the tables it reads are unchanged.
        long t = System.nanoTime();
        stats.byCampaign();
        say("progress probe: RecipientStats.byCampaign() over %d recipient rows: %d ms", rows, ms(System.nanoTime() - t));
    }

    /**
     * The per-message steps of recipient-send called one at a time on one thread, with that thread's CPU time: what
     * each step costs on its own, without contention (H2 is embedded, so its work is on the calling thread too).
     */
    private void stepProbe() throws Exception {
        long campaign = prepareCampaign(n);
        Recipient[] recipients = loadRecipients(campaign);
        var threadMx = java.lang.management.ManagementFactory.getThreadMXBean();
        var records = bean("deliveryRecords", io.sluice.dispatch.DeliveryRecords.class);
        var store = bean("recipientStore", io.sluice.dispatch.RecipientStore.class);
        // Claimed as a tick would (and with the attempt counted), so markSent finds them CLAIMED.
        List<Recipient> claimed = store.claim(n);
        Recipient[] claimedArray = claimed.toArray(new Recipient[0]);
        Map<String, java.util.function.IntConsumer> steps = new LinkedHashMap<>();
        steps.put("validation lookup, ValidationCache.lookup bean (same SQL)", i -> {
            if (!"valid".equals(validation.lookup(recipients[i].emailKey()))) {
                throw new IllegalStateException("lookup failed");
            }
        });
        steps.put("DeliveryRecords.add (idempotent record INSERT)", i -> records.add("probe:" + campaign + ":" + i));
        steps.put("MailComposer.compose", i -> {
            try {
                composer.compose(recipients[i]);
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        });
        steps.put("RecipientStore.markSent (UPDATE ... WHERE id = ? AND state = 'CLAIMED')",
                i -> store.markSent(claimedArray[i], "250 2.0.0 Ok"));
        say("");
        say("Step probe: each step called %d times on one thread (after 1000 warm-up calls), CPU and wall time per call:", n - 1000);
        for (var step : steps.entrySet()) {
            for (int i = 0; i < 1000; i++) {
                step.getValue().accept(i);
            }
            long cpu = threadMx.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            for (int i = 1000; i < n; i++) {
                step.getValue().accept(i);
            }
            int calls = n - 1000;
            say("  %-75s %7.0f us CPU %7.0f us wall", step.getKey(), (threadMx.getCurrentThreadCpuTime() - cpu) / 1e3 / calls,
                    (System.nanoTime() - wall) / 1e3 / calls);
        }
        jdbc.update("UPDATE recipient SET state = 'SENT', claimed_by = NULL WHERE campaign_id = ? AND state = 'CLAIMED'", campaign);
    }

    private Recipient[] loadRecipients(long campaignId) {
        return jdbc.query("SELECT id, campaign_id, email, email_key, fields, attempts FROM recipient WHERE campaign_id = ? ORDER BY id",
                (rs, i) -> new Recipient(rs.getLong("id"), rs.getLong("campaign_id"), rs.getString("email"),
                        rs.getString("email_key"), rs.getString("fields"), rs.getInt("attempts"), "valid"), campaignId)
                .toArray(new Recipient[0]);
    }

    // ---------------------------------------------------------------- raw side

    private record RawRun(long nanos, int count, Cpu cpu, Instant from, Instant to) {
        double rate() {
            return count / (nanos / 1e9);
        }
    }

    /**
     * The like-for-like baseline on a fresh campaign of {@code count} recipients: {@link RawDurableSender} claims, records,
     * sends and writes the outcomes with plain JDBC and Jakarta Mail on the same database, sink and number of threads.
     * Afterwards every row must be SENT, the counters must say so and every recipient must have its delivery record.
     */
    private RawRun rawDurable(int count) throws Exception {
        long campaign = prepareCampaign(count);
        Cpu[] before = new Cpu[1];
        Cpu[] cpu = new Cpu[1];
        Instant[] window = new Instant[2];
        RawDurableSender.Result result = rawDurable.run(count, new RawDurableSender.Window() {
            @Override
            public void opening() throws Exception {
                settle();
                before[0] = Cpu.now();
                window[0] = Instant.now();
            }

            @Override
            public void closed() {
                cpu[0] = Cpu.now().since(before[0]);
                window[1] = Instant.now();
            }
        });
        Map<String, long[]> states = RawDurableSender.states(bean("dataSource", DataSource.class), campaign);
        long[] sent = states.getOrDefault("SENT", new long[2]);
        boolean otherStates = states.entrySet().stream().anyMatch(e -> !e.getKey().equals("SENT") && (e.getValue()[0] != 0 || e.getValue()[1] != 0));
        Integer records = jdbc.queryForObject("SELECT COUNT(*) FROM delivery_record WHERE processor_name = ? AND message_id LIKE ?",
                Integer.class, RawDurableSender.PROCESSOR, campaign + ":%");
        if (result.sent() != count || sent[0] != count || sent[1] != count || otherStates || records == null || records != count) {
            StringBuilder found = new StringBuilder();
            states.forEach((state, v) -> found.append(state).append(" rows ").append(v[0]).append(" counted ").append(v[1]).append("; "));
            throw new IllegalStateException("raw durable run of campaign " + campaign + " did not send all " + count + ": sent "
                    + result.sent() + ", skipped " + result.skipped() + ", " + found + "delivery records " + records);
        }
        handedToSink += result.sent();
        return new RawRun(result.nanos(), count, cpu[0], window[0], window[1]);
    }

    /**
     * Sends one message per recipient over {@code threads} threads, each with its own connected Transport (connected
     * before the clock starts, as the pipeline's pooled connections are after the warm-up). When {@code compose} is
     * true each message is built with Sluice's MailComposer inside the timed loop (what the pipeline does per
     * message); when false they are composed before the clock starts (send cost only).
     */
    private RawRun raw(Recipient[] recipients, boolean compose) throws Exception {
        Properties props = new Properties();
        props.putAll(pooledSender.getJavaMailProperties());
        Session session = Session.getInstance(props);
        MimeMessage[] prepared = null;
        if (!compose) {
            prepared = new MimeMessage[recipients.length];
            for (int i = 0; i < recipients.length; i++) {
                prepared[i] = composer.compose(recipients[i]);
            }
        }
        MimeMessage[] messages = prepared;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch connected = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                Transport transport = null;
                try {
                    transport = session.getTransport("smtp");
                    transport.connect(smtpHost, smtpPort, null, null);
                    connected.countDown();
                    go.await();
                    int i;
                    while ((i = next.getAndIncrement()) < recipients.length && failure.get() == null) {
                        MimeMessage message = compose ? composer.compose(recipients[i]) : messages[i];
                        transport.sendMessage(message, message.getAllRecipients());
                        sent.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    connected.countDown();
                } finally {
                    done.countDown();
                    if (transport != null) {
                        try {
                            transport.close();
                        } catch (Exception ignored) {
                            // the sink may already be gone
                        }
                    }
                }
            }, "raw-" + t);
            worker.start();
            workers.add(worker);
        }
        connected.await();
        settle();
        Cpu cpuBefore = Cpu.now();
        Instant from = Instant.now();
        long start = System.nanoTime();
        go.countDown();
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("raw send did not finish in 120 s");
        }
        long nanos = System.nanoTime() - start;
        Instant to = Instant.now();
        Cpu cpu = Cpu.now().since(cpuBefore);
        for (Thread w : workers) {
            w.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("raw send failed", failure.get());
        }
        if (sent.get() != recipients.length) {
            throw new IllegalStateException("raw send sent " + sent.get() + " of " + recipients.length);
        }
        handedToSink += sent.get();
        return new RawRun(nanos, recipients.length, cpu, from, to);
    }

    // ---------------------------------------------------------------- statistics, profiling

    private ManagedCamelContext managed() {
        return context.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class);
    }

    /** The tick's recipients-claim step: its first chunk (the threads claim the others while they send). */
    private long claimNanos() {
        ManagedCamelContext m = managed();
        ManagedProcessorMBean p = m == null ? null : m.getManagedProcessor("dispatch-tick-claim");
        return p == null ? 0 : p.getLastProcessingTime() * 1_000_000L;
    }

    /** Exchanges and total processing time (ms) of each reported processor and route, as counted so far. */
    private Map<String, long[]> processorStatistics() {
        Map<String, long[]> stats = new LinkedHashMap<>();
        ManagedCamelContext m = managed();
        if (m == null) {
            return stats;
        }
        for (String id : PROCESSORS) {
            ManagedProcessorMBean p = m.getManagedProcessor(id);
            if (p != null) {
                stats.put(id, new long[] {p.getExchangesCompleted() + p.getExchangesFailed(), p.getTotalProcessingTime()});
            }
        }
        for (String route : List.of("recipient-send", "mail-deliver-smtp")) {
            ManagedRouteMBean r = m.getManagedRoute(route);
            if (r != null) {
                stats.put("route " + route, new long[] {r.getExchangesCompleted() + r.getExchangesFailed(), r.getTotalProcessingTime()});
            }
        }
        return stats;
    }

    /**
     * "samples" (the default): CPU samples every 20 ms and the CPU load only, the least disturbing; "default" or
     * "profile": the JDK's configurations, which also record locks, allocation and more, and slow the run down.
     */
    private static Recording newRecording(String settings) throws Exception {
        if (!settings.equals("samples")) {
            return new Recording(jdk.jfr.Configuration.getConfiguration(settings));
        }
        Recording recording = new Recording();
        recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(20));
        recording.enable("jdk.CPULoad").withPeriod(java.time.Duration.ofSeconds(1));
        recording.enable("jdk.GarbageCollection");
        return recording;
    }

    // ---------------------------------------------------------------- helpers

    private void stop() {
        if (main != null) {
            try {
                main.stop();
            } catch (Exception e) {
                System.err.println("Sluice did not stop cleanly: " + e);
            }
        }
        dropScratchDatabase();
    }

    private static ByteArrayInputStream bytes(CharSequence text) {
        return new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String list(double[] values) {
        StringBuilder out = new StringBuilder();
        for (double v : values) {
            out.append(out.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", v));
        }
        return out.toString();
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    static void say(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
