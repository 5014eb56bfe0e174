package io.sluice.drills;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Drill 4 (issue 18 item 3): hostile and broken input at every door of the running jar (started with -Xmx512m).
 * Each request must get a clear 4xx (never 5xx, never 2xx), with no internal text in the answer; the status
 * (GET /api/status) must be the same after it, the jar must still answer, the database must not change (snapshot
 * of every business table with the jar stopped, before and after; per request too on MariaDB), and the log must
 * hold no OutOfMemoryError.
 */
final class BadInputDrill extends Drill {

    /** Stack traces, class names, Camel's wrapper texts: what an answer to the outside must never show. */
    private static final Pattern INTERNAL = Pattern.compile(
            "Exception|Failed to invoke method|org\\.apache|io\\.sluice|com\\.fasterxml|java\\.lang|\\tat |SQL|JDBC");

    private BadInputDrill(String[] args) {
        super("bad-input", args);
    }

    public static void main(String[] args) {
        Drill.main(new BadInputDrill(args));
    }

    /** One bad request; {@code bigBytes > 0} streams a generated CSV body of that size over a raw socket. */
    private record Case(String kind, String method, String path, String contentType, String auth, byte[] body, long bigBytes,
                        String expected) {
    }

    private record Result(int status, String body) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int port;

    @Override
    void run() throws Exception {
        String dbKind = options.get("db", "h2");
        String mariadbServer = options.get("mariadb-server", "jdbc:mariadb://127.0.0.1:3306/");
        int bigMb = options.getInt("big-mb", 200);
        List<String> jvm = jvmOptions();
        options.rejectUnknown();
        if (jvm.stream().noneMatch(o -> o.startsWith("-Xmx"))) {
            throw new IllegalArgumentException("bad-input runs the jar with a bounded heap: --jvm-opts needs -Xmx (e.g. -Xmx512m)");
        }

        Path work = workDir("jar");
        SmtpSink sink = closeLater(new SmtpSink());
        DrillDb db = closeLater(DrillDb.of(dbKind, work, mariadbServer));
        Map<String, String> env = baseEnv(sink.port(), 2, 4);
        env.putAll(db.env());
        port = Integer.parseInt(env.get("SLUICE_HTTP_PORT"));

        // A campaign in DRAFT with five validated recipients: state that bad input must leave alone.
        SluiceJar setup = closeLater(new SluiceJar("setup", work, env, jvm)).start();
        DrillCampaign campaign = DrillCampaign.create(setup, "bi", 5);
        campaign.sendLimit(setup, 42);
        setup.stop();
        long recipientId;
        try (Connection c = db.open(); PreparedStatement q = c.prepareStatement("SELECT MIN(id) FROM recipient WHERE campaign_id = ?")) {
            q.setLong(1, campaign.id);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                recipientId = rs.getLong(1);
            }
        }
        DbSnapshot before = DbSnapshot.of(db);

