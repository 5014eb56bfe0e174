package io.sluice.admin;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the admin API accepts as a request body, checked after the token and before anything is read or changed. A
 * body of another type is refused with 415 naming the type expected: platform-http turns a form post
 * ({@code application/x-www-form-urlencoded}, what {@code curl -d} sends by default) into a map, which a CSV import or a
 * JSON read could only fail on with an internal error. JSON bodies are read here too, so a refusal says what is wrong
 * with the body in the caller's terms, never a parser's class names.
 */
public class RequestBodies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CSV = Set.of("text/csv", "application/csv", "text/plain");
    private static final Set<String> TEXT = Set.of("text/plain", "text/csv");

    /** A CSV upload (audience, validation results): text/csv; text/plain and application/csv are taken as CSV too. */
    public void requireCsv(String contentType) {
        require(contentType, CSV, "text/csv");
    }

    /** A list of addresses, one a line. */
    public void requireText(String contentType) {
        require(contentType, TEXT, "text/plain");
    }

    /** A JSON body: application/json or a +json type. */
    public void requireJson(String contentType) {
        if (!isJson(contentType)) {
            throw unsupported(contentType, "application/json");
        }
    }

    /** A call whose JSON body may be left out (no body and no type); when there is one, it must be JSON. */
    public void requireOptionalJson(String contentType, String body) {
        if ((contentType == null || contentType.isBlank()) && (body == null || body.isBlank())) {
            return;
        }
        requireJson(contentType);
    }

    /** The body as a JSON object; 400 when it is empty, not JSON, or JSON but not an object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> jsonObject(String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("the body must be a JSON object, and it is empty");
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            throw ApiException.badRequest("the body is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object {...}, not "
                    + (node == null ? "empty" : node.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return JSON.convertValue(node, Map.class);
    }

    /** A JSON object, or an empty map when the body was left out. */
    public Map<String, Object> optionalJsonObject(String body) {
        return body == null || body.isBlank() ? Map.of() : jsonObject(body);
    }

    private static void require(String contentType, Set<String> accepted, String expected) {
        String type = mediaType(contentType);
        if (type == null || !accepted.contains(type)) {
            throw unsupported(contentType, expected);
        }
    }

    private static boolean isJson(String contentType) {
        String type = mediaType(contentType);
        return type != null && (type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json")));
    }

    /** The type without its parameters, lower case; null when there is none. */
    static String mediaType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static ApiException unsupported(String contentType, String expected) {
        String given = mediaType(contentType);
        // The caller's own header, echoed only when it looks like a media type (never control characters or a long text).
        String shown = given == null ? "none" : given.matches("[a-z0-9!#$&^_.+-]{1,60}/[a-z0-9!#$&^_.+-]{1,60}") ? given : "unreadable";
        return new ApiException(415, "send the body as Content-Type: " + expected + " (got " + shown + ")");
    }
}
