package io.sluice.validation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * How often Sluice already knew an address when it needed a verdict: every recipient imported into a campaign and
 * every address of {@code POST /api/addresses/check} is one lookup. A hit found a cache entry that is still fresh (or a
 * suppression, which never expires): no provider spend. A miss needs a provider. A local verdict (broken syntax,
 * disposable domain, role account) needed neither. The hit rate is hits / (hits + misses).
 */
public class CacheLookups {

    /** Where the lookup happened: an audience import, or the address check of the admin API. */
    public enum Source {
        IMPORT, CHECK;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What the lookup found. */
    public enum Result {
        HIT, MISS, LOCAL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final LongAdder[][] counts = new LongAdder[Source.values().length][Result.values().length];

    public CacheLookups() {
        for (LongAdder[] bySource : counts) {
            for (int i = 0; i < bySource.length; i++) {
                bySource[i] = new LongAdder();
            }
        }
    }

    public void add(Source source, Result result, long n) {
        if (n > 0) {
            counts[source.ordinal()][result.ordinal()].add(n);
        }
    }

    public long count(Source source, Result result) {
        return counts[source.ordinal()][result.ordinal()].sum();
    }

    public long total(Result result) {
        long n = 0;
        for (Source source : Source.values()) {
            n += count(source, result);
        }
        return n;
    }

    /** hits / (hits + misses) since start, or null before the first lookup that a provider could have answered. */
    public Double hitRate() {
        long hits = total(Result.HIT);
        long asked = hits + total(Result.MISS);
        return asked == 0 ? null : (double) hits / asked;
    }

    /** The status's view: totals, the rate, and the counts per source. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("hits", total(Result.HIT));
        map.put("misses", total(Result.MISS));
        map.put("local", total(Result.LOCAL));
        Double rate = hitRate();
        map.put("hitRate", rate == null ? null : Math.round(rate * 10_000) / 10_000.0);
        for (Source source : Source.values()) {
            Map<String, Long> bySource = new LinkedHashMap<>();
            for (Result result : Result.values()) {
                bySource.put(result.label(), count(source, result));
            }
            map.put(source.label(), bySource);
        }
        return map;
    }
}
