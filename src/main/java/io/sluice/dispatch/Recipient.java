package io.sluice.dispatch;

/** A claimed recipient as it travels through recipient-send: enough to render, deliver and record it. */
public record Recipient(long id, long campaignId, String email, String emailKey, String fields, int attempts) {

    /** The idempotent consumer's key: one delivery per campaign and recipient, ever. */
    public String deliveryKey() {
        return campaignId + ":" + id;
    }
}