        SluiceJar jar = closeLater(new SluiceJar("bad-input", work, env, jvm)).start();
        String statusBefore = normalizedStatus(jar);
        log("jar up (" + String.join(" ", jvm) + "), campaign " + campaign.id + "; status " + statusBefore);
        List<Case> cases = cases(campaign.id, recipientId, bigMb * 1024L * 1024L);
        Table table = new Table("bad input against the running jar (" + db + ", " + String.join(" ", jvm) + ")",
                "#", "kind", "request", "expected", "status", "ms", "after: up / status same" + (db.isH2() ? "" : " / db same"),
                "answer (first 100 chars)");
        int refused = 0;
        List<String> notRefused = new ArrayList<>();
        List<String> leaking = new ArrayList<>();
        List<String> changedStatus = new ArrayList<>();
        List<String> changedDb = new ArrayList<>();
        List<String> down = new ArrayList<>();
        DbSnapshot live = db.isH2() ? null : DbSnapshot.of(db);
        int i = 0;
        for (Case c : cases) {
            i++;
            long t0 = System.currentTimeMillis();
            Result r;
            try {
                r = c.bigBytes() > 0 ? raw(c) : send(c);
            } catch (IOException e) {
                r = new Result(-1, "no answer: " + e);
            }
            long ms = System.currentTimeMillis() - t0;
            boolean up = jar.isAlive() && waitFor(Duration.ofSeconds(15), 250, () -> jar.status(Duration.ofSeconds(3)) != null);
            String statusNow = up ? normalizedStatus(jar) : null;
            boolean sameStatus = statusBefore.equals(statusNow);
            String dbSame = "";
            if (live != null) {
                DbSnapshot now = DbSnapshot.of(db);
                List<String> diff = now.changedSince(live);
                dbSame = diff.isEmpty() ? " / yes" : " / NO";
                if (!diff.isEmpty()) {
                    changedDb.add(c.kind() + ": " + diff);
                    live = now;
                }
            }
            boolean is4xx = r.status() >= 400 && r.status() < 500;
            if (is4xx) {
                refused++;
            } else {
                notRefused.add(c.kind() + " -> " + r.status());
            }
            if (INTERNAL.matcher(r.body()).find()) {
                leaking.add(c.kind() + ": " + oneLine(r.body(), 100));
            }
            if (!sameStatus) {
                changedStatus.add(c.kind());
                if (statusNow != null) {
                    statusBefore = statusNow;
                }
            }
            if (!up) {
                down.add(c.kind());
            }
            table.row(i, c.kind(), c.method() + " " + oneLine(c.path(), 48), c.expected(), r.status() < 0 ? "none" : r.status(), ms,
                    (up ? "yes" : "NO") + " / " + (sameStatus ? "yes" : "NO") + dbSame, oneLine(r.body(), 100));
            log(String.format("%2d %-55s %s %s", i, c.kind(), r.status(), oneLine(r.body(), 100)));
            if (!up) {
                log("the jar no longer answers; log tail:\n" + jar.tail(30));
                break;
            }
        }
        jar.stop();
        DbSnapshot after = DbSnapshot.of(db);
        List<String> changed = after.changedSince(before);
        String log = Files.readString(jar.log());
        boolean oom = log.contains("OutOfMemoryError");
        table(table);
        Table tables = new Table("database before / after (jar stopped; " + db + ")", "table", "before", "after");
        for (String t : after.tables.keySet()) {
            tables.row(t, before.tables.get(t), after.tables.get(t));
        }
        table(tables);

