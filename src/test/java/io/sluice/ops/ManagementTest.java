package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.sluice.support.SluiceRunner;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The management port: credentials, the Jolokia policy, liveness with a stopped route, Sluice's metrics. */
class ManagementTest {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEDULE = "org.apache.camel:context=sluice,type=routes,name=\\\"dispatch-schedule\\\"";

    private Path dir;
    private SluiceRunner sluice;

    @BeforeEach
    void start() {
        dir = SluiceRunner.tempDir("management");
        sluice = new SluiceRunner(dir).smtp(greenMail.getSmtp().getPort());
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    @Test
    void should_refuse_every_management_path_without_the_credentials() {
        sluice.start();
        for (String path : new String[] {"/observe/jolokia/version", "/observe/jolokia", "/observe/health",
                "/observe/health/live", "/observe/metrics"}) {
            assertThat(sluice.management("GET", path, null, null, null).statusCode())
                    .as("GET %s without credentials", path).isEqualTo(401);
            assertThat(sluice.management("GET", path, null, SluiceRunner.MANAGEMENT_USER, "wrong").statusCode())
                    .as("GET %s with a wrong password", path).isEqualTo(401);
        }
        assertThat(sluice.management("GET", "/observe/jolokia/version", null).statusCode()).isEqualTo(200);
        assertThat(sluice.management("GET", "/observe/health", null).statusCode()).isEqualTo(200);
        assertThat(sluice.management("GET", "/observe/metrics", null).statusCode()).isEqualTo(200);
        // and the admin API does not serve them
        assertThat(sluice.call("GET", "/observe/jolokia/version", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void should_let_jolokia_read_camel_and_stop_a_route_but_nothing_else() throws Exception {
        sluice.set("sluice.postmark.server-token", "pm-server-token-never-shown").start();
        assertThat(jolokia("{\"type\":\"read\",\"mbean\":\"" + SCHEDULE + "\",\"attribute\":\"State\"}").path("value").asText())
                .isEqualTo("Started");
        assertThat(status(jolokia("{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"HeapMemoryUsage\"}")))
                .as("java.lang is readable").isEqualTo(200);

        // outside Camel and the JVM figures: refused
        assertThat(status(jolokia("{\"type\":\"read\",\"mbean\":\"java.util.logging:type=Logging\",\"attribute\":\"LoggerNames\"}")))
                .isEqualTo(403);
        assertThat(status(jolokia("{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"SystemProperties\"}")))
                .as("system properties can carry -D passwords").isEqualTo(403);
        assertThat(status(jolokia("{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"InputArguments\"}")))
                .isEqualTo(403);
        assertThat(status(jolokia("{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=DiagnosticCommand\","
                + "\"operation\":\"vmSystemProperties()\"}"))).isEqualTo(403);
        assertThat(status(jolokia("{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc\"}"))).isEqualTo(403);
        // within Camel: no writes, no removing routes, no stopping the context
        assertThat(status(jolokia("{\"type\":\"write\",\"mbean\":\"" + SCHEDULE + "\",\"attribute\":\"LogMask\",\"value\":false}")))
                .isEqualTo(403);
        assertThat(status(jolokia("{\"type\":\"exec\",\"mbean\":\"" + SCHEDULE + "\",\"operation\":\"remove()\"}"))).isEqualTo(403);
        assertThat(status(jolokia("{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=sluice,type=context,name=\\\"sluice\\\"\","
                + "\"operation\":\"stop()\"}"))).isEqualTo(403);

        // the operator's control: stop the dispatch schedule
        assertThat(status(jolokia("{\"type\":\"exec\",\"mbean\":\"" + SCHEDULE + "\",\"operation\":\"stop()\"}"))).isEqualTo(200);
        assertThat(sluice.context().getRouteController().getRouteStatus("dispatch-schedule")).isEqualTo(ServiceStatus.Stopped);

        // the route source Hawtio shows never carries a resolved secret
        JsonNode dump = jolokia("{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=sluice,type=routes,name=\\\"guard-check\\\"\","
                + "\"operation\":\"dumpRouteAsXml(boolean)\",\"arguments\":[true]}");
        assertThat(status(dump)).isEqualTo(200);
        assertThat(dump.path("value").asText()).contains("guard-check").doesNotContain("pm-server-token-never-shown");
    }

    @Test
    void should_stay_live_when_an_operator_stops_the_dispatch_route() throws Exception {
        sluice.start();
        sluice.context().getRouteController().stopRoute("dispatch-schedule");
        sluice.context().getRouteController().stopRoute("dispatch-tick");

        HttpResponse<String> live = sluice.management("GET", "/observe/health/live", null);
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        assertThat(JSON.readTree(live.body()).path("status").asText()).isEqualTo("UP");
        HttpResponse<String> ready = sluice.management("GET", "/observe/health/ready", null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("sluice-database");
    }

    @Test
    void should_count_sends_skips_and_failures_and_show_the_send_control() throws Exception {
        sluice.start();
        sluice.campaign("Hello", "Hi", null, """
                email
                ada@example.com
                grace@example.org
                temp@mailinator.com
                catchall@example.net
                """, """
                email,code
                ada@example.com,valid
                grace@example.org,ok
                catchall@example.net,accept_all
                """);
        sluice.tick();
        sluice.bean("sluiceMetrics", SluiceMetrics.class).validationCall("neverbounce", "valid", 250_000_000L, 1);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = sluice.management("GET", "/observe/metrics", null).body();
            assertThat(metrics).contains("sluice_sends_total 2.0")
                    .contains("sluice_skips_total{code=\"disposable\"} 1.0")
                    .contains("sluice_skips_total{code=\"accept_all\"} 1.0")
                    .contains("sluice_failures_total{class=\"permanent\"} 0.0")
                    .contains("sluice_failures_total{class=\"transient\"} 0.0")
                    .contains("sluice_send_limit 100.0")
                    .contains("sluice_halted 0.0")
                    .contains("sluice_ramp_step 1.0")
                    .contains("sluice_bounce_rate_percent")
                    .contains("sluice_complaint_rate_percent")
                    .contains("sluice_validation_calls_total{outcome=\"valid\",provider=\"neverbounce\"} 1.0")
                    .contains("sluice_validation_call_duration_seconds_sum{provider=\"neverbounce\"} 0.25")
                    .contains("sluice_validation_credits_total{provider=\"neverbounce\"} 1.0")
                    .contains("sluice_validation_cache_hit_ratio")
                    .contains("camel_exchanges_total");
        });
    }

    private JsonNode jolokia(String request) throws Exception {
        HttpResponse<String> response = sluice.management("POST", "/observe/jolokia", request);
        assertThat(response.statusCode()).as(response.body()).isIn(200, 403);
        return JSON.readTree(response.body());
    }

    private static int status(JsonNode answer) {
        int status = answer.path("status").asInt();
        System.out.println("jolokia answered " + status + ": " + (answer.toString().length() > 300 ? answer.toString().substring(0, 300) : answer));
        return status;
    }
}
