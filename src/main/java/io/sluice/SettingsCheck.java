package io.sluice;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * No silently ignored settings: every {@code sluice.*} key given in the working directory's application.properties, as
 * a {@code -D} property or as a {@code SLUICE_*} environment variable must be one Sluice knows (a key of the packaged
 * application.properties). A typo ({@code SLUICE_DISPATCH_THREDS=4}) would otherwise leave the default running while
 * the operator believes it changed; start-up stops instead, naming the key and the closest known one. A renamed key
 * keeps working for one release, with a warning naming the new key.
 */
public final class SettingsCheck {

    /** Keys read outside application.properties: before Camel starts (log format, where the settings live). */
    private static final Set<String> OUTSIDE_PROPERTIES = Set.of("sluice.log.format", "sluice.config");

    /** Old key to new key, for one release after a rename. */
    static final Map<String, String> RENAMED = Map.of();

    private static final Pattern ENV_REFERENCE = Pattern.compile("\\{\\{env:([A-Z0-9_]+)");

    private final Set<String> known;
    private final Set<String> knownEnv = new TreeSet<>();
    private final Map<String, String> renamed;

    SettingsCheck(Properties packaged, Map<String, String> renamed) {
        this.renamed = renamed;
        Set<String> keys = new TreeSet<>(OUTSIDE_PROPERTIES);
        for (String key : packaged.stringPropertyNames()) {
            if (key.startsWith("sluice.")) {
                keys.add(key);
            }
            // Environment variables the defaults name themselves ({{env:SLUICE_SMTP_PASSWORD:}}) are known too.
            Matcher m = ENV_REFERENCE.matcher(packaged.getProperty(key));
            while (m.find()) {
                knownEnv.add(m.group(1));
            }
        }
        this.known = keys;
        keys.forEach(k -> knownEnv.add(envName(k)));
        renamed.keySet().forEach(k -> knownEnv.add(envName(k)));
    }

    /** The check as {@link Sluice#main} runs it: the packaged defaults, the file beside the jar, -D and the environment. */
    public static List<String> run(Map<String, String> env, Properties system, Path workingDirectoryFile) {
        Properties packaged = new Properties();
        try (InputStream in = SettingsCheck.class.getResourceAsStream("/application.properties")) {
            if (in == null) {
                return List.of();
            }
            packaged.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the packaged application.properties", e);
        }
        Properties file = new Properties();
        if (Files.isRegularFile(workingDirectoryFile)) {
            try (Reader in = Files.newBufferedReader(workingDirectoryFile, StandardCharsets.UTF_8)) {
                file.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + workingDirectoryFile, e);
            }
        }
        SettingsCheck check = new SettingsCheck(packaged, RENAMED);
        List<String> problems = new ArrayList<>();
        problems.addAll(check.keys(file.stringPropertyNames(), workingDirectoryFile.toString()));
        problems.addAll(check.keys(system.stringPropertyNames(), "-D"));
        problems.addAll(check.environment(env.keySet()));
        return problems;
    }

    /** Problems with {@code sluice.*} keys from one source; warnings for renamed keys go to stderr. */
    List<String> keys(Set<String> given, String source) {
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(given)) {
            if (!key.startsWith("sluice.") || known.contains(key)) {
                continue;
            }
            if (renamed.containsKey(key)) {
                System.err.println("WARNING: setting " + key + " (" + source + ") was renamed " + renamed.get(key)
                        + "; the old name works for this release only");
                continue;
            }
            problems.add("Unknown setting " + key + " (" + source + "): did you mean " + closest(key, known) + "?");
        }
        return problems;
    }

    /** Problems with {@code SLUICE_*} environment variables. */
    List<String> environment(Set<String> names) {
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(names)) {
            if (!name.startsWith("SLUICE_") || knownEnv.contains(name)) {
                if (name.startsWith("SLUICE_")) {
                    renamed.forEach((old, now) -> {
                        if (envName(old).equals(name)) {
                            System.err.println("WARNING: environment variable " + name + " sets the renamed setting " + old
                                    + "; use " + envName(now) + " (" + now + "): the old name works for this release only");
                        }
                    });
                }
                continue;
            }
            String nearest = closest(name, knownEnv);
            String key = known.stream().filter(k -> envName(k).equals(nearest)).findFirst().orElse(nearest);
            problems.add("Unknown setting in environment variable " + name + ": did you mean " + key
                    + (key.equals(nearest) ? "" : " (" + nearest + ")") + "?");
        }
        return problems;
    }

    /** The environment variable Camel reads for a key: upper case, dots and dashes as underscores. */
    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String closest(String given, Set<String> candidates) {
        return candidates.stream().min(Comparator.comparingInt((String c) -> distance(given, c)).thenComparing(c -> c)).orElse("");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
