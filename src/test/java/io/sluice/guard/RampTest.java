package io.sluice.guard;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/** The ramp advances on time while the rates are healthy, holds while warm, and yields to a person until resumed. */
class RampTest {

    private WireMockServer postmark;
    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        postmark = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        postmark.start();
        stats(1000, 0);
        sluice = new SluiceRunner(SluiceRunner.tempDir("ramp"))
                .set("sluice.postmark.api-url", postmark.baseUrl())
                .set("sluice.postmark.server-token", "server-token")
                .set("sluice.guard.cron", "0 0 0 1 1 ? 2099")
                .set("sluice.guard.min-sent", "100")
                // Steps that end at once, so each tick's guard check may advance one.
                .set("sluice.ramp.steps", "1@PT0S,2@PT0S,3@PT0S,50")
                .start();
        String audience = "email\n" + IntStream.range(0, 40).mapToObj(i -> "r" + i + "@example.com").collect(Collectors.joining("\n")) + "\n";
        String valid = "email,code\n" + IntStream.range(0, 40).mapToObj(i -> "r" + i + "@example.com,valid").collect(Collectors.joining("\n")) + "\n";
        sluice.campaign("Hello", "Hi", null, audience, valid);
    }

    @AfterEach
    void stop() {
        sluice.close();
        postmark.stop();
    }

    private void stats(long sent, long bounced) {
        postmark.stubFor(get(urlPathEqualTo("/stats/outbound")).willReturn(okJson(
                "{\"Sent\":" + sent + ",\"Bounced\":" + bounced + ",\"SpamComplaints\":0,\"BounceRate\":0,\"SpamComplaintsRate\":0}")));
    }

    private int sent() {
        return sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE state = 'SENT'", Integer.class);
    }

    @Test
    void should_ramp_up_hold_while_warm_and_yield_to_a_person() {
        sluice.tick();
        assertThat(sent()).as("step 1: sendLimit 1").isEqualTo(1);
        sluice.tick();
        assertThat(sent()).as("step 2: sendLimit 2").isEqualTo(3);

        stats(1000, 40);
        sluice.tick();
        assertThat(sent()).as("4% bounces (warn 3%): the ramp holds step 2").isEqualTo(5);
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("\"step\":2", "\"stepSendLimit\":2", "\"halted\":false");

        stats(1000, 0);
        sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": 10}");
        sluice.tick();
        assertThat(sent()).as("a person's sendLimit rules over the ramp").isEqualTo(15);
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("\"overridden\":true", "\"sendLimit\":10");

        assertThat(sluice.call("POST", "/api/ramp/resume", null, null).statusCode()).isEqualTo(200);
        sluice.tick();
        String status = sluice.call("GET", "/api/status", null, null).body();
        assertThat(status).contains("\"overridden\":false", "\"projectedFinish\"");
        assertThat(sent()).as("the ramp took over again and advanced to step 3").isEqualTo(18);
    }
}
