package io.sluice.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Credentials of the management port (Jolokia, health, metrics). Camel's management server takes HTTP basic users
 * only from a Vert.x properties file ({@code camel.management.basicPropertiesFile}); this writes that file from
 * {@code sluice.management.username} / {@code password} before Camel configures the server, readable by this user
 * only and deleted on exit, so the password lives in the environment and never in a file of the repository or a log.
 * A blank password closes the port: the file then holds a random password nobody knows.
 */
public final class ManagementAccess extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementAccess.class);

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        String username = properties.resolveProperty("sluice.management.username").orElse("").strip();
        String password = properties.resolveProperty("sluice.management.password").orElse("");
        Path file = writeUsersFile(username, password);
        properties.addOverrideProperty("camel.management.basicPropertiesFile", file.toString());
    }

    /** The Vert.x users file: {@code user.<name> = <password>,<role>} and the role's permissions. */
    static Path writeUsersFile(String username, String password) {
        boolean closed = username.isEmpty() || password.isEmpty();
        if (closed) {
            LOG.warn("Management port closed: set SLUICE_MANAGEMENT_PASSWORD (and sluice.management.username) to reach "
                    + "Jolokia, health and metrics");
            username = "closed";
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            password = HexFormat.of().formatHex(random);
        }
        check(username, password);
        String content = "# Written by Sluice at start-up from sluice.management.*; deleted on exit.\n"
                + "user." + username + " = " + password + ",operator\n"
                + "role.operator = *\n";
        try {
            Path file = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile("sluice-management-", ".properties",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile("sluice-management-", ".properties");
            file.toFile().deleteOnExit();
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the management users file", e);
        }
    }

    /** Vert.x reads the file line by line and splits the value on commas: refuse what it would misread. */
    static void check(String username, String password) {
        if (!username.matches("[A-Za-z0-9_.@-]+")) {
            throw new IllegalStateException("sluice.management.username may hold only letters, digits and _ . @ -");
        }
        if (password.contains(",") || password.contains("\n") || password.contains("\r")
                || !password.equals(password.strip())) {
            throw new IllegalStateException("sluice.management.password must not contain a comma or a line break, "
                    + "nor start or end with a space");
        }
    }
}
