package io.sluice.dispatch;

import java.util.Locale;

/**
 * The business choice the story names: record before sending (a crash loses one email, never duplicates it) or
 * after (a crash may send one twice, never loses it).
 */
public enum DeliveryGuarantee {
    AT_MOST_ONCE, AT_LEAST_ONCE;

    public static DeliveryGuarantee of(String setting) {
        return switch (setting.strip().toLowerCase(Locale.ROOT)) {
            case "at-most-once" -> AT_MOST_ONCE;
            case "at-least-once" -> AT_LEAST_ONCE;
            default -> throw new IllegalArgumentException(
                    "sluice.delivery.guarantee must be at-most-once or at-least-once, got: " + setting);
        };
    }

    /** The idempotent consumer records the key before the send (eager) only for at-most-once. */
    public boolean recordBeforeSend() {
        return this == AT_MOST_ONCE;
    }
}
