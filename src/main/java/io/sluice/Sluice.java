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

    public static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(SluiceConfiguration.class);
        main.setPropertyPlaceholderLocations(System.getProperty("sluice.config", PROPERTY_LOCATIONS));
        return main;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
        Main main = create();
        int exit = main.run(args);
        System.exit(exit);
    }
}
