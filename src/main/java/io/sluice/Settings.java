package io.sluice;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Typed access to the {@code sluice.*} settings. Values come from application.properties, overridden by an
 * environment variable (the key upper-cased, dots and dashes as underscores: SLUICE_SMTP_HOST) or a -D property,
 * all resolved by Camel's properties component. A missing or malformed setting stops start-up with its key named.
 */
public final class Settings {

    private final PropertiesComponent properties;

    public Settings(CamelContext context) {
        this.properties = context.getPropertiesComponent();
    }

    public String get(String key) {
        return properties.resolveProperty(key)
                .orElseThrow(() -> new IllegalStateException("Missing setting " + key + " (application.properties or "
                        + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + ")"));
    }

    public String get(String key, String defaultValue) {
        return properties.resolveProperty(key).orElse(defaultValue);
    }

    public int getInt(String key) {
        String value = get(key).strip();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting " + key + " must be a whole number, got: " + value);
        }
    }

    public double getDouble(String key) {
        String value = get(key).strip();
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting " + key + " must be a number, got: " + value);
        }
    }

    public boolean getBoolean(String key) {
        String value = get(key).strip().toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalStateException("Setting " + key + " must be true or false, got: " + value);
        }
        return Boolean.parseBoolean(value);
    }

    /** ISO-8601 durations (PT10M) or plain seconds. */
    public Duration getDuration(String key) {
        String value = get(key).strip();
        try {
            return value.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Setting " + key + " must be a duration like PT10M or a number of seconds, got: " + value);
        }
    }

    public Set<String> getList(String key) {
        Set<String> values = new LinkedHashSet<>();
        Arrays.stream(get(key).split(",")).map(s -> s.strip().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).forEach(values::add);
        return values;
    }
}
