package io.sluice.routes;

import java.util.Date;
import java.util.List;
import java.util.Properties;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * recipient-send-throttle holds sluice.dispatch.max-per-second across all the dispatch threads. Camel's TotalRequests
 * throttle hands out max-per-second permits and returns each one timePeriodMillis (1 s) after it was taken: in any
 * rolling second at most max-per-second recipients pass, the first ones of a tick in a burst. The woven mock stamps
 * each recipient right after its permit; a thread may be descheduled between the two on a busy machine, so each
 * window is measured with SLACK_MS taken off.
 */
class RecipientSendThrottleRouteTest extends SluiceRouteTestSupport {

    @RegisterExtension
    static GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final int PER_SECOND = 5;
    private static final int RECIPIENTS = 16;
    private static final long SLACK_MS = 200;

    @Override
    protected void settings(Properties settings) {
        smtp(settings, greenMail.getSmtp().getPort());
        settings.setProperty("sluice.dispatch.max-per-second", Integer.toString(PER_SECOND));
        // More lanes than the limit, so the throttle, not the threads, sets the pace.
        settings.setProperty("sluice.dispatch.threads", "8");
    }

    @Test
    void should_let_no_more_than_max_per_second_through_in_any_second() throws Exception {
        advise("recipient-send", route -> route.weaveById("recipient-send-throttle").after().to("mock:throttled"));
        startSluice();
        String[] audience = validAudience(RECIPIENTS);
        campaign(audience[0], audience[1]);
        MockEndpoint throttled = getMockEndpoint("mock:throttled");
        throttled.expectedMessageCount(RECIPIENTS);

        tick();

        throttled.assertIsSatisfied();
        List<Long> times = throttled.getReceivedExchanges().stream()
                .map(e -> e.getProperty(Exchange.RECEIVED_TIMESTAMP, Date.class).getTime())
                .sorted()
                .toList();
        for (int i = 0; i + PER_SECOND < times.size(); i++) {
            long window = times.get(i + PER_SECOND) - times.get(i);
            assertThat(window).as("recipients %d..%d passed the throttle within %d ms: more than %d in a second (times %s)",
                    i + 1, i + PER_SECOND + 1, window, PER_SECOND, times).isGreaterThanOrEqualTo(1000 - SLACK_MS);
        }
        assertThat(times.get(times.size() - 1) - times.get(0)).as("16 at 5 per second: bursts at 0, 1, 2 and 3 s")
                .isGreaterThanOrEqualTo(3000 - SLACK_MS);
        assertThat(count("SENT")).as("the throttle delays, it never drops").isEqualTo(RECIPIENTS);
        assertThat(greenMail.getReceivedMessages()).hasSize(RECIPIENTS);
    }
}
