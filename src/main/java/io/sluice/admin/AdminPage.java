package io.sluice.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The progress page's static files, from a fixed list on the classpath (never a path from the request). They carry no
 * data and no secret: the page asks for the admin token and calls the JSON API with it, so serving them needs no token.
 */
public class AdminPage {

    private record Asset(byte[] content, String contentType) {
    }

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "page.js", "text/javascript; charset=utf-8",
            "page.css", "text/css; charset=utf-8");

    private final Map<String, Asset> assets;

    public AdminPage() {
        this.assets = FILES.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> new Asset(read("admin-page/" + e.getKey()), e.getValue())));
    }

    /** The file's bytes; a blank name is the page itself; anything not on the list is a 404. */
    public byte[] content(String name) {
        return asset(name).content();
    }

    public String contentType(String name) {
        return asset(name).contentType();
    }

    private Asset asset(String name) {
        Asset asset = assets.get(name == null || name.isBlank() ? "index.html" : name);
        if (asset == null) {
            throw ApiException.notFound("no such page file: " + name);
        }
        return asset;
    }

    private static byte[] read(String resource) {
        try (InputStream in = AdminPage.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
