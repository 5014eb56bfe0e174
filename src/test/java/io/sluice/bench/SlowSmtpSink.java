package io.sluice.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SMTP sink that answers the end of each message's data after a fixed delay, as a remote provider does (Postmark
 * answers in about 100 ms from here): the "slow sink" of bench/run.sh {@code -Dbench.sink.delay-ms=100}. Postfix's
 * smtp-sink can only wait whole seconds ({@code -w}). Every other command is answered at once; the messages are read
 * and dropped. One thread per connection; loopback only.
 *
 * <p>{@code java io.sluice.bench.SlowSmtpSink <host> <port> <delay-ms>}; prints {@code sess=N mesg=N} (as smtp-sink -c
 * does) once a second while it changes, and at the end.
 */
public final class SlowSmtpSink {

    private static final AtomicLong SESSIONS = new AtomicLong();
    private static final AtomicLong MESSAGES = new AtomicLong();

    private SlowSmtpSink() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress host = InetAddress.getByName(args[0]);
        if (!host.isLoopbackAddress()) {
            throw new IllegalArgumentException("the slow sink listens on loopback only, got " + args[0]);
        }
        int port = Integer.parseInt(args[1]);
        long delayMillis = Long.parseLong(args[2]);
        Runtime.getRuntime().addShutdownHook(new Thread(SlowSmtpSink::counters));
        Thread reporter = new Thread(() -> {
            long last = -1;
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                if (MESSAGES.get() != last) {
                    last = MESSAGES.get();
                    counters();
                }
            }
        }, "sink-counters");
        reporter.setDaemon(true);
        reporter.start();
        try (ServerSocket server = new ServerSocket(port, 256, host)) {
            System.out.printf(Locale.ROOT, "slow sink on %s:%d, %d ms per message%n", args[0], port, delayMillis);
            System.out.flush();
            while (true) {
                Socket socket = server.accept();
                SESSIONS.incrementAndGet();
                Thread session = new Thread(() -> serve(socket, delayMillis), "sink-session");
                session.setDaemon(true);
                session.start();
            }
        }
    }

    private static void counters() {
        System.out.printf(Locale.ROOT, "sess=%d mesg=%d%n", SESSIONS.get(), MESSAGES.get());
        System.out.flush();
    }

    private static void serve(Socket socket, long delayMillis) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 65536);
            OutputStream out = socket.getOutputStream();
            reply(out, "220 slow-sink ESMTP");
            String line;
            while ((line = readLine(in)) != null) {
                String verb = line.length() < 4 ? line.toUpperCase(Locale.ROOT) : line.substring(0, 4).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> reply(out, "250-slow-sink\r\n250-8BITMIME\r\n250 SIZE 0");
                    case "HELO" -> reply(out, "250 slow-sink");
                    case "MAIL" -> reply(out, "250 2.1.0 Ok");
                    case "RCPT" -> reply(out, "250 2.1.5 Ok");
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        String data;
                        while ((data = readLine(in)) != null && !data.equals(".")) {
                            // dropped
                        }
                        if (data == null) {
                            return;
                        }
                        Thread.sleep(delayMillis);
                        long n = MESSAGES.incrementAndGet();
                        reply(out, "250 2.0.0 Ok: queued as " + Long.toHexString(n).toUpperCase(Locale.ROOT));
                    }
                    case "RSET", "NOOP" -> reply(out, "250 2.0.0 Ok");
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 Bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 Error: command not recognized");
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One line without its CRLF, or null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }
}
