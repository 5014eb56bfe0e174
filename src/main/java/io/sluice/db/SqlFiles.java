package io.sluice.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named queries kept in {@code sql/<name>.sql}, with a per-vendor override in {@code sql/<vendor>/<name>.sql}
 * where the dialects differ. Comments in the files say why a query is shaped the way it is.
 */
public final class SqlFiles {

    private final Database.Vendor vendor;
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    public SqlFiles(Database.Vendor vendor) {
        this.vendor = vendor;
    }

    public String get(String name) {
        return cache.computeIfAbsent(name, this::load);
    }

    private String load(String name) {
        String text = read("sql/" + vendor.folder() + "/" + name + ".sql");
        if (text == null) {
            text = read("sql/" + name + ".sql");
        }
        if (text == null) {
            throw new IllegalStateException("No SQL file sql/" + name + ".sql (nor a " + vendor.folder() + " variant)");
        }
        return stripComments(text);
    }

    private static String read(String resource) {
        try (InputStream in = SqlFiles.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + resource, e);
        }
    }

    private static String stripComments(String text) {
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            sql.append(trimmed).append('\n');
        }
        String result = sql.toString().strip();
        return result.endsWith(";") ? result.substring(0, result.length() - 1) : result;
    }
}
