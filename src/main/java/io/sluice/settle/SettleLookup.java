package io.sluice.settle;

/**
 * One UNKNOWN recipient being looked up in Postmark's message log, page by page. The route asks for pages while
 * {@link #wantsPage()}; each answer (or failure) moves it towards one outcome. Pure.
 */
public final class SettleLookup {

    /** Where the recipient goes. */
    public enum Outcome {
        /** Found in the log: SENT. */
        SENT,
        /** Every page read, none of this send: PENDING, sent again. */
        PENDING,
        /** An API error, a timeout, an unreadable answer: stays UNKNOWN, asked again by a later run. */
        ERROR,
        /** The answer contradicts itself or cannot be read to the end: stays UNKNOWN. */
        UNRESOLVED,
        /** The run stopped before this one was asked: stays UNKNOWN. */
        NOT_ASKED
    }

    private final UnknownRecipient recipient;
    private final SettleRun run;
    private int offset;
    private int pages;
    private int conflicts;
    private Outcome outcome;
    private String detail;

    SettleLookup(UnknownRecipient recipient, SettleRun run) {
        this.recipient = recipient;
        this.run = run;
    }

    public UnknownRecipient recipient() {
        return recipient;
    }

    SettleRun run() {
        return run;
    }

    /** Another page is needed, and the run still asks. */
    public boolean wantsPage() {
        return outcome == null && !run.stopped();
    }

    /** The query string of the next page. */
    public String query() {
        return PostmarkMessageSearch.query(recipient, offset);
    }

    /** One page of the answer. */
    void onPage(PostmarkMessageSearch.Page page) {
        pages++;
        switch (page.kind()) {
            case ERROR -> fail(page.detail(), page.unauthorized());
            case FOUND -> {
                run.answered();
                end(Outcome.SENT, page.detail());
            }
            case NONE_ON_PAGE -> {
                run.answered();
                conflicts += page.conflicts();
                offset += page.messages();
                if (offset >= page.totalCount()) {
                    if (conflicts > 0) {
                        end(Outcome.UNRESOLVED, conflicts + " message(s) in Postmark's log carry this campaign's and recipient's"
                                + " ids but another stream or address: a person decides");
                    } else {
                        end(Outcome.PENDING, "not in Postmark's message log (" + page.totalCount() + " message(s) to the address in "
                                + "the stream around the send, none of this campaign): sent again");
                    }
                } else if (page.messages() == 0) {
                    end(Outcome.UNRESOLVED, "Postmark answered an empty page at offset " + offset + " of " + page.totalCount());
                } else if (offset + PostmarkMessageSearch.PAGE_SIZE > PostmarkMessageSearch.MAX_RESULTS) {
                    end(Outcome.UNRESOLVED, page.totalCount() + " messages to the address in the window: more than Postmark pages through ("
                            + PostmarkMessageSearch.MAX_RESULTS + "), none of this campaign among them");
                }
            }
        }
    }

    /** The call failed before an answer (timeout, connection, an answer the route could not read). */
    void onFailure(String why) {
        pages++;
        fail(why, false);
    }

    /** The outcome could not be written: the row stays UNKNOWN (the call itself is not counted again). */
    void writeFailed(String why) {
        end(Outcome.ERROR, why);
    }

    private void fail(String why, boolean unauthorized) {
        end(Outcome.ERROR, why);
        run.failed(why, unauthorized);
    }

    private void end(Outcome result, String why) {
        this.outcome = result;
        this.detail = why;
    }

    /** The outcome once no page is wanted any more (NOT_ASKED when the run stopped first). */
    public Outcome outcome() {
        return outcome == null ? Outcome.NOT_ASKED : outcome;
    }

    public String detail() {
        return outcome == null ? "not asked: " + run.stoppedBecause() : detail;
    }

    public int pages() {
        return pages;
    }
}
