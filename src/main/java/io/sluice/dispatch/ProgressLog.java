package io.sluice.dispatch;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.Deque;
import java.util.Map;

import io.sluice.campaign.Campaign;
import io.sluice.campaign.CampaignStore;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per running campaign per tick: sent, skipped, failed, remaining, the rate over the last hour and an
 * ETA at the current send limit (send limit x ticks per hour from the cron, capped by the per-second throttle).
 */
public class ProgressLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.sluice.progress");

    private record Sample(Instant at, int sent) {
    }

    private final CampaignStore campaigns;
    private final RecipientStats stats;
    private final double ticksPerHour;
    private final int maxPerSecond;
    private final Deque<Sample> lastHour = new ArrayDeque<>();

    public ProgressLog(CampaignStore campaigns, RecipientStats stats, String cron, int maxPerSecond) {
        this.campaigns = campaigns;
        this.stats = stats;
        this.ticksPerHour = ticksPerHour(cron);
        this.maxPerSecond = maxPerSecond;
    }

    public synchronized void log(Tick tick) {
        Instant now = Instant.now();
        lastHour.addLast(new Sample(now, tick.sentCount()));
        while (!lastHour.isEmpty() && lastHour.peekFirst().at().isBefore(now.minus(Duration.ofHours(1)))) {
            lastHour.removeFirst();
        }
        long ratePerHour = lastHour.stream().mapToLong(Sample::sent).sum();
        double capacityPerHour = Math.min(tick.getSendLimit() * ticksPerHour, maxPerSecond * 3600.0);
        Map<String, Object> t = tick.toMap();
        LOG.info("Tick: limit {}, claimed {}, sent {}, skipped {}, failed {}, returned {}, unknown {}, released {}",
                tick.getSendLimit(), t.get("claimed"), t.get("sent"), t.get("skipped"), t.get("failed"), t.get("returnedToPool"),
                t.get("unknown"), t.get("released"));
        Map<Long, RecipientStats.Counts> counts = stats.byCampaign();
        for (Campaign campaign : campaigns.all()) {
            if (!Campaign.RUNNING.equals(campaign.state())) {
                continue;
            }
            RecipientStats.Counts c = counts.getOrDefault(campaign.id(), new RecipientStats.Counts());
            long remaining = c.state(RecipientStore.PENDING) + c.state(RecipientStore.CLAIMED);
            LOG.info("Campaign {} '{}': sent {}, skipped {}, failed {}, unknown {}, remaining {} ({} waiting for validation), "
                            + "rate {}/h, ETA {}", campaign.id(), campaign.name(), c.state(RecipientStore.SENT),
                    c.state(RecipientStore.SKIPPED), c.state(RecipientStore.FAILED), c.state(RecipientStore.UNKNOWN),
                    remaining, c.waitingForValidation(), ratePerHour, eta(remaining, capacityPerHour));
        }
    }

    static String eta(long remaining, double capacityPerHour) {
        if (remaining == 0) {
            return "done";
        }
        if (capacityPerHour <= 0) {
            return "never at the current send limit";
        }
        Duration left = Duration.ofSeconds((long) Math.ceil(remaining / capacityPerHour * 3600));
        return left.toDays() > 0
                ? String.format("%dd %dh %dm", left.toDays(), left.toHoursPart(), left.toMinutesPart())
                : String.format("%dh %dm %ds", left.toHours(), left.toMinutesPart(), left.toSecondsPart());
    }

    public static double ticksPerHour(String cron) {
        try {
            CronExpression expression = new CronExpression(cron);
            Date first = expression.getNextValidTimeAfter(new Date());
            Date last = first;
            int ticks = 0;
            Date end = new Date(first.getTime() + Duration.ofDays(1).toMillis());
            while (last != null && last.before(end) && ticks < 100_000) {
                last = expression.getNextValidTimeAfter(last);
                ticks++;
            }
            return ticks / 24.0;
        } catch (ParseException e) {
            throw new IllegalArgumentException("sluice.dispatch.cron is not a Quartz cron expression: " + cron, e);
        }
    }
}
