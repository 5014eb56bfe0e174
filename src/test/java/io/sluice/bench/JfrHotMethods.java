package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A small text summary of JFR recordings made by {@link PipelineBenchmark} with -Dbench.profile=true: CPU samples by
 * area (self time), the hottest methods (self), the inclusive share of the methods that matter for Sluice, where
 * threads waited on locks, and CPU load / GC. Also runnable on its own: {@code JfrHotMethods file.jfr... [top]}.
 */
public final class JfrHotMethods {

    /** Areas, by the package of the top frame (first match wins). */
    private static final List<String[]> AREAS = List.of(
            new String[] {"io.sluice.", "Sluice code"},
            new String[] {"org.h2.", "H2 database"},
            new String[] {"com.zaxxer.hikari.", "HikariCP"},
            new String[] {"org.springframework.", "Spring JDBC"},
            new String[] {"org.apache.camel.component.sql.", "camel-sql"},
            new String[] {"org.apache.camel.language.simple.", "Camel Simple language"},
            new String[] {"org.apache.camel.", "Camel core/other"},
            new String[] {"org.eclipse.angus.", "Angus Mail (SMTP, encoders)"},
            new String[] {"jakarta.mail.", "Jakarta Mail API (MIME)"},
            new String[] {"jakarta.activation.", "Jakarta Activation"},
            new String[] {"org.eclipse.angus.activation.", "Jakarta Activation"},
            new String[] {"com.samskivert.", "JMustache"},
            new String[] {"com.fasterxml.", "Jackson"},
            new String[] {"org.apache.logging.", "Log4j"},
            new String[] {"com.sun.crypto.", "JDK crypto (HMAC)"},
            new String[] {"javax.crypto.", "JDK crypto (HMAC)"},
            new String[] {"sun.security.", "JDK security providers"},
            new String[] {"java.security.", "JDK security providers"},
            new String[] {"sun.nio.", "JDK socket / NIO"},
            new String[] {"java.net.", "JDK socket / NIO"},
            new String[] {"java.io.", "JDK java.io"},
            new String[] {"java.util.regex.", "JDK regex"},
            new String[] {"java.util.concurrent.", "JDK concurrency"},
            new String[] {"java.lang.invoke.", "JDK reflection / invoke"},
            new String[] {"java.lang.reflect.", "JDK reflection / invoke"},
            new String[] {"jdk.internal.reflect.", "JDK reflection / invoke"},
            new String[] {"java.", "JDK other"},
            new String[] {"jdk.", "JDK other"},
            new String[] {"sun.", "JDK other"});

    /** Inclusive time is reported for methods of these packages only (the rest are frames everything passes). */
    private static final List<String> INCLUSIVE = List.of("io.sluice.", "org.apache.camel.component.",
            "org.apache.camel.processor.idempotent.", "org.apache.camel.processor.Throttler", "org.apache.camel.language.simple.",
            "org.apache.camel.support.ExchangeHelper", "org.apache.camel.impl.engine.DefaultReactiveExecutor",
            "org.h2.command.", "org.h2.mvstore.MVStore.", "org.h2.engine.SessionLocal.commit", "com.zaxxer.hikari.pool.HikariPool.getConnection",
            "org.springframework.jdbc.core.JdbcTemplate.", "org.eclipse.angus.mail.smtp.SMTPTransport.",
            "jakarta.mail.internet.MimeMessage.", "jakarta.mail.internet.MimeMultipart.", "jakarta.mail.Session.",
            "javax.crypto.Mac.", "com.samskivert.mustache.", "com.fasterxml.jackson.databind.ObjectMapper.",
            "java.util.UUID.randomUUID", "java.net.SocketOutputStream.", "sun.nio.ch.NioSocketImpl.");

    /**
     * Pipeline steps, recognised by a frame on the stack: a sample counts for the first marker found walking from the
     * running method outwards, so nested steps (the send inside the idempotent consumer) are told apart.
     */
    private static final List<String[]> STEPS = List.of(
            new String[] {"io.sluice.mail.MailComposer.compose", "compose (MailComposer)"},
            new String[] {"io.sluice.mail.PooledMailSender.send", "SMTP send (PooledMailSender / Angus)"},
            new String[] {"org.eclipse.angus.mail.smtp.SMTPTransport.sendMessage", "SMTP send (PooledMailSender / Angus)"},
            new String[] {"org.apache.camel.component.mail.", "camel-mail producer around the send"},
            new String[] {"io.sluice.dispatch.DeliveryRecords.", "idempotent record INSERT (DeliveryRecords)"},
            new String[] {"org.apache.camel.processor.idempotent.", "idempotent consumer (Camel part)"},
            new String[] {"org.apache.camel.component.sql.", "validation lookup (camel-sql)"},
            new String[] {"io.sluice.dispatch.RecipientStore.markSent", "mark SENT (RecipientStore.markSent)"},
            new String[] {"io.sluice.dispatch.RecipientStore.claim", "claim (RecipientStore.claim)"},
            new String[] {"io.sluice.dispatch.ProgressLog.", "tick close (ProgressLog)"},
            new String[] {"io.sluice.dispatch.Dispatch.begin", "tick open"},
            new String[] {"org.apache.camel.processor.TotalRequestsThrottler", "throttle"},
            new String[] {"org.apache.camel.processor.Throttler", "throttle"},
            new String[] {"org.apache.camel.processor.RemoveHeadersProcessor", "removeHeaders"},
            new String[] {"org.apache.camel.component.bean.", "bean call binding (Camel bean component)"},
            new String[] {"org.apache.camel.language.simple.", "Simple expressions / predicates"},
            new String[] {"org.apache.camel.processor.MulticastProcessor", "split / parallel processing"},
            new String[] {"org.apache.camel.processor.Splitter", "split / parallel processing"},
            new String[] {"io.sluice.bench.", "benchmark harness (raw side)"});

