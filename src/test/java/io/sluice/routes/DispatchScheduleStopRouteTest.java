package io.sluice.routes;

import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.management.ObjectName;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's emergency stop: dispatch-schedule stopped through its route MBean, the operation Hawtio's Stop button
 * calls over Jolokia. Ticks fire every second, a few recipients each; once the route is stopped no tick runs and nothing
 * more reaches SMTP while recipients remain, until the route is started again. guard-schedule fires on the same
 * one-second cron and serves as the clock: a NotifyBuilder on it says when cron seconds have passed.
 */
class DispatchScheduleStopRouteTest extends SluiceRouteTestSupport {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String EVERY_SECOND = "0/1 * * * * ?";

    @Override
    protected void settings(Properties settings) {
        smtp(settings, greenMail.getSmtp().getPort());
        settings.setProperty("sluice.dispatch.cron", EVERY_SECOND);
        settings.setProperty("sluice.guard.cron", EVERY_SECOND);
        // Two per tick (per cron period): the campaign outlasts the test by far.
        settings.setProperty("sluice.dispatch.initial-send-limit", "2");
    }

    @Test
    void should_send_nothing_more_once_the_dispatch_schedule_is_stopped() throws Exception {
        startSluice();
        String[] audience = validAudience(40);
        campaign(audience[0], audience[1]);
        assertThat(greenMail.waitForIncomingEmail(20_000, 4)).as("the schedule sends, two a second").isTrue();

        ObjectName route = mbean("routes", "dispatch-schedule");
        mbeans().invoke(route, "stop", null, null);

        assertThat(mbeans().getAttribute(route, "State")).isEqualTo("Stopped");
        int sentAtStop = greenMail.getReceivedMessages().length;
        assertThat(count("SENT")).as("every mail that left is recorded (the running tick finished first)").isEqualTo(sentAtStop);
        NotifyBuilder anyTick = new NotifyBuilder(context).fromRoute("dispatch-schedule").whenReceived(1).create();
        NotifyBuilder threeCronSeconds = new NotifyBuilder(context).fromRoute("guard-schedule").whenCompleted(3).create();

        assertThat(threeCronSeconds.matches(20, TimeUnit.SECONDS)).as("the one-second cron fired three times").isTrue();

        assertThat(anyTick.matches()).as("no tick from the stopped schedule").isFalse();
        assertThat(greenMail.getReceivedMessages()).as("nothing more reaches SMTP").hasSize(sentAtStop);
        assertThat(count("SENT")).isEqualTo(sentAtStop);
        assertThat(count("PENDING")).as("while recipients remain").isEqualTo(40 - sentAtStop);

        NotifyBuilder resumed = new NotifyBuilder(context).fromRoute("dispatch-schedule").whenCompleted(1).create();
        mbeans().invoke(route, "start", null, null);

        assertThat(resumed.matches(20, TimeUnit.SECONDS)).as("started again, the schedule ticks").isTrue();
        assertThat(greenMail.waitForIncomingEmail(20_000, sentAtStop + 1)).as("and sends again").isTrue();
    }
}
