package io.sluice.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.sluice.db.Database;
import io.sluice.db.SqlFiles;
import io.sluice.dispatch.RecipientStats;
import io.sluice.dispatch.SendBudget;
import io.sluice.support.ScriptedSmtpServer;
import io.sluice.support.SluiceProcess;
import io.sluice.support.SluiceRunner;
import io.sluice.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several Sluice processes (separate JVMs) on one MariaDB or PostgreSQL database, sending to one SMTP server: nothing
 * is sent twice, sendLimit is one budget per cron period across all of them, and when one is killed with SIGKILL in
 * the middle of a tick the others finish the campaign and account for every row it held. H2 is single-instance.
 */
class MultiInstanceTest {

    private static final String CRON = "0/2 * * * * ?";

    private final List<SluiceProcess> processes = new ArrayList<>();
    private ScriptedSmtpServer smtp;
    private Path dir;
    private TestDatabase database;
    private Database db;
    private JdbcTemplate jdbc;

    @BeforeEach
    void setUp() throws Exception {
        if (TestDatabase.vendor().equals("h2")) {
            Assumptions.abort("H2 is single-instance (an embedded file one process opens): several instances run on "
                    + "MariaDB or PostgreSQL, -Dsluice.test.db=mariadb|postgresql");
        }
        dir = SluiceRunner.tempDir("cluster");
        database = TestDatabase.forDirectory(dir);
        smtp = new ScriptedSmtpServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        processes.forEach(SluiceProcess::close);
        if (smtp != null) {
            smtp.close();
        }
        if (db != null) {
            db.close();
        }
    }

    /** Outcomes a dispatch thread writes at once: a killed instance leaves at most threads x this many rows UNKNOWN. */
    private static final int OUTCOME_BATCH = 3;