    /** When no step marker is on the stack. */
    private static final List<String[]> GENERIC = List.of(
            new String[] {"org.apache.camel.management.", "Camel JMX statistics"},
            new String[] {"org.apache.camel.", "Camel routing engine (other)"});

    private JfrHotMethods() {
    }

    /** {@code JfrHotMethods [--callers METHOD_PREFIX] [top] file.jfr...} */
    public static void main(String[] args) throws IOException {
        int top = 30;
        String callersOf = null;
        String inside = null;
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--callers")) {
                callersOf = args[++i];
            } else if (args[i].equals("--inside")) {
                inside = args[++i];
            } else if (args[i].matches("\\d+")) {
                top = Integer.parseInt(args[i]);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (callersOf != null) {
            callers(files, callersOf, top);
        } else if (inside != null) {
            inside(files, inside, top);
        } else {
            print(files, top);
        }
    }

    /** What samples that run inside a method spend their time on: the 4 innermost frames, most frequent first. */
    public static void inside(List<Path> files, String method, int top) throws IOException {
        Map<String, Integer> paths = new HashMap<>();
        int samples = 0;
        int matching = 0;
        for (Path file : files) {
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                if (frames.stream().anyMatch(f -> name(f).startsWith(method))) {
                    matching++;
                    StringBuilder path = new StringBuilder();
                    for (int j = 0; j < Math.min(frames.size(), 4); j++) {
                        path.append(j == 0 ? "" : " < ").append(name(frames.get(j))).append(':').append(frames.get(j).getLineNumber());
                    }
                    paths.merge(path.toString(), 1, Integer::sum);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d of %d samples run inside %s; innermost frames:%n", matching, samples, method);
        int all = samples;
        paths.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "  %5.1f %%  %s%n", 100.0 * en.getValue() / all, en.getKey()));
    }

