package io.sluice.drills;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Postmark's API as far as Sluice uses it, on loopback, answered from what the {@link SmtpSink} accepted:
 * <ul>
 * <li>{@code GET /stats/outbound}: healthy figures (Sent = messages the sink accepted, no bounces, no complaints); in
 * "hang" mode each call made meanwhile answers only after {@code hangMillis} (30 s), as a stuck API does;</li>
 * <li>{@code GET /messages/outbound}: the documented outbound message search (required {@code count} ≤ 500 and
 * {@code offset}, count + offset ≤ 10,000; filters {@code recipient}, {@code messagestream}, {@code fromdate} /
 * {@code todate} in US Eastern time, inclusive, {@code status}, {@code metadata_<key>}), newest first, answering
 * {@code TotalCount} and {@code Messages[]} with MessageID, To, Recipients, ReceivedAt, MessageStream, Metadata,
 * Status "Sent";</li>
 * <li>{@code GET /message-streams} and the suppressions dump: one broadcast stream, no suppressions.</li>
 * </ul>
 * Every call needs {@code X-Postmark-Server-Token} (401 with Postmark's error shape otherwise).
 */
final class PostmarkStub implements AutoCloseable {

    static final ZoneId EASTERN = ZoneId.of("America/New_York");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "drill-postmark");
        t.setDaemon(true);
        return t;
    });
    private final SmtpSink sink;
    private final String token;
    private volatile boolean hang;
    private volatile long hangMillis = 30_000;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Set<String> searchedRecipients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger statsInFlight = new AtomicInteger();

    PostmarkStub(SmtpSink sink, String token) throws IOException {
        this.sink = sink;
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Statistics calls made while on answer after {@code hangMillis}; calls made after it is off answer at once. */
    void hang(boolean on) {
        hang = on;
    }

    void hangMillis(long millis) {
        hangMillis = millis;
    }

    int calls(String kind) {
        AtomicInteger n = calls.get(kind);
        return n == null ? 0 : n.get();
    }

    /** Distinct recipients the message search was asked about (what settlement looked up). */
    int searchedRecipients() {
        return searchedRecipients.size();
    }

    private void count(String kind) {
        calls.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (!token.equals(exchange.getRequestHeaders().getFirst("X-Postmark-Server-Token"))) {
                count("unauthorized");
                answer(exchange, 401, Map.of("ErrorCode", 10, "Message",
                        "No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either "
                                + "X-Postmark-Server-Token or X-Postmark-Account-Token."));
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                count("other");
                answer(exchange, 405, Map.of("ErrorCode", 0, "Message", "Method not allowed"));
                return;
            }
            if (path.equals("/stats/outbound")) {
                stats(exchange);
            } else if (path.equals("/messages/outbound")) {
                search(exchange, query);
            } else if (path.equals("/message-streams")) {
                count("message-streams");
                answer(exchange, 200, Map.of("TotalCount", 1, "MessageStreams", List.of(Map.of("ID", "broadcast",
                        "ServerID", 1, "Name", "Broadcasts", "MessageStreamType", "Broadcasts"))));
            } else if (path.matches("/message-streams/[^/]+/suppressions/dump")) {
                count("suppressions");
                answer(exchange, 200, Map.of("Suppressions", List.of()));
            } else {
                count("other " + path);
                answer(exchange, 404, Map.of("ErrorCode", 0, "Message", "drill stub: no such endpoint " + path));
            }
        }
    }

    private void stats(HttpExchange exchange) throws IOException {
        count("stats");
        if (hang) {
            count("stats-hung");
            statsInFlight.incrementAndGet();
            try {
                Thread.sleep(hangMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                statsInFlight.decrementAndGet();
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("Sent", sink.acceptedCount());
        figures.put("Bounced", 0);
        figures.put("SMTPApiErrors", 0);
        figures.put("BounceRate", 0.0);
        figures.put("SpamComplaints", 0);
        figures.put("SpamComplaintsRate", 0.0);
        figures.put("Opens", 0);
        figures.put("UniqueOpens", 0);
        figures.put("Tracked", 0);
        figures.put("WithClientRecorded", 0);
        figures.put("WithPlatformRecorded", 0);
        figures.put("WithReadTimeRecorded", 0);
        answer(exchange, 200, figures);
    }

    private void search(HttpExchange exchange, Map<String, String> q) throws IOException {
        count("messages-search");
        Integer count = integer(q.get("count"));
        Integer offset = integer(q.get("offset"));
        if (count == null || offset == null || count < 1 || count > 500 || offset < 0 || count + offset > 10_000) {
            answer(exchange, 422, Map.of("ErrorCode", 0, "Message",
                    "The 'count' (1-500) and 'offset' parameters are required; count + offset cannot exceed 10,000."));
            return;
        }
        Instant from;
        Instant to;
        try {
            from = q.containsKey("fromdate") ? eastern(q.get("fromdate"), false) : null;
            to = q.containsKey("todate") ? eastern(q.get("todate"), true) : null;
        } catch (DateTimeParseException e) {
            answer(exchange, 422, Map.of("ErrorCode", 0, "Message", "Invalid date: " + e.getParsedString()));
            return;
        }
        String recipient = q.get("recipient");
        if (recipient != null) {
            searchedRecipients.add(recipient.toLowerCase(Locale.ROOT));
        }
        String stream = q.get("messagestream");
        String status = q.get("status");
        List<SmtpSink.Accepted> matched = new ArrayList<>();
        for (SmtpSink.Accepted a : sink.accepted()) {
            if (recipient != null && !a.address().equalsIgnoreCase(recipient)) {
                continue;
            }
            if (stream != null && !stream.equals(a.stream())) {
                continue;
            }
            if (from != null && a.at() < from.toEpochMilli() || to != null && a.at() > to.toEpochMilli()) {
                continue;
            }
            if (status != null && !status.equalsIgnoreCase("sent")) {
                continue;
            }
            boolean metadataMatches = true;
            for (Map.Entry<String, String> e : q.entrySet()) {
                if (e.getKey().startsWith("metadata_") && !e.getValue().equals(a.metadata().get(e.getKey().substring(9)))) {
                    metadataMatches = false;
                }
            }
            if (metadataMatches) {
                matched.add(a);
            }
        }
        matched.sort(Comparator.comparingLong(SmtpSink.Accepted::at).reversed());
        List<Map<String, Object>> page = new ArrayList<>();
        for (int i = offset; i < Math.min(matched.size(), offset + count); i++) {
            page.add(message(matched.get(i)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("TotalCount", matched.size());
        body.put("Messages", page);
        answer(exchange, 200, body);
    }

    private static Map<String, Object> message(SmtpSink.Accepted a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Tag", "");
        m.put("MessageID", a.postmarkId());
        m.put("MessageStream", a.stream());
        Map<String, Object> to = new LinkedHashMap<>();
        to.put("Email", a.address());
        to.put("Name", null);
        m.put("To", List.of(to));
        m.put("Cc", List.of());
        m.put("Bcc", List.of());
        m.put("Recipients", List.of(a.address()));
        m.put("ReceivedAt", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.ofEpochMilli(a.at()).atZone(EASTERN)));
        m.put("From", a.from());
        m.put("Subject", a.subject());
        m.put("Attachments", List.of());
        m.put("Status", "Sent");
        m.put("TrackOpens", false);
        m.put("TrackLinks", "None");
        m.put("Metadata", a.metadata());
        m.put("Sandboxed", false);
        return m;
    }

    /** Postmark reads dates as US Eastern time; a bare date covers its whole day. */
    static Instant eastern(String value, boolean endOfDay) {
        String v = value.strip();
        if (v.length() == 10) {
            LocalDate day = LocalDate.parse(v);
            return (endOfDay ? day.plusDays(1).atStartOfDay(EASTERN).minusNanos(1) : day.atStartOfDay(EASTERN)).toInstant();
        }
        try {
            return java.time.OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException notOffset) {
            LocalDateTime time = LocalDateTime.parse(v.replace(' ', 'T'));
            // a time without fractions is inclusive to the end of its second
            return (endOfDay && time.getNano() == 0 ? time.plusSeconds(1).minusNanos(1) : time).atZone(EASTERN).toInstant();
        }
    }

    private static Integer integer(String s) {
        try {
            return s == null ? null : Integer.valueOf(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k.toLowerCase(Locale.ROOT).startsWith("metadata_") ? k : k.toLowerCase(Locale.ROOT), v);
        }
        return q;
    }

    private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    Map<String, Integer> callCounts() {
        Map<String, Integer> copy = new LinkedHashMap<>();
        calls.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "Postmark stub at " + url();
    }
}
