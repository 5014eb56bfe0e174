package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * dispatch-tick claims in chunks (here of 2) while its threads send: a tick larger than one chunk still sends each
 * recipient once, and a halt during the tick stops the claiming, leaving the rest PENDING and the unclaimed budget
 * given back.
 */
class ClaimChunksTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final int AUDIENCE_SIZE = 12;

    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        Path dir = SluiceRunner.tempDir("chunks");
        sluice = new SluiceRunner(dir).smtp(greenMail.getSmtp().getPort())
                .set("sluice.dispatch.claim-chunk", "2")
                .set("sluice.dispatch.threads", "2")
                .set("sluice.dispatch.max-per-second", "2")
                .start();
        StringBuilder audience = new StringBuilder("email,first_name\n");
        StringBuilder results = new StringBuilder("email,code\n");
        for (int i = 0; i < AUDIENCE_SIZE; i++) {
            audience.append("reader").append(i).append("@example.com,R").append(i).append('\n');
            results.append("reader").append(i).append("@example.com,valid\n");
        }
        sluice.campaign("Hello", "Hi {{first_name}}", null, audience.toString(), results.toString());
        sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": " + AUDIENCE_SIZE + "}");
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    @Test
    void should_send_a_tick_of_many_chunks_once_each() {
        sluice.tick();

        assertThat(greenMail.getReceivedMessages()).hasSize(AUDIENCE_SIZE);
        assertThat(Arrays.stream(greenMail.getReceivedMessages()).map(ClaimChunksTest::to).distinct()).hasSize(AUDIENCE_SIZE);
        assertThat(count("SENT")).isEqualTo(AUDIENCE_SIZE);
        assertThat(sluice.call("GET", "/api/status", null, null).body()).contains("\"claimed\":" + AUDIENCE_SIZE);
    }

    @Test
    void should_stop_claiming_when_the_send_limit_drops_to_zero_during_a_tick() throws Exception {
        // Two messages a second: the tick would take six seconds; the limit drops after the first message.
        CompletableFuture<Void> tick = CompletableFuture.runAsync(sluice::tick);
        await().atMost(Duration.ofSeconds(10)).until(() -> greenMail.getReceivedMessages().length >= 1);
        sluice.call("PUT", "/api/send-limit", "application/json", "{\"sendLimit\": 0}");
        tick.get(20, TimeUnit.SECONDS);

        int sent = greenMail.getReceivedMessages().length;
        assertThat(sent).as("claims stopped at the next chunk").isLessThan(AUDIENCE_SIZE);
        assertThat(count("SENT")).isEqualTo(sent);
        assertThat(count("CLAIMED")).as("every claimed recipient was sent before the tick closed").isZero();
        assertThat(count("PENDING")).isEqualTo(AUDIENCE_SIZE - sent);
        assertThat(sluice.jdbc().queryForObject("SELECT SUM(claimed) FROM dispatch_budget", Integer.class))
                .as("the unclaimed part of the budget went back").isEqualTo(sent);
    }

    private int count(String state) {
        return sluice.jdbc().queryForObject("SELECT COUNT(*) FROM recipient WHERE state = ?", Integer.class, state);
    }

    private static String to(jakarta.mail.internet.MimeMessage m) {
        try {
            return m.getAllRecipients()[0].toString();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
