package io.sluice.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.spi.PropertiesFunction;

/**
 * Named queries kept in {@code sql/<name>.sql}, with a per-vendor variant in {@code sql/<vendor>/<name>.sql} where the
 * dialects differ. Comments in the files say why a query is shaped the way it is.
 *
 * <p>The folder beside the working directory ({@code sluice.sql.dir}, default {@code sql}) wins, file by file, over
 * the copy packaged in the jar, as application.properties does: an operator reads and changes a statement and restarts,
 * without a rebuild, and {@code java -jar sluice.jar} alone still finds every statement. The vendor variant is looked
 * for first (in the folder, then in the jar), then the common file (in the folder, then in the jar). Statements are
 * read once per process: a change takes effect at the next start.
 *
 * <p>Routes name a statement by {@code sql:{{sluice-sql:<name>}}} ({@link #propertiesFunction()}), which resolves to
 * the location this class would read, so Java and routes always run the same file.
 */
public final class SqlFiles {

    /** The folder's default name, relative to the working directory, and the folder inside the jar. */
    public static final String DEFAULT_DIR = "sql";

    /** The placeholder function routes use: {@code {{sluice-sql:recipients-claim-select}}}. */
    public static final String FUNCTION = "sluice-sql";

    private final Path dir;
    private final Database.Vendor vendor;
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    /** The statements of {@code ./sql} over the jar's, for this vendor. */
    public SqlFiles(Database.Vendor vendor) {
        this(Path.of(DEFAULT_DIR), vendor);
    }

    public SqlFiles(Path dir, Database.Vendor vendor) {
        this.dir = dir.toAbsolutePath().normalize();
        this.vendor = vendor;
    }

    public Database.Vendor vendor() {
        return vendor;
    }

    public Path dir() {
        return dir;
    }

    /** The statement, without its comments and without a trailing semicolon (empty when the file holds only comments). */
    public String get(String name) {
        return cache.computeIfAbsent(name, n -> stripComments(read(location(n))));
    }

    /**
     * The statement in Spring's named-parameter form, for a file a route runs through camel-sql as well: camel-sql's
     * {@code :#name} and {@code :#in:name} become {@code :name}, so Java and the route run one file.
     */
    public String named(String name) {
        return CAMEL_PARAMETER.matcher(get(name)).replaceAll(":$1");
    }

    private static final java.util.regex.Pattern CAMEL_PARAMETER = java.util.regex.Pattern.compile(":#(?:in:)?([A-Za-z][A-Za-z0-9_]*)");

    /** Whether the file holds a statement (some dialects need none: recipients-claim-plan outside PostgreSQL). */
    public boolean has(String name) {
        return !get(name).isEmpty();
    }

    /**
     * Where the statement is read from, as a Camel resource location: {@code file:<absolute path>} for a file of the
     * working directory's folder, {@code classpath:sql/...} for the jar's default.
     */
    public String location(String name) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]*")) {
            // Names come from code and routes; never a path (no "..", no slash).
            throw new IllegalArgumentException("Not a SQL file name: " + name);
        }
        for (String relative : new String[] {vendor.folder() + "/" + name + ".sql", name + ".sql"}) {
            Path file = dir.resolve(relative);
            if (Files.isRegularFile(file)) {
                return "file:" + file;
            }
            if (SqlFiles.class.getClassLoader().getResource(DEFAULT_DIR + "/" + relative) != null) {
                return "classpath:" + DEFAULT_DIR + "/" + relative;
            }
        }
        throw new IllegalStateException("No SQL file " + name + ".sql (nor a " + vendor.folder() + " variant) in " + dir
                + " or in the jar");
    }

    /** How many statement files the working directory's folder holds (for the start-up log). */
    public long filesInDir() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.walk(dir, 2)) {
            return files.filter(f -> f.toString().endsWith(".sql") && Files.isRegularFile(f)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** {@code {{sluice-sql:<name>}}} in a route: the location of the statement, for a {@code sql:} endpoint. */
    public PropertiesFunction propertiesFunction() {
        return new PropertiesFunction() {
            @Override
            public String getName() {
                return FUNCTION;
            }

            @Override
            public String apply(String remainder) {
                return location(remainder.strip());
            }
        };
    }

    private static String read(String location) {
        try {
            if (location.startsWith("file:")) {
                return Files.readString(Path.of(location.substring("file:".length())), StandardCharsets.UTF_8);
            }
            try (InputStream in = SqlFiles.class.getClassLoader().getResourceAsStream(location.substring("classpath:".length()))) {
                if (in == null) {
                    throw new IllegalStateException("Cannot read " + location);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + location, e);
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
