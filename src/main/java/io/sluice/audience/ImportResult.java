package io.sluice.audience;

/** What an import did: every data row of the file is either imported or rejected, and rows = imported + rejected. */
public record ImportResult(String source, long rows, long imported, long rejected) {

    public String summary() {
        return source + ": " + rows + " rows, " + imported + " imported, " + rejected + " rejected";
    }
}