    /** The most frequent call paths (12 frames below the method) of samples that run inside a method. */
    public static void callers(List<Path> files, String method, int top) throws IOException {
        Map<String, Integer> paths = new HashMap<>();
        int samples = 0;
        int matching = 0;
        for (Path file : files) {
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                for (int i = 0; i < frames.size(); i++) {
                    if (name(frames.get(i)).startsWith(method)) {
                        matching++;
                        StringBuilder path = new StringBuilder();
                        for (int j = i; j < Math.min(frames.size(), i + 12); j++) {
                            path.append("\n      ").append(name(frames.get(j))).append(':').append(frames.get(j).getLineNumber());
                        }
                        paths.merge(path.toString(), 1, Integer::sum);
                        break;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d of %d samples run inside %s; top call paths:%n", matching, samples, method);
        int all = samples;
        paths.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "  %5.1f %%%s%n", 100.0 * en.getValue() / all, en.getKey()));
    }

    public static void print(List<Path> files, int top) throws IOException {
        print(files, top, List.of());
    }

    /** The summary of the events that start inside one of {@code windows} ({from, to} pairs; empty = all events). */
    public static void print(List<Path> files, int top, List<Instant[]> windows) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> areas = new HashMap<>();
        Map<String, Integer> steps = new HashMap<>();
        Map<String, Long> blocked = new HashMap<>();
        int samples = 0;
        double cpuJvm = 0;
        double cpuMachine = 0;
        int cpuEvents = 0;
        int gcs = 0;
        Duration gcPause = Duration.ZERO;
        for (Path file : files) {
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!inside(e.getStartTime(), windows)) {
                    continue;
                }
                String type = e.getEventType().getName();
                switch (type) {
                    case "jdk.ExecutionSample" -> {
                        RecordedStackTrace st = e.getStackTrace();
                        if (st == null || st.getFrames().isEmpty()) {
                            continue;
                        }
                        samples++;
                        String topMethod = name(st.getFrames().get(0));
                        self.merge(topMethod, 1, Integer::sum);
                        areas.merge(area(topMethod), 1, Integer::sum);
                        steps.merge(step(st), 1, Integer::sum);
                        Set<String> seen = new HashSet<>();
                        for (RecordedFrame f : st.getFrames()) {
                            String m = name(f);
                            if (INCLUSIVE.stream().anyMatch(m::startsWith) && seen.add(m)) {
                                inclusive.merge(m, 1, Integer::sum);
                            }
                        }
                    }
                    case "jdk.JavaMonitorEnter", "jdk.ThreadPark" -> {
                        RecordedStackTrace st = e.getStackTrace();
                        if (st == null || idleWorker(st)) {
                            continue;
                        }
                        blocked.merge(type.substring(4) + " at " + firstOwnFrame(st), e.getDuration().toMillis(), Long::sum);
                    }
                    case "jdk.CPULoad" -> {
                        cpuJvm += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                        cpuMachine += e.getFloat("machineTotal");
                        cpuEvents++;
                    }
                    case "jdk.GarbageCollection" -> {
                        gcs++;
                        gcPause = gcPause.plus(e.getDuration("sumOfPauses"));
                    }
                    default -> {
                    }
                }
            }
        }
        if (samples == 0) {
            System.out.println("  (no execution samples)");
            return;
        }
        int total = samples;
        if (cpuEvents > 0) {
            System.out.printf(Locale.ROOT, "  CPU load (mean of %d samples): JVM %.0f %%, whole machine %.0f %% (of all cores)%n",
                    cpuEvents, 100 * cpuJvm / cpuEvents, 100 * cpuMachine / cpuEvents);
        }
        System.out.printf(Locale.ROOT, "  GC: %d collections, %d ms of pauses%n", gcs, gcPause.toMillis());
        System.out.printf(Locale.ROOT, "  %d CPU samples. Self time by area:%n", samples);
        areas.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(en -> System.out.printf(Locale.ROOT, "    %5.1f %%  %s%n", 100.0 * en.getValue() / total, en.getKey()));
        System.out.printf(Locale.ROOT, "  CPU samples by pipeline step (innermost step on the stack):%n");
        steps.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(en -> System.out.printf(Locale.ROOT, "    %5.1f %%  %s%n", 100.0 * en.getValue() / total, en.getKey()));
        System.out.printf(Locale.ROOT, "  Hottest methods (self):%n");
        self.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "    %5.1f %%  %s%n", 100.0 * en.getValue() / total, en.getKey()));
        System.out.printf(Locale.ROOT, "  Inclusive time of selected methods (share of all samples):%n");
        inclusive.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "    %5.1f %%  %s%n", 100.0 * en.getValue() / total, en.getKey()));
        if (!blocked.isEmpty()) {
            System.out.printf(Locale.ROOT, "  Waiting on locks / parked (events over the JFR threshold, busy threads only), total ms:%n");
            blocked.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                    .forEach(en -> System.out.printf(Locale.ROOT, "    %7d ms  %s%n", en.getValue(), en.getKey()));
        }
    }

    private static boolean inside(Instant at, List<Instant[]> windows) {
        if (windows.isEmpty()) {
            return true;
        }
        for (Instant[] w : windows) {
            if (!at.isBefore(w[0]) && !at.isAfter(w[1])) {
                return true;
            }
        }
        return false;
    }

    private static String name(RecordedFrame frame) {
        RecordedMethod m = frame.getMethod();
        return m.getType().getName() + "." + m.getName();
    }

    private static String step(RecordedStackTrace st) {
        for (List<String[]> markers : List.of(STEPS, GENERIC)) {
            for (RecordedFrame f : st.getFrames()) {
                String m = name(f);
                for (String[] s : markers) {
                    if (m.startsWith(s[0])) {
                        return s[1];
                    }
                }
            }
        }
        return "other (outside the routes)";
    }

    private static String area(String method) {
        for (String[] a : AREAS) {
            if (method.startsWith(a[0])) {
                return a[1];
            }
        }
        return "other";
    }

    /** A pool thread waiting for its next task is idle, not blocked. */
    private static boolean idleWorker(RecordedStackTrace st) {
        for (RecordedFrame f : st.getFrames()) {
            String m = name(f);
            if (m.endsWith("ThreadPoolExecutor.getTask") || m.contains("ScheduledThreadPoolExecutor$DelayedWorkQueue.take")
                    || m.startsWith("org.h2.mvstore.MVStore$BackgroundWriterThread") || m.contains("CountDownLatch.await")) {
                return true;
            }
        }
        return false;
    }

    /** The first frame outside the JDK's concurrency plumbing: who waited. */
    private static String firstOwnFrame(RecordedStackTrace st) {
        for (RecordedFrame f : st.getFrames()) {
            String m = name(f);
            if (!m.startsWith("java.util.concurrent.") && !m.startsWith("jdk.internal.misc.") && !m.startsWith("java.lang.Object.")
                    && !m.startsWith("java.lang.Thread.")) {
                return m + ":" + f.getLineNumber();
            }
        }
        return st.getFrames().isEmpty() ? "?" : name(st.getFrames().get(0));
    }
}
