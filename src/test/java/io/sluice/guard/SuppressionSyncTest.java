package io.sluice.guard;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/** Suppressions of every Postmark stream (GET /message-streams, GET /message-streams/{id}/suppressions/dump). */
class SuppressionSyncTest {

    private WireMockServer postmark;
    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        postmark = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        postmark.start();
        postmark.stubFor(get(urlPathEqualTo("/message-streams")).willReturn(okJson("{\"MessageStreams\":["
                + "{\"ID\":\"outbound\",\"ServerID\":123457,\"Name\":\"Transactional Stream\",\"MessageStreamType\":\"Transactional\"},"
                + "{\"ID\":\"broadcast\",\"ServerID\":123457,\"Name\":\"Broadcasts\",\"MessageStreamType\":\"Broadcasts\"},"
                + "{\"ID\":\"inbound\",\"ServerID\":123457,\"Name\":\"Inbound Stream\",\"MessageStreamType\":\"Inbound\"}],\"TotalCount\":3}")));
        postmark.stubFor(get(urlPathEqualTo("/message-streams/outbound/suppressions/dump")).willReturn(okJson("{\"Suppressions\":["
                + "{\"EmailAddress\":\"ada@example.com\",\"SuppressionReason\":\"HardBounce\",\"Origin\":\"Recipient\",\"CreatedAt\":\"2019-12-10T08:58:33-05:00\"}]}")));
        String many = IntStream.range(0, 2500).mapToObj(i -> "{\"EmailAddress\":\"user" + i + "@example.org\",\"SuppressionReason\":"
                + "\"SpamComplaint\",\"Origin\":\"Recipient\",\"CreatedAt\":\"2019-12-10T08:58:33-05:00\"}").collect(Collectors.joining(","));
        postmark.stubFor(get(urlPathEqualTo("/message-streams/broadcast/suppressions/dump")).willReturn(okJson("{\"Suppressions\":[" + many + "]}")));
        postmark.stubFor(get(urlPathEqualTo("/message-streams/inbound/suppressions/dump")).willReturn(okJson("{\"Suppressions\":[]}")));
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(okJson("{\"Sent\":0,\"Bounced\":0,\"SpamComplaints\":0}")));
        sluice = new SluiceRunner(SluiceRunner.tempDir("suppressions"))
                .set("sluice.postmark.api-url", postmark.baseUrl())
                .set("sluice.postmark.server-token", "server-token")
                .set("sluice.guard.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.suppressions.cron", "0 0 0 1 1 ? 2099")
                .start();
    }

    @AfterEach
    void stop() {
        sluice.close();
        postmark.stop();
    }

    @Test
    void should_import_every_stream_as_suppressed_idempotently_and_skip_those_addresses() {
        sluice.campaign("Hello", "Hi", null, "email\nada@example.com\nbob@example.com\n", "email,code\nada@example.com,valid\nbob@example.com,valid\n");

        String first = sluice.call("POST", "/api/suppressions/sync", null, null).body();
        String second = sluice.call("POST", "/api/suppressions/sync", null, null).body();

        assertThat(first).contains("\"outbound\":1", "\"broadcast\":2500", "\"inbound\":0", "\"total\":2501");
        assertThat(second).contains("\"total\":2501");
        assertThat(sluice.jdbc().queryForObject("SELECT COUNT(*) FROM email_validation_cache WHERE text_code = 'suppressed'", Integer.class))
                .as("a second sync adds nothing").isEqualTo(2501);
        assertThat(sluice.jdbc().queryForMap("SELECT * FROM email_validation_cache WHERE email = 'ada@example.com'"))
                .containsEntry("TEXT_CODE", "suppressed").containsEntry("REASON", "HardBounce").containsEntry("MESSAGE_STREAM", "outbound");
        postmark.verify(getRequestedFor(urlPathEqualTo("/message-streams")).withHeader("X-Postmark-Server-Token", equalTo("server-token")));

        sluice.tick();
        assertThat(sluice.row("ada@example.com")).as("a hard bounce on the transactional stream stops the broadcast send")
                .containsEntry("STATE", "SKIPPED").containsEntry("SKIP_CODE", "suppressed");
        assertThat(sluice.state("bob@example.com")).isEqualTo("SENT");
    }
}