        check("at least 15 kinds of bad input tried", cases.size() >= 15, cases.size() + " requests, " + i + " sent");
        check("every bad request refused with a 4xx", notRefused.isEmpty(), refused + " of " + i + " refused; not: " + notRefused);
        check("no internal text (exceptions, class names, SQL) in the answers", leaking.isEmpty(), leaking);
        check("GET /api/status unchanged after every request", changedStatus.isEmpty(), changedStatus);
        check("database unchanged (every business table, before/after)", changed.isEmpty(), changed);
        if (!db.isH2()) {
            check("database unchanged after each request", changedDb.isEmpty(), changedDb);
        }
        check("the jar answered after every request", down.isEmpty(), down);
        check("no OutOfMemoryError in the jar's output", !oom, oom ? "found in " + jar.log() : "none");
    }

    private List<Case> cases(long cid, long rid, long bigBytes) {
        String good = "Bearer " + ADMIN_TOKEN;
        String hook = "Basic " + Base64.getEncoder().encodeToString((WEBHOOK_USER + ":" + WEBHOOK_PASSWORD).getBytes(StandardCharsets.UTF_8));
        String wrongHook = "Basic " + Base64.getEncoder().encodeToString((WEBHOOK_USER + ":not-the-password").getBytes(StandardCharsets.UTF_8));
        String audience = "/api/campaigns/" + cid + "/audience";
        String bounce = """
                {"RecordType": "Bounce", "Type": "HardBounce", "TypeCode": 1, "Email": "bi-1@drill.example.com",
                 "MessageStream": "broadcast", "BouncedAt": "2026-01-01T10:00:00Z"}""";
        byte[] garbage = new byte[4096];
        new Random(18).nextBytes(garbage);
        String oneClick = "List-Unsubscribe=One-Click";
        String form = "application/x-www-form-urlencoded";
        List<Case> c = new ArrayList<>();
        c.add(new Case("admin API without a token", "GET", "/api/status", null, null, null, 0, "401"));
        c.add(new Case("admin API with a wrong token", "PUT", "/api/send-limit", "application/json", "Bearer not-the-token",
                bytes("{\"sendLimit\": 7}"), 0, "401"));
        c.add(new Case("admin API with a non-bearer Authorization", "POST", "/api/campaigns/" + cid + "/start", null,
                "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_TOKEN).getBytes(StandardCharsets.UTF_8)), null, 0, "401"));
        c.add(new Case("audience CSV without an email column", "POST", audience, "text/csv", good, bytes("name,city\nAnn,Paris\n"), 0, "400"));
        c.add(new Case("audience CSV with a quote left open (every row broken)", "POST", audience, "text/csv", good,
                bytes("email,first_name\n\"broken@example.com,Ann\n"), 0, "400"));
        c.add(new Case("audience CSV of binary garbage", "POST", audience, "text/csv", good, garbage, 0, "400"));
        c.add(new Case("audience address with CR/LF header injection", "POST", audience, "text/csv", good,
                bytes("email,first_name\n\"evil@example.com\r\nBcc: victim@example.net\",Eve\n"), 0, "400/422"));
        c.add(new Case("campaign 'from' with CR/LF header injection", "POST", "/api/campaigns", "application/json", good,
                bytes("{\"name\":\"inject\",\"from\":\"a@example.com\\r\\nBcc: victim@example.net\",\"subject\":\"s\",\"textTemplate\":\"t\"}"),
                0, "400"));
        c.add(new Case("campaign create as form-urlencoded", "POST", "/api/campaigns", form, good,
                bytes("name=x&from=a%40example.com&subject=s&textTemplate=t"), 0, "415"));
        c.add(new Case("audience upload as form-urlencoded", "POST", audience, form, good, bytes("email=new%40example.com"), 0, "415"));
        c.add(new Case("send-limit as form-urlencoded", "PUT", "/api/send-limit", form, good, bytes("sendLimit=5"), 0, "415"));
        c.add(new Case("campaign create as XML", "POST", "/api/campaigns", "application/xml", good,
                bytes("<campaign><name>x</name></campaign>"), 0, "415"));
        c.add(new Case("campaign JSON with wrong types", "POST", "/api/campaigns", "application/json", good,
                bytes("{\"name\":123,\"from\":[\"a@example.com\"],\"subject\":{\"x\":1},\"textTemplate\":false}"), 0, "400"));
        c.add(new Case("campaign JSON cut short", "POST", "/api/campaigns", "application/json", good, bytes("{\"name\": \"x\", \"from\":"), 0, "400"));
        c.add(new Case("send-limit as a string", "PUT", "/api/send-limit", "application/json", good, bytes("{\"sendLimit\":\"lots\"}"), 0, "400"));
        c.add(new Case("send-limit negative", "PUT", "/api/send-limit", "application/json", good, bytes("{\"sendLimit\":-5}"), 0, "400"));
        c.add(new Case("send-limit absurd (10^20)", "PUT", "/api/send-limit", "application/json", good,
                bytes("{\"sendLimit\":100000000000000000000}"), 0, "400"));
        c.add(new Case("send-limit above 1,000,000", "PUT", "/api/send-limit", "application/json", good, bytes("{\"sendLimit\":1000001}"), 0, "400"));
        c.add(new Case("send-limit fractional", "PUT", "/api/send-limit", "application/json", good, bytes("{\"sendLimit\":2.5}"), 0, "400"));
        c.add(new Case("resume with a wrong type", "POST", "/api/resume", "application/json", good, bytes("{\"sendLimit\":\"x\"}"), 0, "400"));
        c.add(new Case("unknown campaign id", "POST", "/api/campaigns/987654321/start", null, good, null, 0, "404"));
        c.add(new Case("non-numeric campaign id", "POST", "/api/campaigns/abc/audience", "text/csv", good, bytes("email\nok@example.com\n"), 0, "400/404"));
        c.add(new Case("campaign id beyond a long", "POST", "/api/campaigns/99999999999999999999999/pause", null, good, null, 0, "400/404"));
        c.add(new Case("path traversal in the campaign id", "POST", "/api/campaigns/..%2F..%2Fstatus/start", null, good, null, 0, "400/404"));
        c.add(new Case("200 MB audience body (-Xmx512m)", "POST", audience, "text/csv", good, null, bigBytes, "413"));
        c.add(new Case("forged unsubscribe token", "POST", "/unsubscribe/" + cid + "." + rid + ".Zm9yZ2VkLXNpZ25hdHVyZQ", form, null,
                bytes(oneClick), 0, "403"));
        c.add(new Case("expired unsubscribe token (signed with a rotated secret)", "POST", "/unsubscribe/"
                + token(cid, rid, "an-older-secret-0123456789"), form, null, bytes(oneClick), 0, "403"));
        String real = token(cid, rid, UNSUBSCRIBE_SECRET);
        String altered = cid + "." + (rid + 1) + real.substring(real.lastIndexOf('.'));
        c.add(new Case("altered unsubscribe token (recipient id changed)", "POST", "/unsubscribe/" + altered, form, null, bytes(oneClick), 0, "403"));
        c.add(new Case("unsubscribe token of no such recipient (validly signed)", "POST", "/unsubscribe/" + token(cid, 987654321L, UNSUBSCRIBE_SECRET),
                form, null, bytes(oneClick), 0, "404/403"));
        c.add(new Case("unsubscribe page with a forged token", "GET", "/unsubscribe/1.1.forged", null, null, null, 0, "403"));
        c.add(new Case("webhook without credentials", "POST", "/webhooks/postmark", "application/json", null, bytes(bounce), 0, "401"));
        c.add(new Case("webhook with wrong credentials", "POST", "/webhooks/postmark", "application/json", wrongHook, bytes(bounce), 0, "401"));
        c.add(new Case("webhook with malformed JSON", "POST", "/webhooks/postmark", "application/json", hook, bytes("{\"RecordType\": \"Bounce\", "), 0, "400"));
        c.add(new Case("webhook JSON with wrong types", "POST", "/webhooks/postmark", "application/json", hook,
                bytes("{\"RecordType\": 7, \"Type\": [\"HardBounce\"], \"Email\": {\"a\": 1}}"), 0, "400"));
        c.add(new Case("path traversal in the admin page file", "GET", "/admin/..%2F..%2Fapplication.properties", null, null, null, 0, "404"));
        c.add(new Case("path traversal, encoded dots", "GET", "/admin/%2e%2e%2f%2e%2e%2fpom.xml", null, null, null, 0, "404"));
        c.add(new Case("validation results with unknown codes", "POST", "/api/validation-results", "text/csv", good,
                bytes("email,code\nbi-1@drill.example.com,no_such_code\nbi-2@drill.example.com,made_up\n"), 0, "400"));
        c.add(new Case("validation results without a code column", "POST", "/api/validation-results", "text/csv", good,
                bytes("email\nbi-1@drill.example.com\n"), 0, "400"));
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An unsubscribe token as Sluice signs it: campaign.recipient.HMAC-SHA256(secret, "campaign.recipient") base64url. */
    private static String token(long campaignId, long recipientId, String secret) {
        try {
            String payload = campaignId + "." + recipientId;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(bytes(payload)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Result send(Case c) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + c.path()))
                .timeout(Duration.ofSeconds(30))
                .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body()));
        if (c.contentType() != null) {
            request.header("Content-Type", c.contentType());
        }
        if (c.auth() != null) {
            request.header("Authorization", c.auth());
        }
        try {
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Result(answer.statusCode(), answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * A huge body over a raw socket: the server may answer (413) and close long before the body is written, which an
     * HTTP client reports as a broken pipe; here the answer read meanwhile is kept.
     */
    private Result raw(Case c) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(180_000);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try {
                    InputStream in = socket.getInputStream();
                    byte[] buf = new byte[8192];
                    int r;
                    while ((r = in.read(buf)) >= 0) {
                        synchronized (received) {
                            received.write(buf, 0, r);
                        }
                    }
                } catch (IOException closed) {
                    // the answer ends with the connection
                }
            }, "drill-raw-reader");
            reader.setDaemon(true);
            reader.start();
            OutputStream out = socket.getOutputStream();
            String head = c.method() + " " + c.path() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: " + c.auth()
                    + "\r\nContent-Type: " + c.contentType() + "\r\nContent-Length: " + c.bigBytes() + "\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            long written = 0;
            String wrote = "whole body written";
            try {
                byte[] chunk = new byte[64 * 1024];
                StringBuilder rows = new StringBuilder("email\n");
                int row = 0;
                while (written < c.bigBytes()) {
                    while (rows.length() < chunk.length) {
                        rows.append("big-").append(++row).append("@drill.example.com\n");
                    }
                    int n = (int) Math.min(chunk.length, c.bigBytes() - written);
                    byte[] part = rows.substring(0, n).getBytes(StandardCharsets.US_ASCII);
                    rows.delete(0, n);
                    out.write(part);
                    written += n;
                    synchronized (received) {
                        if (received.size() > 0 && written % (8 * chunk.length) == 0 && answered(received)) {
                            wrote = "answered after " + written / (1024 * 1024) + " MB";
                            break;
                        }
                    }
                }
                out.flush();
            } catch (IOException e) {
                wrote = "connection closed after " + written / (1024 * 1024) + " MB written (" + e.getMessage() + ")";
            }
            // The answer is complete when the server closes; one that keeps the connection open gets a second after it.
            long deadline = System.currentTimeMillis() + 30_000;
            long answeredAt = 0;
            while (reader.isAlive() && System.currentTimeMillis() < deadline) {
                synchronized (received) {
                    if (answeredAt == 0 && answered(received)) {
                        answeredAt = System.currentTimeMillis();
                    }
                }
                if (answeredAt > 0 && System.currentTimeMillis() - answeredAt > 1000) {
                    break;
                }
                pause(100);
            }
            String text;
            synchronized (received) {
                text = received.toString(StandardCharsets.ISO_8859_1);
            }
            log("200 MB upload: " + wrote);
            if (!text.startsWith("HTTP/")) {
                return new Result(-1, "no HTTP answer; " + wrote);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyAt = text.indexOf("\r\n\r\n");
            return new Result(status, (bodyAt < 0 ? "" : text.substring(bodyAt + 4)) + " [" + wrote + "]");
        }
    }

    private static boolean answered(ByteArrayOutputStream received) {
        return received.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n");
    }

    /** The parts of GET /api/status a refused request must leave alone: send control and every campaign's counts. */
    private static String normalizedStatus(SluiceJar jar) {
        JsonNode status = jar.status(Duration.ofSeconds(10));
        if (status == null) {
            return null;
        }
        ObjectNode kept = ((ObjectNode) status).objectNode();
        for (String field : new String[] {"sendLimit", "halted", "haltReason", "campaigns"}) {
            kept.set(field, status.get(field));
        }
        return kept.toString();
    }

    private static String oneLine(String s, int max) {
        String line = s == null ? "" : s.replaceAll("\\s+", " ").strip();
        return line.length() <= max ? line : line.substring(0, max);
    }
}
