package io.sluice;

import org.apache.camel.main.Main;

/**
 * Starts Sluice: Camel Main with the YAML routes from the {@code routes/} folder and the settings from
 * application.properties (the copy in the working directory wins over the one packaged in the jar).
 */
public final class Sluice {

    /** Packaged defaults first, then the editable file beside the jar; env vars and -D override both. */
    public static final String PROPERTY_LOCATIONS =
            "classpath:application.properties;optional=true,file:application.properties;optional=true";

    private Sluice() {
    }

    /**
     * SLUICE_LOG_FORMAT (or -Dsluice.log.format): text (default) or json. Checked before the first log line, because
     * log4j2.xml picks its appender by this name and an unknown one would silently log nothing.
     */
    static String logFormat(String value) {
        String format = value == null || value.isBlank() ? "text" : value.strip().toLowerCase(java.util.Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("SLUICE_LOG_FORMAT must be text or json, got: " + value);
        }
        return format;
    }

    public static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(SluiceConfiguration.class);
        // Before Camel configures its management server: the basic-auth users file from sluice.management.*.
        main.addMainListener(new io.sluice.ops.ManagementAccess());
        main.setPropertyPlaceholderLocations(System.getProperty("sluice.config", PROPERTY_LOCATIONS));
        return main;
    }

    public static void main(String[] args) throws Exception {
        try {
            System.setProperty("sluice.log.format",
                    logFormat(System.getProperty("sluice.log.format", System.getenv("SLUICE_LOG_FORMAT"))));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        // No silently ignored settings: a misspelt key stops the start, naming the closest known one.
        java.util.List<String> unknown = SettingsCheck.run(System.getenv(), System.getProperties(), java.nio.file.Path.of("application.properties"));
        if (!unknown.isEmpty()) {
            unknown.forEach(System.err::println);
            System.exit(2);
        }
        System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
        Main main = create();
        int exit = main.run(args);
        System.exit(exit);
    }
}
