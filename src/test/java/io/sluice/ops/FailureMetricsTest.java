package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.support.ScriptedSmtpServer;
import io.sluice.support.SluiceRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** sluice_failures_total by class, from real SMTP replies: 451 is transient, 550 permanent. */
class FailureMetricsTest {

    private ScriptedSmtpServer smtp;
    private SluiceRunner sluice;

    @BeforeEach
    void start() throws Exception {
        smtp = new ScriptedSmtpServer();
        smtp.reply("busy@example.com", "451 4.3.0 Mailbox temporarily unavailable");
        smtp.reply("gone@example.com", "550 5.1.1 No such user");
        sluice = new SluiceRunner(SluiceRunner.tempDir("failure-metrics")).smtp(smtp.port())
                .set("sluice.dispatch.retry-attempts", "1").start();
    }

    @AfterEach
    void stop() throws Exception {
        sluice.close();
        smtp.close();
    }

    @Test
    void should_count_failures_by_class() {
        sluice.campaign("Hello", "Hi", null, "email\nbusy@example.com\ngone@example.com\nfine@example.com\n",
                "email,code\nbusy@example.com,valid\ngone@example.com,valid\nfine@example.com,valid\n");
        sluice.tick();

        String metrics = sluice.management("GET", "/observe/metrics", null).body();
        assertThat(metrics).contains("sluice_failures_total{class=\"transient\"} 1.0")
                .contains("sluice_failures_total{class=\"permanent\"} 1.0")
                .contains("sluice_sends_total 1.0");
    }
}