    private Map<String, String> settings(String guarantee, int threads) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("sluice.db.url", database.url());
        s.put("sluice.db.username", database.username());
        s.put("sluice.db.password", database.password());
        s.put("sluice.admin.token", SluiceRunner.TOKEN);
        s.put("sluice.demo.enabled", "false");
        s.put("sluice.unsubscribe.secret", "test-unsubscribe-secret-0123456789");
        s.put("sluice.delivery.mode", "smtp");
        s.put("sluice.smtp.host", "127.0.0.1");
        s.put("sluice.smtp.port", Integer.toString(smtp.port()));
        s.put("sluice.delivery.guarantee", guarantee);
        s.put("sluice.dispatch.cron", CRON);
        s.put("sluice.dispatch.threads", Integer.toString(threads));
        s.put("sluice.dispatch.outcome-batch", Integer.toString(OUTCOME_BATCH));
        s.put("sluice.dispatch.initial-send-limit", "0");
        s.put("sluice.dispatch.first-tick-delay-ms", "1000");
        s.put("sluice.cluster.heartbeat-interval-ms", "1000");
        s.put("sluice.cluster.heartbeat-timeout", "PT4S");
        s.put("sluice.cluster.checkin-interval-ms", "2000");
        s.put("sluice.status.waiting-refresh", "PT0S");
        s.put("sluice.postmark.api-url", "http://127.0.0.1:1");
        s.put("sluice.inbox.dir", dir.resolve("inbox").toString());
        s.put("sluice.outbox.dir", dir.resolve("outbox").toString());
        // Loopback only: the guard and suppression schedules never reach out (no Postmark token).
        s.put("sluice.suppressions.cron", "0 0 0 1 1 ? 2099");
        return s;
    }

    private SluiceProcess start(String id, Map<String, String> settings) {
        SluiceProcess p = SluiceProcess.start(id, dir, settings);
        processes.add(p);
        if (jdbc == null) {
            db = new Database(database.url(), database.username(), database.password(), 2);
            jdbc = new JdbcTemplate(db.dataSource());
        }
        return p;
    }

    /** A running campaign of {@code n} validated recipients, imported through the admin API; sendLimit stays 0. */
    private void campaign(SluiceProcess via, int n) {
        StringBuilder audience = new StringBuilder("email,first_name\n");
        StringBuilder results = new StringBuilder("email,code\n");
        for (int i = 1; i <= n; i++) {
            audience.append("user").append(i).append("@example.com,User").append(i).append('\n');
            results.append("user").append(i).append("@example.com,valid\n");
        }
        String created = via.call("POST", "/api/campaigns", "{\"name\":\"cluster\",\"from\":\"news@example.com\","
                + "\"subject\":\"Hello {{first_name}}\",\"textTemplate\":\"Hi {{first_name}}\"}").body();
        long id = Long.parseLong(created.replaceAll(".*\"id\":(\\d+).*", "$1"));
        assertThat(via.call("POST", "/api/validation-results", results.toString()).statusCode()).isEqualTo(200);
        assertThat(via.call("POST", "/api/campaigns/" + id + "/audience", audience.toString()).statusCode()).isEqualTo(200);
        assertThat(via.call("POST", "/api/campaigns/" + id + "/start", null).statusCode()).isEqualTo(200);
    }

    private long count(String where) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM recipient WHERE " + where, Long.class);
    }

    private Set<String> emails(String state) {
        return new HashSet<>(jdbc.queryForList("SELECT email FROM recipient WHERE state = ?", String.class, state));
    }

    @Test
    void three_instances_send_nothing_twice_and_share_one_budget_per_period() {
        int recipients = 150;
        int sendLimit = 20;
        Map<String, String> settings = settings("at-most-once", 4);
        SluiceProcess first = start("node-a", settings);
        campaign(first, recipients);
        // Two more instances start together: their kickoff ticks and the cluster's cron tick overlap in one period.
        assertThat(first.call("PUT", "/api/send-limit", "{\"sendLimit\": " + sendLimit + "}").statusCode()).isEqualTo(200);
        start("node-b", settings);
        start("node-c", settings);

        await("every recipient handled").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> count("state IN ('PENDING', 'CLAIMED')") == 0);

        assertThat(smtp.delivered()).as("each recipient reached the server once").hasSize(recipients)
                .doesNotHaveDuplicates();
        assertThat(smtp.messageIds()).as("one Message-ID per message, none twice").hasSize(recipients).doesNotHaveDuplicates();
        assertThat(count("state = 'SENT'")).isEqualTo(recipients);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM sluice_instance", Long.class)).as("three instances registered").isEqualTo(3);

        // One budget per cron period across the instances: group every claim by the period it was made in.
        SendBudget periods = new SendBudget(db.dataSource(), new SqlFiles(db.vendor()), CRON);
        Map<Long, Integer> claimedPerPeriod = new HashMap<>();
        jdbc.query("SELECT claimed_at FROM recipient", rs -> {
            claimedPerPeriod.merge(periods.periodOf(rs.getTimestamp(1).toInstant()), 1, Integer::sum);
        });
        Map<String, Integer> claimedBy = new LinkedHashMap<>();
        for (SluiceProcess p : processes) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Tick: limit \\d+, claimed (\\d+)").matcher(p.log());
            int n = 0;
            while (m.find()) {
                n += Integer.parseInt(m.group(1));
            }
            claimedBy.put(p.id(), n);
        }
        System.out.printf("three instances on %s: claims per cron period %s; claimed per instance %s%n", TestDatabase.vendor(),
                new java.util.TreeMap<>(claimedPerPeriod).values(), claimedBy);
        assertThat(claimedBy.values().stream().mapToInt(Integer::intValue).sum()).as("the instances' own tick lines add up").isEqualTo(recipients);
        assertThat(claimedPerPeriod.values()).as("claims per cron period, all instances together").allMatch(n -> n <= sendLimit);
        assertThat(jdbc.queryForList("SELECT claimed FROM dispatch_budget", Integer.class)).allMatch(n -> n <= sendLimit);
        assertCountersAgreeWithRows();
    }

    @Test
    void killing_an_instance_mid_tick_loses_nothing_and_sends_nothing_twice_at_most_once() {
        int recipients = 120;
        KillResult result = killOneMidTick("at-most-once", recipients);

        Set<String> sent = emails("SENT");
        Set<String> unknown = emails("UNKNOWN");
        assertThat(smtp.delivered()).as("nothing reached the server twice").doesNotHaveDuplicates();
        assertThat(sent.size() + unknown.size()).as("every recipient SENT or UNKNOWN, nothing lost").isEqualTo(recipients);
        assertThat(new HashSet<>(smtp.delivered())).as("every SENT row was delivered").containsAll(sent);
        assertThat(unknown).as("only the killed instance's in-flight sends and its outcomes not yet written are UNKNOWN")
                .hasSizeLessThanOrEqualTo(result.threads() * OUTCOME_BATCH);
        Set<String> deliveredNotSent = new HashSet<>(smtp.delivered());
        deliveredNotSent.removeAll(sent);
        assertThat(unknown).as("a delivered message is SENT or, if the kill hid its reply, UNKNOWN").containsAll(deliveredNotSent);
        Set<String> accounted = new HashSet<>(sent);
        accounted.addAll(unknown);
        assertThat(accounted).as("the rows the killed instance held are SENT (released, sent by the survivor) or UNKNOWN")
                .containsAll(result.victimRows());
        assertThat(result.victimRows().size()).as("the kill left claimed rows that were never handed over").isGreaterThan(unknown.size());
        assertCountersAgreeWithRows();
    }

    @Test
    void killing_an_instance_mid_tick_releases_its_claims_to_be_sent_once_at_least_once() {
        int recipients = 120;
        KillResult result = killOneMidTick("at-least-once", recipients);

        assertThat(count("state = 'SENT'")).as("every recipient sent in the end").isEqualTo(recipients);
        assertThat(new HashSet<>(smtp.delivered())).hasSize(recipients);
        Map<String, Long> times = smtp.delivered().stream().collect(Collectors.groupingBy(e -> e, Collectors.counting()));
        List<String> twice = times.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        assertThat(twice).as("only what was in flight on the killed instance, or sent with its outcome not yet written, may arrive twice (at-least-once)")
                .hasSizeLessThanOrEqualTo(result.threads() * OUTCOME_BATCH);
        assertThat(times.values()).allMatch(n -> n <= 2);
        assertCountersAgreeWithRows();
    }

    private record KillResult(String victim, Set<String> victimRows, int threads) {
    }

    /**
     * Two instances, a slow SMTP server; as soon as one of them is in the middle of a tick (rows CLAIMED by it and
     * messages arriving), it is killed with SIGKILL. Returns once the survivor has handled every recipient.
     */
    private KillResult killOneMidTick(String guarantee, int recipients) {
        int threads = 2;
        smtp.dataDelayMillis(150);
        Map<String, String> settings = settings(guarantee, threads);
        SluiceProcess a = start("node-a", settings);
        SluiceProcess b = start("node-b", settings);
        campaign(a, recipients);
        assertThat(a.call("PUT", "/api/send-limit", "{\"sendLimit\": 40}").statusCode()).isEqualTo(200);

        String[] victim = new String[1];
        await("one instance in the middle of a tick").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (smtp.delivered().size() < 3) {
                return false;
            }
            List<String> owners = jdbc.queryForList("SELECT claimed_by FROM recipient WHERE state = 'CLAIMED'", String.class);
            if (owners.size() < 5) {
                return false;
            }
            victim[0] = owners.get(0).substring(0, owners.get(0).lastIndexOf('/'));
            return true;
        });
        SluiceProcess killed = victim[0].equals(a.id()) ? a : b;
        SluiceProcess survivor = killed == a ? b : a;
        killed.kill();
        long killedAt = System.nanoTime();
        Set<String> victimRows = new HashSet<>(jdbc.queryForList(
                "SELECT email FROM recipient WHERE state = 'CLAIMED' AND claimed_by LIKE ?", String.class, killed.id() + "/%"));
        assertThat(killed.isAlive()).isFalse();
        // The survivor's heartbeat takes the claims back once the victim's last beat is heartbeat-timeout old: within
        // timeout (4 s) + one heartbeat (1 s) of the kill, whatever the survivor's ticks are doing (2 s for the polls).
        await("the survivor takes the killed instance's claims back").atMost(Duration.ofSeconds(7)).pollInterval(Duration.ofMillis(100))
                .until(() -> count("state = 'CLAIMED' AND claimed_by LIKE '" + killed.id() + "/%'") == 0);
        System.out.printf("claims of the killed instance back after %d ms%n", (System.nanoTime() - killedAt) / 1_000_000);

        await("the survivor handles every recipient").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> count("state IN ('PENDING', 'CLAIMED')") == 0);
        assertThat(survivor.isAlive()).as("the survivor carried on").isTrue();
        assertThat(survivor.log()).contains("whose instance died");
        System.out.printf("%s on %s: killed %s holding %d claimed rows; the server got %d messages (%d distinct); states %s%n",
                guarantee, TestDatabase.vendor(), killed.id(), victimRows.size(), smtp.delivered().size(),
                new HashSet<>(smtp.delivered()).size(), jdbc.queryForList("SELECT state, COUNT(*) AS n FROM recipient GROUP BY state"));
        return new KillResult(killed.id(), victimRows, threads);
    }

    /** The status counters (kept on every state change, also across the kill) agree with a count of the rows. */
    private void assertCountersAgreeWithRows() {
        RecipientStats stats = new RecipientStats(db.dataSource(), new SqlFiles(db.vendor()), Duration.ZERO);
        Map<Long, Map<String, Long>> counters = new HashMap<>();
        Map<Long, Map<String, Long>> rows = new HashMap<>();
        stats.byCampaign().forEach((id, c) -> counters.put(id, c.byState()));
        stats.byCampaignCountingRows().forEach((id, c) -> rows.put(id, c.byState()));
        assertThat(counters).as("counters kept on state changes = GROUP BY over the rows").isEqualTo(rows);
    }
}
