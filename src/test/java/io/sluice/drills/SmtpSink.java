package io.sluice.drills;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The drills' SMTP server on loopback: it accepts every message and remembers each one it accepted (address, time,
 * Sluice's X-PM-Metadata headers), so duplicates and losses are counted where they happen, not where Sluice says.
 * A message counts as accepted once the server has read its final dot and decided to accept it, whether or not the
 * reply then reaches the client. One fault at a time can be switched on:
 * <ul>
 * <li>{@code greeting-421}: open connections are reset, every new one gets "421" instead of the greeting and is
 * closed;</li>
 * <li>{@code data-451}: every message is refused after its data with "451" (nothing accepted);</li>
 * <li>{@code drop-mid-data}: the connection is reset after the message's header block (nothing accepted);</li>
 * <li>{@code drop-after-dot}: the message is accepted, the connection closed before the reply;</li>
 * <li>{@code slow-reply}: the message is accepted, the "250" comes after {@code slowReplyMillis};</li>
 * <li>{@code refused}: the listener is closed and open connections reset (connection refused), reopened on the same
 * port when the fault ends;</li>
 * <li>{@code mail-421}: MAIL FROM on any connection, old or new, gets "421" and the connection is closed.</li>
 * </ul>
 */
final class SmtpSink implements AutoCloseable {

    enum Fault {
        NONE, GREETING_421, DATA_451, DROP_MID_DATA, DROP_AFTER_DOT, SLOW_REPLY, REFUSED, MAIL_421;

        static Fault of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One accepted message; {@code postmarkId} is the MessageID the Postmark stub answers for it. */
    record Accepted(long at, String address, String campaign, String recipient, String stream, String from,
                    String subject, Map<String, String> metadata, String postmarkId) {
    }

    private final int port;
    private volatile ServerSocket listener;
    private volatile Fault fault = Fault.NONE;
    private volatile long slowReplyMillis = 3000;
    private final List<Accepted> accepted = new ArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> faultEvents = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;

    SmtpSink() throws IOException {
        listener = bind(0);
        port = listener.getLocalPort();
        startAcceptor(listener);
    }

    int port() {
        return port;
    }

    void slowReplyMillis(long millis) {
        slowReplyMillis = millis;
    }

    Fault fault() {
        return fault;
    }

