package io.sluice.drills;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** A drill's command line: {@code --name=value} or {@code --name value}; every value has a default in the drill. */
final class Options {

    private final Map<String, String> values = new HashMap<>();
    private final Map<String, String> used = new TreeMap<>();

    Options(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("options are --name=value, got: " + arg);
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                values.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(arg.substring(2), args[++i]);
            } else {
                values.put(arg.substring(2), "true");
            }
        }
    }

    String get(String name, String defaultValue) {
        String value = values.getOrDefault(name, defaultValue);
        used.put(name, value);
        return value;
    }

    int getInt(String name, int defaultValue) {
        return Integer.parseInt(get(name, Integer.toString(defaultValue)));
    }

    long getLong(String name, long defaultValue) {
        return Long.parseLong(get(name, Long.toString(defaultValue)));
    }

    boolean getBoolean(String name, boolean defaultValue) {
        return Boolean.parseBoolean(get(name, Boolean.toString(defaultValue)));
    }

    /** Options given but never read: a typo would otherwise silently run the defaults. */
    void rejectUnknown() {
        for (String name : values.keySet()) {
            if (!used.containsKey(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (known: " + used.keySet() + ")");
            }
        }
    }

    /** The settings this run used, for the report. */
    String describe() {
        StringBuilder out = new StringBuilder();
        used.forEach((k, v) -> out.append(out.length() == 0 ? "" : " ").append("--").append(k).append('=').append(v));
        return out.toString();
    }
}
