package io.sluice.settle;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.sluice.db.Database;
import io.sluice.db.SqlFiles;
import io.sluice.dispatch.DeliveryRecords;
import io.sluice.dispatch.Dispatch;
import io.sluice.dispatch.Recipient;
import io.sluice.dispatch.RecipientStore;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route unknown-settle against a WireMock stub of Postmark's outbound message search, answering from the documented
 * shapes (found, not found, another campaign's metadata, paged, 401/422/500 error JSON, an HTML page, a timeout), and
 * the operator's POST /api/campaigns/{id}/unknown with the event history. UNKNOWN rows are made the way production
 * makes them: claimed by an instance that dies after writing their delivery records, then recovered.
 */
class UnknownSettleTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String TOKEN = "postmark-server-token-under-test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId EASTERN = ZoneId.of("America/New_York");
    private static final DateTimeFormatter POSTMARK_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    private static final String ODD = "tom&count=1#x{{sluice.postmark.server-token}}+a@example.com";

    private WireMockServer postmark;
    private SluiceRunner sluice;
    private long campaign;

    private void start(String token, String... settings) {
        postmark = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        postmark.start();
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(okJson("{\"Sent\":0,\"Bounced\":0,\"SMTPApiErrors\":0,"
                + "\"BounceRate\":0.0,\"SpamComplaints\":0,\"SpamComplaintsRate\":0.0}")));
        sluice = new SluiceRunner(SluiceRunner.tempDir("settle")).smtp(greenMail.getSmtp().getPort())
                .set("sluice.postmark.api-url", postmark.baseUrl())
                .set("sluice.postmark.server-token", token)
                .set("sluice.guard.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.settle.cron", "0 0 0 1 1 ? 2099")
                // Generous for a loaded CI machine (a cold HTTP client took over a second); the slow stub waits far longer.
                .set("sluice.settle.timeout-ms", "3000");
        for (int i = 0; i < settings.length; i += 2) {
            sluice.set(settings[i], settings[i + 1]);
        }
        sluice.start();
    }

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
        if (postmark != null) {
            postmark.stop();
        }
    }

    @Test
    void should_settle_found_as_sent_and_not_found_as_pending_which_the_next_tick_sends() throws Exception {
        start(TOKEN);
        List<String> all = List.of("found@example.com", "missing@example.com", "other@example.com", "paged@example.com",
                ODD, "fresh@example.com");
        campaign = campaign(all);
        unknownAfterACrash(all);
        makeOld(all.subList(0, 5));
        Map<String, Long> ids = ids();
        postmark.stubFor(search("found@example.com", 0, answer(1, message("pm-found", "found@example.com", campaign, ids.get("found@example.com")))));
        postmark.stubFor(search("missing@example.com", 0, answer(0)));
        postmark.stubFor(search("other@example.com", 0, answer(2,
                message("pm-x", "other@example.com", campaign + 1, ids.get("other@example.com")),
                message("pm-y", "other@example.com", campaign, ids.get("other@example.com") + 1))));
        String[] firstPage = new String[500];
        Arrays.setAll(firstPage, i -> message("pm-transactional-" + i, "paged@example.com", null, null));
        postmark.stubFor(search("paged@example.com", 0, answer(501, firstPage)));
        postmark.stubFor(search("paged@example.com", 500, answer(501, message("pm-paged", "paged@example.com", campaign, ids.get("paged@example.com")))));
        postmark.stubFor(search(ODD, 0, answer(1, message("pm-odd", ODD, campaign, ids.get(ODD)))));

        Map<String, Object> run = settle();

        assertThat(run).containsEntry("selected", 5).containsEntry("sent", 3).containsEntry("pending", 2).containsEntry("errors", 0);
        assertThat(sluice.state("found@example.com")).isEqualTo("SENT");
        assertThat(sluice.row("found@example.com").get("SMTP_REPLY").toString()).contains("Postmark MessageID pm-found");
        assertThat(sluice.state("paged@example.com")).as("found on the second page").isEqualTo("SENT");
        assertThat(sluice.row("paged@example.com").get("SMTP_REPLY").toString()).contains("pm-paged");
        assertThat(sluice.state(ODD)).isEqualTo("SENT");
        assertThat(sluice.state("missing@example.com")).isEqualTo("PENDING");
        assertThat(sluice.state("other@example.com")).as("another campaign's message, or another recipient's, is not this send")
                .isEqualTo("PENDING");
        assertThat(sluice.state("fresh@example.com")).as("younger than sluice.settle.delay: not asked yet").isEqualTo("UNKNOWN");
        assertThat(records()).as("delivery records dropped only for the rows released to PENDING")
                .containsOnlyKeys(ids.get("found@example.com"), ids.get("paged@example.com"), ids.get(ODD), ids.get("fresh@example.com"));
        assertCountsMatchTheRows(Map.of("SENT", 3L, "PENDING", 2L, "UNKNOWN", 1L));

        // The exact query, the token, and nothing else of the exchange on the wire.
        Map<String, Object> found = sluice.row("found@example.com");
        Instant claimed = ((Timestamp) found.get("CLAIMED_AT")).toInstant();
        postmark.verify(1, getRequestedFor(urlPathEqualTo("/messages/outbound"))
                .withHeader("X-Postmark-Server-Token", equalTo(TOKEN))
                .withHeader("Accept", equalTo("application/json"))
                .withQueryParam("recipient", equalTo("found@example.com"))
                .withQueryParam("messagestream", equalTo("broadcast"))
                .withQueryParam("fromdate", equalTo(eastern(claimed.minus(Duration.ofHours(2)))))
                .withQueryParam("todate", equalTo(eastern(updatedBeforeSettle("found@example.com").plus(Duration.ofHours(2)))))
                .withQueryParam("count", equalTo("500"))
                .withQueryParam("offset", equalTo("0")));
        postmark.verify(2, getRequestedFor(urlPathEqualTo("/messages/outbound")).withQueryParam("recipient", equalTo("paged@example.com")));
        postmark.verify(1, getRequestedFor(urlPathEqualTo("/messages/outbound")).withQueryParam("recipient", equalTo(ODD))
                .withQueryParam("count", equalTo("500")).withQueryParam("offset", equalTo("0")));
        postmark.verify(0, getRequestedFor(urlPathEqualTo("/messages/outbound")).withQueryParam("recipient", equalTo("fresh@example.com")));
        for (ServeEvent event : postmark.getAllServeEvents()) {
            if (event.getRequest().getUrl().startsWith("/messages/outbound")) {
                assertThat(event.getRequest().getAllHeaderKeys()).as("only the token, Accept and HTTP's own headers")
                        .allSatisfy(h -> assertThat(h.toLowerCase()).isIn("x-postmark-server-token", "accept", "host",
                                "user-agent", "connection", "accept-encoding", "content-length"));
                assertThat(event.getRequest().getQueryParams().keySet()).as("an address with & and = adds no parameter")
                        .containsExactlyInAnyOrder("recipient", "messagestream", "fromdate", "todate", "count", "offset");
            }
        }

        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).extracting(m -> GreenMailUtil.getAddressList(m.getAllRecipients()))
                .as("exactly the two not in Postmark's log are sent again").containsExactlyInAnyOrder("missing@example.com", "other@example.com");
        assertThat(sluice.state("missing@example.com")).isEqualTo("SENT");
        assertCountsMatchTheRows(Map.of("SENT", 5L, "UNKNOWN", 1L));

        // The history also has the uploads, the start and the ramp: this test is about the UNKNOWN entries.
        List<JsonNode> events = unknownEvents(JSON.readTree(sluice.call("GET", "/api/events", null, null).body()));
        assertThat(events.get(0).get("kind").asText()).isEqualTo("unknown-settled");
        assertThat(events.get(0).get("actor").asText()).isEqualTo("unknown-settle");
        assertThat(events.get(0).get("detail").get("sent").asInt()).isEqualTo(3);
        assertThat(events.get(0).get("detail").get("pending").asInt()).isEqualTo(2);
        JsonNode status = JSON.readTree(sluice.call("GET", "/api/status", null, null).body()).get("settle");
        assertThat(status.get("enabled").asBoolean()).isTrue();
        assertThat(status.get("totals").get("sent").asLong()).isEqualTo(3);
        assertThat(status.get("lastRun").get("pending").asInt()).isEqualTo(2);
    }

    @Test
    void should_leave_rows_unknown_on_errors_timeouts_and_unreadable_answers_and_stop_at_a_refused_token() throws Exception {
        start(TOKEN);
        List<String> all = List.of("e500@example.com", "e422@example.com", "html@example.com", "slow@example.com");
        campaign = campaign(all);
        unknownAfterACrash(all);
        makeOld(all);
        Map<String, Long> ids = ids();
        postmark.stubFor(search("e500@example.com", 0, aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"ErrorCode\":500,\"Message\":\"Internal server error\"}")));
        postmark.stubFor(search("e422@example.com", 0, aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                .withBody("{\"ErrorCode\":701,\"Message\":\"This message was not found.\"}")));
        postmark.stubFor(search("html@example.com", 0, aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("<html><body>Maintenance</body></html>")));
        // A found answer that arrives after the timeout: read late it would mark the row SENT.
        postmark.stubFor(search("slow@example.com", 0, okJson(answer(1, message("pm-late", "slow@example.com", campaign,
                ids.get("slow@example.com")))).withFixedDelay(8000)));

        Map<String, Object> run = settle();

        assertThat(run).containsEntry("selected", 4).containsEntry("errors", 4).containsEntry("sent", 0).containsEntry("pending", 0);
        for (String email : all) {
            assertThat(sluice.state(email)).as(email + ": no answer is never taken for one").isEqualTo("UNKNOWN");
        }
        assertThat(records()).as("every delivery record kept").hasSize(4);
        assertCountsMatchTheRows(Map.of("UNKNOWN", 4L));
        for (String email : all) {
            postmark.verify(1, getRequestedFor(urlPathEqualTo("/messages/outbound")).withQueryParam("recipient", equalTo(email)));
        }
        assertThat(JSON.readTree(sluice.call("GET", "/api/status", null, null).body()).get("settle").get("totals").get("error").asLong())
                .isEqualTo(4);

        postmark.resetRequests();
        postmark.stubFor(get(urlPathEqualTo("/messages/outbound")).atPriority(1).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"ErrorCode\":10,\"Message\":\"Bad or missing Server API token.\"}")));

        Map<String, Object> refused = settle();

        assertThat(refused).containsEntry("errors", 1).containsEntry("notAsked", 3);
        assertThat(refused.get("stoppedBecause").toString()).contains("401", "Bad or missing Server API token");
        assertThat(refused.get("stoppedBecause").toString()).doesNotContain(TOKEN);
        postmark.verify(1, getRequestedFor(urlPathEqualTo("/messages/outbound")));
        for (String email : all) {
            assertThat(sluice.state(email)).isEqualTo("UNKNOWN");
        }
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void should_ask_nothing_without_a_postmark_token() throws Exception {
        start("");
        campaign = campaign(List.of("a@example.com"));
        unknownAfterACrash(List.of("a@example.com"));
        makeOld(List.of("a@example.com"));

        settle();

        postmark.verify(0, getRequestedFor(urlPathEqualTo("/messages/outbound")));
        assertThat(sluice.state("a@example.com")).isEqualTo("UNKNOWN");
        JsonNode status = JSON.readTree(sluice.call("GET", "/api/status", null, null).body()).get("settle");
        assertThat(status.get("enabled").asBoolean()).isFalse();
        assertThat(status.get("off").asText()).contains("no Postmark server token");
    }

    @Test
    void should_let_an_operator_resend_or_mark_sent_only_unknown_rows_with_a_reason_in_the_event_history() throws Exception {
        start("");
        campaign = campaign(List.of("a@example.com", "b@example.com", "c@example.com", "s@example.com"));
        unknownAfterACrash(List.of("a@example.com", "b@example.com", "c@example.com"));
        sluice.tick();
        assertThat(sluice.state("s@example.com")).isEqualTo("SENT");
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
        Map<String, Long> ids = ids();
        String path = "/api/campaigns/" + campaign + "/unknown";

        for (String bad : List.of("{\"action\":\"delete\",\"reason\":\"x\"}", "{\"action\":\"resend\"}",
                "{\"action\":\"resend\",\"reason\":\"  \"}", "{\"action\":\"resend\",\"reason\":7}",
                "{\"action\":\"resend\",\"reason\":\"x\",\"recipients\":\"all\"}",
                "{\"action\":\"resend\",\"reason\":\"x\",\"recipients\":[\"" + ids.get("a@example.com") + "\"]}",
                "{\"action\":\"resend\",\"reason\":\"x\",\"recipients\":[1.5]}",
                "{\"action\":\"resend\",\"reason\":\"x\",\"recipients\":[]}",
                "{\"action\":\"resend\",\"reason\":\"x\",\"recipients\":null}",
                "{\"action\":\"resend\",\"reason\":\"x\",\"recipient\":[1]}",
                "{\"action\":\"resend\",\"reason\":\"x\"", "[\"resend\"]", "")) {
            HttpResponse<String> refused = sluice.call("POST", path, "application/json", bad);
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(refused.body()).as(bad).startsWith("{\"error\":");
        }
        for (String type : new String[] {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"}) {
            HttpResponse<String> other = sluice.call("POST", path, type, "{\"action\":\"resend\",\"reason\":\"x\"}");
            assertThat(other.statusCode()).as("a JSON body sent as " + type).isEqualTo(415);
            assertThat(other.body()).contains("application/json");
        }
        assertThat(sluice.call("POST", "/api/campaigns/999999/unknown", "application/json",
                "{\"action\":\"resend\",\"reason\":\"x\"}").statusCode()).isEqualTo(404);
        assertThat(sluice.call("POST", "/api/campaigns/abc/unknown", "application/json",
                "{\"action\":\"resend\",\"reason\":\"x\"}").statusCode()).isEqualTo(400);
        assertThat(sluice.call("POST", path, "application/json", "{\"action\":\"resend\",\"reason\":\"x\"}", null).statusCode())
                .isEqualTo(401);
        assertThat(sluice.call("GET", "/api/events", null, null, "wrong").statusCode()).isEqualTo(401);
        assertCountsMatchTheRows(Map.of("UNKNOWN", 3L, "SENT", 1L));
        assertThat(records()).hasSize(4);

        HttpResponse<String> resend = sluice.call("POST", path, "application/json", "{\"action\":\"resend\",\"recipients\":["
                + ids.get("a@example.com") + "," + ids.get("s@example.com") + ",999999],\"reason\":\"customer says nothing arrived\"}");

        assertThat(resend.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(resend.body())).isEqualTo(JSON.readTree("{\"campaign\":" + campaign + ",\"action\":\"resend\",\"changed\":1,"
                + "\"notUnknown\":[" + ids.get("s@example.com") + ",999999]}"));
        assertThat(sluice.state("a@example.com")).isEqualTo("PENDING");
        assertThat(sluice.state("s@example.com")).as("a SENT row never changes").isEqualTo("SENT");
        assertThat(records()).doesNotContainKey(ids.get("a@example.com"));

        HttpResponse<String> markSent = sluice.call("POST", path, "application/json",
                "{\"action\":\"mark-sent\",\"reason\":\"accepted per the relay's log\"}");

        assertThat(JSON.readTree(markSent.body())).isEqualTo(JSON.readTree("{\"campaign\":" + campaign
                + ",\"action\":\"mark-sent\",\"changed\":2,\"notUnknown\":[]}"));
        assertThat(sluice.state("b@example.com")).isEqualTo("SENT");
        assertThat(sluice.row("c@example.com").get("SMTP_REPLY")).isEqualTo("marked sent by operator: accepted per the relay's log");
        assertCountsMatchTheRows(Map.of("SENT", 3L, "PENDING", 1L));

        sluice.tick();
        assertThat(greenMail.getReceivedMessages()).extracting(m -> GreenMailUtil.getAddressList(m.getAllRecipients()))
                .containsExactlyInAnyOrder("s@example.com", "a@example.com");
        assertCountsMatchTheRows(Map.of("SENT", 4L));

        List<JsonNode> history = unknownEvents(JSON.readTree(sluice.call("GET", "/api/events", null, null).body()));
        assertThat(history).as("the two decisions (besides the uploads and the start)").hasSize(2);
        JsonNode newest = history.get(0);
        assertThat(newest.get("kind").asText()).isEqualTo("unknown-mark-sent");
        assertThat(newest.get("actor").asText()).isEqualTo("admin-api");
        assertThat(newest.get("campaign").asLong()).isEqualTo(campaign);
        assertThat(newest.get("reason").asText()).isEqualTo("accepted per the relay's log");
        assertThat(newest.get("detail").get("changed").asInt()).isEqualTo(2);
        JsonNode older = history.get(1);
        assertThat(older.get("kind").asText()).isEqualTo("unknown-resend");
        assertThat(older.get("reason").asText()).isEqualTo("customer says nothing arrived");
        assertThat(older.get("detail").get("notUnknown")).hasSize(2);

        JsonNode one = JSON.readTree(sluice.call("GET", "/api/events?limit=1", null, null).body());
        assertThat(one.get("events")).hasSize(1);
        assertThat(one.get("more").asBoolean()).isTrue();
        assertThat(JSON.readTree(sluice.call("GET", "/api/events?since=2999-01-01T00:00:00Z", null, null).body()).get("events")).isEmpty();
        assertThat(unknownEvents(JSON.readTree(sluice.call("GET", "/api/events?since=2000-01-01", null, null).body()))).hasSize(2);
        assertThat(sluice.call("GET", "/api/events?since=yesterday", null, null).statusCode()).isEqualTo(400);
        assertThat(sluice.call("GET", "/api/events?limit=0", null, null).statusCode()).isEqualTo(400);
    }

    /** A running campaign whose recipients all have a valid verdict. */
    private long campaign(List<String> emails) {
        String audience = "email\n" + String.join("\n", emails) + "\n";
        String results = "email,code\n" + emails.stream().map(e -> e + ",valid").collect(Collectors.joining("\n")) + "\n";
        return sluice.campaign("Hello", "Hi", null, audience, results);
    }

    /**
     * What a crash after the delivery record and before the reply leaves: the rows claimed by an instance that then
     * died (no heartbeat), their delivery records written; recovery makes them UNKNOWN (at-most-once).
     */
    private void unknownAfterACrash(List<String> emails) {
        DataSource dataSource = sluice.bean("dataSource", DataSource.class);
        SqlFiles sql = new SqlFiles(Database.Vendor.ofUrl(sluice.context().resolvePropertyPlaceholders("{{sluice.db.url}}")));
        List<Recipient> claimed = new RecipientStore(dataSource, sql, "dead-instance").claim(emails.size());
        assertThat(claimed).extracting(Recipient::email).containsExactlyInAnyOrderElementsOf(emails);
        DeliveryRecords records = sluice.bean("deliveryRecords", DeliveryRecords.class);
        claimed.forEach(r -> records.add(r.deliveryKey()));
        sluice.bean("dispatch", Dispatch.class).recoverStaleClaims(Instant.now());
        emails.forEach(e -> assertThat(sluice.state(e)).isEqualTo("UNKNOWN"));
    }

    /** Moves the claim and the change back 20 minutes: older than the default sluice.settle.delay (PT10M). */
    private void makeOld(List<String> emails) {
        for (String email : emails) {
            Instant updated = Instant.now().minus(Duration.ofMinutes(20));
            sluice.jdbc().update("UPDATE recipient SET claimed_at = ?, updated_at = ? WHERE email = ?",
                    Timestamp.from(updated.minusSeconds(5)), Timestamp.from(updated), email);
        }
    }

    private final Map<String, Instant> updatedBefore = new TreeMap<>();

    @SuppressWarnings("unchecked")
    private Map<String, Object> settle() {
        sluice.jdbc().queryForList("SELECT email, updated_at FROM recipient").forEach(r -> updatedBefore.put(
                r.get("EMAIL") == null ? (String) r.get("email") : (String) r.get("EMAIL"),
                ((Timestamp) (r.get("UPDATED_AT") == null ? r.get("updated_at") : r.get("UPDATED_AT"))).toInstant()));
        return sluice.context().createProducerTemplate().requestBody("direct:unknown-settle", null, Map.class);
    }

    private Instant updatedBeforeSettle(String email) {
        return updatedBefore.get(email);
    }

    private Map<String, Long> ids() {
        Map<String, Long> ids = new TreeMap<>();
        sluice.jdbc().query("SELECT id, email FROM recipient", rs -> {
            ids.put(rs.getString("email"), rs.getLong("id"));
        });
        return ids;
    }

    /** Delivery records of this campaign, by recipient id. */
    private Map<Long, String> records() {
        Map<Long, String> found = new TreeMap<>();
        sluice.jdbc().query("SELECT message_id FROM delivery_record", rs -> {
            String key = rs.getString("message_id");
            found.put(Long.parseLong(key.substring(key.indexOf(':') + 1)), key);
        });
        return found;
    }

    /** The status counters (kept on every change) equal a full count of the rows, and the expected figures. */
    private void assertCountsMatchTheRows(Map<String, Long> expected) throws Exception {
        Map<String, Long> counted = new TreeMap<>();
        sluice.jdbc().query("SELECT state, COUNT(*) AS n FROM recipient WHERE campaign_id = ? GROUP BY state",
                rs -> {
                    counted.put(rs.getString("state"), rs.getLong("n"));
                }, campaign);
        assertThat(counted).as("the rows").isEqualTo(new TreeMap<>(expected));
        JsonNode campaigns = JSON.readTree(sluice.call("GET", "/api/status", null, null).body()).get("campaigns");
        Map<String, Long> status = new TreeMap<>();
        for (JsonNode c : campaigns) {
            if (c.get("id").asLong() == campaign) {
                c.get("counts").fields().forEachRemaining(f -> {
                    if (f.getValue().asLong() != 0) {
                        status.put(f.getKey(), f.getValue().asLong());
                    }
                });
            }
        }
        assertThat(status).as("the status counters").isEqualTo(counted);
    }

    private static com.github.tomakehurst.wiremock.client.MappingBuilder search(String recipient, int offset, String answer) {
        return search(recipient, offset, okJson(answer));
    }

    private static com.github.tomakehurst.wiremock.client.MappingBuilder search(String recipient, int offset,
                                                                                com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        return get(urlPathEqualTo("/messages/outbound")).withQueryParam("recipient", equalTo(recipient))
                .withQueryParam("offset", equalTo(Integer.toString(offset))).willReturn(answer);
    }

    private static String answer(long total, String... messages) {
        return PostmarkMessageSearchTest.answer(total, messages);
    }

    private static String message(String id, String to, Long campaign, Long recipient) {
        return PostmarkMessageSearchTest.message(id, to, "broadcast", campaign == null ? null : campaign.toString(),
                recipient == null ? null : recipient.toString());
    }

    private static String eastern(Instant instant) {
        return LocalDateTime.ofInstant(instant, EASTERN).format(POSTMARK_TIME);
    }

    /** The entries about UNKNOWN recipients, newest first. */
    private static List<JsonNode> unknownEvents(JsonNode answer) {
        List<JsonNode> found = new java.util.ArrayList<>();
        answer.get("events").forEach(e -> {
            if (e.get("kind").asText().startsWith("unknown-")) {
                found.add(e);
            }
        });
        return found;
    }
}
