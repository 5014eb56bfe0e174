package io.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tick claims its budget in chunks while its lanes send: every claimed recipient reaches exactly one lane, the
 * claims stop at the budget or at the first short chunk, and what was not claimed goes back once.
 */
class TickClaimTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A table of {@code available} ready recipients with ids 1..available, claimed in id order. */
    private static final class Table implements IntFunction<List<Recipient>> {
        private final int available;
        private final List<Integer> asked = new CopyOnWriteArrayList<>();
        private int next = 1;

        Table(int available) {
            this.available = available;
        }

        @Override
        public synchronized List<Recipient> apply(int n) {
            asked.add(n);
            List<Recipient> out = new ArrayList<>();
            while (out.size() < n && next <= available) {
                out.add(new Recipient(next++, 1, "r@example.com", "r@example.com", "{}", 1, "valid"));
            }
            return out;
        }
    }

    private List<Long> drainInLanes(TickClaim claim, int lanes) throws Exception {
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> running = new ArrayList<>();
        for (Iterable<Recipient> lane : claim.lanes(lanes)) {
            running.add(pool.submit(() -> lane.forEach(r -> seen.add(r.id()))));
        }
        for (Future<?> f : running) {
            f.get(10, TimeUnit.SECONDS);
        }
        return seen;
    }

    @Test
    void claims_the_first_chunk_before_any_lane_starts_and_the_rest_in_chunks_up_to_the_budget() throws Exception {
        Table table = new Table(10_000);
        AtomicInteger dry = new AtomicInteger();
        TickClaim claim = new TickClaim(table, 2_500, 1_000, dry::incrementAndGet);
        assertThat(table.asked).containsExactly(1_000);

        List<Long> seen = drainInLanes(claim, 4);

        assertThat(table.asked).containsExactly(1_000, 1_000, 500);
        assertThat(seen).hasSize(2_500).doesNotHaveDuplicates();
        assertThat(claim.unclaimed()).isZero();
        assertThat(dry).hasValue(1);
    }

    @Test
    void stops_claiming_at_the_first_short_chunk_and_gives_back_what_it_did_not_claim() throws Exception {
        Table table = new Table(1_200);
        AtomicInteger dry = new AtomicInteger();
        TickClaim claim = new TickClaim(table, 5_000, 500, dry::incrementAndGet);

        List<Long> seen = drainInLanes(claim, 3);

        assertThat(table.asked).containsExactly(500, 500, 500);
        assertThat(seen).hasSize(1_200).doesNotHaveDuplicates();
        assertThat(claim.unclaimed()).isEqualTo(3_800);
        assertThat(dry).hasValue(1);
    }

    @Test
    void hands_each_lane_short_runs_in_id_order() {
        TickClaim claim = new TickClaim(new Table(1_000), 1_000, 1_000, () -> { });
        List<Recipient> run = claim.take(4);
        assertThat(run).hasSize(50);
        assertThat(run.get(49).id() - run.get(0).id()).isEqualTo(49);
        // Near the end the runs shrink (a quarter of what is left, for 4 lanes) so the lanes finish together.
        List<Integer> sizes = new ArrayList<>();
        for (List<Recipient> next = claim.take(4); !next.isEmpty(); next = claim.take(4)) {
            sizes.add(next.size());
        }
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(950);
        assertThat(sizes).startsWith(50).endsWith(1).isSortedAccordingTo(Collections.reverseOrder());
        assertThat(sizes).contains(37, 28, 21);
        assertThat(claim.take(4)).isEmpty();
    }

    @Test
    void a_failed_first_claim_fails_the_tick_step() {
        AtomicInteger dry = new AtomicInteger();
        assertThatThrownBy(() -> new TickClaim(n -> {
            throw new IllegalStateException("database gone");
        }, 100, 10, dry::incrementAndGet)).hasMessage("database gone");
        assertThat(dry).hasValue(1);
    }

    @Test
    void a_failed_later_claim_ends_the_claim_and_the_lanes_still_send_what_they_hold() {
        AtomicInteger calls = new AtomicInteger();
        Table table = new Table(10_000);
        AtomicInteger dry = new AtomicInteger();
        TickClaim claim = new TickClaim(n -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("database gone");
            }
            return table.apply(n);
        }, 5_000, 100, dry::incrementAndGet);

        List<Long> seen = new ArrayList<>();
        Iterable<Recipient> lane = claim.lanes(1).get(0);
        lane.forEach(r -> seen.add(r.id()));

        assertThat(seen).hasSize(100).doesNotHaveDuplicates();
        assertThat(calls).hasValue(2);
        assertThat(dry).hasValue(1);
        assertThat(claim.unclaimed()).isEqualTo(4_900);
    }

    @Test
    void an_empty_budget_claims_nothing() {
        Table table = new Table(10);
        AtomicInteger dry = new AtomicInteger();
        TickClaim claim = new TickClaim(table, 0, 100, dry::incrementAndGet);
        assertThat(table.asked).isEmpty();
        assertThat(claim.isEmpty()).isTrue();
        assertThat(claim.lanes(15)).hasSize(1);
        assertThat(claim.lanes(15).get(0)).isEmpty();
        assertThat(dry).hasValue(1);
    }
}
