package io.sluice.dispatch;

/**
 * A claimed recipient as it travels through recipient-send: enough to judge, render, deliver and record it.
 * {@code validationCode} is the address's validation-cache code, given by the claim's content enricher
 * (route recipients-claim, step recipients-claim-enrich-verdicts: one lookup per chunk).
 */
public record Recipient(long id, long campaignId, String email, String emailKey, String fields, int attempts,
                        String validationCode) {

    /** The idempotent consumer's key: one delivery per campaign and recipient, ever. */
    public String deliveryKey() {
        return campaignId + ":" + id;
    }
}
