package io.sluice.tools;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;

/**
 * Runs the Hawtio console (the hawtio-default war) on an embedded Jetty 12, in its own JVM, for operators who run
 * Sluice without Docker. Connect it to Sluice's management port: host, port {@code sluice.management.port}, path
 * {@code /observe/jolokia}, with the management user and password.
 *
 * <p>Usage: {@code java -jar hawtio-launcher.jar [port]} (default 8081). Listens on 127.0.0.1 unless
 * {@code -Dhawtio.host=...}: Hawtio's own login is off here (the credentials that matter are Sluice's).
 * Hawtio's proxy reaches only hosts in {@code -Dhawtio.proxyAllowlist} (default localhost, 127.0.0.1).
 */
public final class HawtioLauncher {

    private HawtioLauncher() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8081;
        String host = System.getProperty("hawtio.host", "127.0.0.1");
        Path war = Path.of(System.getProperty("hawtio.war", defaultWar().toString()));
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException("Hawtio war not found at " + war + " (build tools/hawtio first, or set -Dhawtio.war)");
        }
        defaultProperty("hawtio.authenticationEnabled", "false");
        defaultProperty("hawtio.proxyAllowlist", "localhost, 127.0.0.1");
        defaultProperty("hawtio.disableProxy", "false");

        Server server = new Server(new InetSocketAddress(host, port));
        WebAppContext hawtio = new WebAppContext();
        hawtio.setContextPath("/hawtio");
        hawtio.setWar(war.toString());
        hawtio.setThrowUnavailableOnStartupException(true);
        server.setHandler(hawtio);
        server.setStopAtShutdown(true);
        server.start();
        System.out.println("Hawtio console at http://" + host + ":" + port + "/hawtio");
        server.join();
    }

    private static Path defaultWar() throws Exception {
        Path jar = Path.of(HawtioLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return jar.resolveSibling("hawtio.war");
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