    /** Switches the fault; {@code REFUSED} closes the port at once, leaving it reopens it. */
    synchronized void fault(Fault next) throws IOException {
        Fault previous = fault;
        fault = next;
        if (next == Fault.REFUSED && previous != Fault.REFUSED) {
            listener.close();
            for (Socket s : open) {
                reset(s);
            }
        } else if (next == Fault.GREETING_421 && previous != Fault.GREETING_421) {
            // A client keeps its pooled connections: only a reconnect meets the greeting, so the open ones are reset
            // (a server restarting into "421 service not available").
            for (Socket s : open) {
                reset(s);
            }
        } else if (previous == Fault.REFUSED && next != Fault.REFUSED) {
            IOException last = null;
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    listener = bind(port);
                    startAcceptor(listener);
                    return;
                } catch (IOException e) {
                    last = e;
                    Drill.pause(100);
                }
            }
            throw new IOException("could not reopen the SMTP sink on port " + port, last);
        }
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        return socket;
    }

    private void startAcceptor(ServerSocket socket) {
        Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    connections.incrementAndGet();
                    open.add(s);
                    Thread t = new Thread(() -> converse(s), "drill-smtp-session");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closedNow) {
                    return;
                }
            }
        }, "drill-smtp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void converse(Socket socket) {
        try (socket) {
            socket.setSoTimeout(300_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            if (fault == Fault.GREETING_421) {
                event("greeting-421");
                send(out, "421 4.3.2 drill: service not available, closing channel");
                return;
            }
            send(out, "220 drill-sink ESMTP");
            List<String> rcpts = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.toUpperCase(Locale.ROOT);
                if (command.startsWith("EHLO")) {
                    send(out, "250-drill-sink\r\n250 8BITMIME");
                } else if (command.startsWith("HELO")) {
                    send(out, "250 drill-sink");
                } else if (command.startsWith("MAIL FROM")) {
                    if (fault == Fault.MAIL_421) {
                        event("mail-421");
                        send(out, "421 4.7.0 drill: try again later, closing channel");
                        return;
                    }
                    rcpts.clear();
                    send(out, "250 2.1.0 Ok");
                } else if (command.startsWith("RCPT TO")) {
                    int lt = line.indexOf('<');
                    int gt = line.indexOf('>', lt + 1);
                    rcpts.add((lt >= 0 && gt > lt ? line.substring(lt + 1, gt) : line.substring(8).strip()).toLowerCase(Locale.ROOT));
                    send(out, "250 2.1.5 Ok");
                } else if (command.equals("DATA")) {
                    if (rcpts.isEmpty()) {
                        send(out, "554 5.5.1 No valid recipients");
                        continue;
                    }
                    send(out, "354 End data with <CR><LF>.<CR><LF>");
                    if (!data(socket, in, out, rcpts)) {
                        return;
                    }
                    rcpts.clear();
                } else if (command.startsWith("RSET") || command.startsWith("NOOP")) {
                    rcpts.clear();
                    send(out, "250 2.0.0 Ok");
                } else if (command.startsWith("QUIT")) {
                    send(out, "221 2.0.0 Bye");
                    return;
                } else {
                    send(out, "502 5.5.2 Command not recognized");
                }
            }
        } catch (IOException e) {
            // the client went away, or a fault reset the connection
        } finally {
            open.remove(socket);
        }
    }

    /** Reads one message's data; false when the connection is to end here. */
    private boolean data(Socket socket, BufferedReader in, OutputStream out, List<String> rcpts) throws IOException {
        Map<String, String> headers = new HashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        boolean inHeaders = true;
        String line;
        while ((line = in.readLine()) != null && !line.equals(".")) {
            if (inHeaders) {
                if (line.isEmpty()) {
                    inHeaders = false;
                    if (fault == Fault.DROP_MID_DATA) {
                        event("drop-mid-data");
                        reset(socket);
                        return false;
                    }
                } else {
                    int colon = line.indexOf(':');
                    if (colon > 0 && !Character.isWhitespace(line.charAt(0))) {
                        String name = line.substring(0, colon).strip();
                        String value = line.substring(colon + 1).strip();
                        headers.put(name.toLowerCase(Locale.ROOT), value);
                        if (name.regionMatches(true, 0, "X-PM-Metadata-", 0, 14)) {
                            metadata.put(name.substring(14), value);
                        }
                    }
                }
            }
        }
        if (line == null) {
            return false;
        }
        Fault now = fault;
        if (now == Fault.DATA_451) {
            event("data-451");
            send(out, "451 4.3.0 drill: temporary failure, try again later");
            return true;
        }
        long at = System.currentTimeMillis();
        synchronized (accepted) {
            for (String rcpt : rcpts) {
                accepted.add(new Accepted(at, rcpt, metadata.get("sluice-campaign"), metadata.get("sluice-recipient"),
                        headers.get("x-pm-message-stream"), headers.get("from"), headers.get("subject"), Map.copyOf(metadata),
                        UUID.randomUUID().toString()));
            }
        }
        if (now == Fault.DROP_AFTER_DOT) {
            event("drop-after-dot");
            socket.close();
            return false;
        }
        if (now == Fault.SLOW_REPLY) {
            event("slow-reply");
            Drill.pause(slowReplyMillis);
        }
        send(out, "250 2.0.0 Ok: queued");
        return true;
    }

    private void event(String kind) {
        faultEvents.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    /** How often each fault was played (connections refused at greeting, messages refused, connections dropped...). */
    Map<String, Integer> faultEvents() {
        Map<String, Integer> copy = new LinkedHashMap<>();
        faultEvents.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    int connections() {
        return connections.get();
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    List<Accepted> accepted() {
        synchronized (accepted) {
            return new ArrayList<>(accepted);
        }
    }

    int acceptedCount() {
        synchronized (accepted) {
            return accepted.size();
        }
    }

    /** Messages accepted in [from, to] (epoch milliseconds, inclusive). */
    int acceptedBetween(long from, long to) {
        synchronized (accepted) {
            int n = 0;
            for (Accepted a : accepted) {
                if (a.at() >= from && a.at() <= to) {
                    n++;
                }
            }
            return n;
        }
    }

    /** The first message accepted at or after this time, or -1. */
    long firstAcceptedAtOrAfter(long from) {
        synchronized (accepted) {
            for (Accepted a : accepted) {
                if (a.at() >= from) {
                    return a.at();
                }
            }
            return -1;
        }
    }

    /** Copies accepted per address, for one campaign (by its metadata header; messages without it count everywhere). */
    Map<String, Integer> copiesByAddress(long campaignId) {
        Map<String, Integer> copies = new HashMap<>();
        String id = Long.toString(campaignId);
        for (Accepted a : accepted()) {
            if (a.campaign() == null || a.campaign().equals(id)) {
                copies.merge(a.address(), 1, Integer::sum);
            }
        }
        return copies;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : open) {
            reset(s);
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "SMTP sink on 127.0.0.1:" + port;
    }
}
