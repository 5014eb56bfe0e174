package io.sluice.guard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.sluice.support.LogCapture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The guard judges only timely, fresh answers: a late or superseded answer never opens the gate. */
class GuardCallsTest {

    private static final String HEALTHY = "{\"Sent\":10,\"Bounced\":0,\"SpamComplaints\":0}";

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-12-06T10:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final ManualClock clock = new ManualClock();
    // min-sent 100 > Sent 10: judging a healthy answer never needs the send control (no halt decision).
    private final Guard guard = new Guard(null, true, 5, 0.1, 100, Duration.ofMinutes(5), Duration.ofSeconds(10),
            "broadcast", 10, clock, () -> null);

    @Test
    void should_stay_closed_before_any_answer() {
        assertThat(guard.blocksDispatch()).contains("statistics unavailable");
    }

    @Test
    void should_open_on_a_timely_healthy_answer() {
        Guard.Call call = guard.beginCall();
        clock.advance(Duration.ofSeconds(9));

        guard.judge(call, HEALTHY, null);

        assertThat(guard.blocksDispatch()).isNull();
        assertThat(guard.figures()).containsEntry("sent", 10L);
    }

    @Test
    void should_drop_a_healthy_answer_that_arrives_after_the_time_limit() {
        Guard.Call call = guard.beginCall();
        clock.advance(Duration.ofSeconds(30));

        guard.judge(call, HEALTHY, null);

        assertThat(guard.blocksDispatch()).as("a late answer never opens the gate").contains("after the 10000 ms time limit");
        assertThat(guard.figures()).as("a late answer is never judged").isEmpty();
    }

    @Test
    void should_drop_an_answer_older_than_one_already_judged() {
        Guard.Call older = guard.beginCall();
        Guard.Call newer = guard.beginCall();
        guard.judge(newer, null, "statistics call failed: HTTP 500");

        guard.judge(older, HEALTHY, null);

        assertThat(guard.blocksDispatch()).contains("HTTP 500");
        assertThat(guard.figures()).isEmpty();
    }

    @Test
    void should_log_a_failed_call_superseded_by_a_newer_answer_and_keep_the_newer_answer() {
        Guard.Call older = guard.beginCall();
        Guard.Call newer = guard.beginCall();
        guard.judge(newer, HEALTHY, null);

        try (LogCapture log = LogCapture.of(Guard.class)) {
            guard.judge(older, null, "statistics call failed: HTTP 500");

            assertThat(log.lines()).as("the operator still hears of the failed call")
                    .anySatisfy(line -> assertThat(line).startsWith("WARN").contains("cannot read statistics", "superseded", "HTTP 500"));
        }
        assertThat(guard.blocksDispatch()).as("the newer healthy answer decides").isNull();
        assertThat(guard.figures()).containsEntry("sent", 10L);
    }

    @Test
    void should_let_a_caller_whose_answer_is_overtaken_read_the_newer_answer_not_the_gap_before_it() throws Exception {
        Guard.Call older = guard.beginCall();
        Guard.Call newer = guard.beginCall();
        CountDownLatch judging = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // The newer answer is being judged (held inside its evaluation) when the older one arrives.
        guard.setWebhookBounces(() -> {
            judging.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0L;
        });
        Thread schedule = new Thread(() -> guard.judge(newer, HEALTHY, null));
        schedule.start();
        assertThat(judging.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicReference<String> tickSaw = new AtomicReference<>("not yet");
        Thread tick = new Thread(() -> {
            guard.judge(older, HEALTHY, null);
            tickSaw.set(String.valueOf(guard.blocksDispatch()));
        });
        tick.start();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> tickSaw.get().equals("not yet"));
        release.countDown();
        schedule.join(10_000);
        tick.join(10_000);

        assertThat(tickSaw.get()).as("the tick reads the newer healthy answer (null: nothing blocks dispatch)").isEqualTo("null");
    }

    @Test
    void should_close_once_the_last_healthy_answer_is_older_than_the_grace() {
        guard.judge(guard.beginCall(), HEALTHY, null);
        clock.advance(Duration.ofMinutes(4));
        guard.judge(guard.beginCall(), null, "statistics call failed: timeout");
        assertThat(guard.blocksDispatch()).as("within the grace the gate stays open").isNull();

        clock.advance(Duration.ofMinutes(2));

        assertThat(guard.blocksDispatch()).contains("statistics unavailable", "timeout");
    }
}
