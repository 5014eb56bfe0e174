package io.sluice.campaign;

import java.time.Instant;

/** One broadcast: who it is from, what it says, the stream it goes out on and where it stands. */
public record Campaign(long id, String name, String from, String subject, String textTemplate, String htmlTemplate,
                       String messageStream, String state, Instant updatedAt) {

    public static final String DRAFT = "DRAFT";
    public static final String RUNNING = "RUNNING";
    public static final String PAUSED = "PAUSED";
}
