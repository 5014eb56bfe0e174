package io.sluice.admin;

/** A request the admin API refuses: the status code and a message that tells the caller what to fix. */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "missing or wrong bearer token");
    }
}
