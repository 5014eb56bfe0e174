package io.sluice.audience;

/** A file that cannot be imported at all (no email column, unknown campaign): nothing was changed. */
public class ImportException extends RuntimeException {
    public ImportException(String message) {
        super(message);
    }
}
