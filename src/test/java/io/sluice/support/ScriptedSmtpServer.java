package io.sluice.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A small RFC 5321 server for failure cases GreenMail cannot produce. It answers RCPT TO for chosen addresses with a
 * scripted reply (451 4.x.x transient, 550 5.x.x permanent) and accepts everything else, and it plays one
 * {@link Fault} at a time, switchable while clients are connected (for a number of times or until switched back), so
 * an outage can start and end in the middle of a send. Every message whose final "." it read counts as delivered,
 * whatever it answers afterwards: that is what the real server would have done with it.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    /** Where a conversation goes wrong, by where it stands. */
    public enum Fault {
        /** Normal service. */
        NONE,
        /** "421 4.3.2 Service not available" instead of the greeting, then the connection closes. */
        GREETING_421,
        /** "421 4.3.2 ..." to MAIL FROM, then the connection closes (a server going down under open connections). */
        MAIL_421,
        /** "451 4.3.0 ..." to every RCPT TO. */
        RCPT_451,
        /** "451 4.3.0 ..." to the message data (after the final "."); nothing is delivered. */
        DATA_451,
        /** "554 5.6.0 ..." to the message data (after the final "."); nothing is delivered. */
        DATA_554,
        /**
         * After the 354, reads a little of the data and resets the connection: nothing is delivered. The client sees a
         * write error only if it still has data to write when the reset arrives (a message larger than the socket
         * buffers, over ~4 MB on Linux loopback); a smaller message was written whole, final "." included, before the
         * reset, and to the client it looks exactly like {@link #DROP_AFTER_DOT}.
         */
        DROP_DURING_DATA,
        /**
         * Reads the data through the final ".", counts it delivered, and closes the connection without a reply (an orderly
         * close: the client reads end of stream, Angus' "[EOF]" with reply code -1).
         */
        DROP_AFTER_DOT,
        /** As {@link #DROP_AFTER_DOT}, but with a TCP reset (a crashed server, a dropped link): "Connection reset". */
        RESET_AFTER_DOT,
        /** Reads the data through the final ".", counts it delivered, and replies 250 only after {@link #slowReplyMillis}. */
        SLOW_REPLY
    }

    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private final Map<String, String> onceReplies = new ConcurrentHashMap<>();
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final List<String> messageIds = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger faultsLeft = new AtomicInteger();
    private final AtomicInteger faultsPlayed = new AtomicInteger();
    private final int port;
    private volatile ServerSocket server;
    private volatile Thread acceptor;
    private volatile long dataDelayMillis;
    private volatile long slowReplyMillis = 5_000;
    private volatile Fault fault = Fault.NONE;
    private volatile boolean counted;
    private volatile boolean closed;

    public ScriptedSmtpServer() throws IOException {
        server = listen(0);
        port = server.getLocalPort();
        startAccepting(server);
    }

    public int port() {
        return port;
    }

    /** Answer RCPT TO for this address with the given reply line, e.g. "550 5.1.1 No such user". */
    public void reply(String address, String replyLine) {
        rcptReplies.put(address.toLowerCase(Locale.ROOT), replyLine);
    }

    /** Answer the next RCPT TO for this address with the given reply line, and accept it afterwards. */
    public void replyOnce(String address, String replyLine) {
        onceReplies.put(address.toLowerCase(Locale.ROOT), replyLine);
    }

    public void accept(String address) {
        rcptReplies.remove(address.toLowerCase(Locale.ROOT));
    }

    /** Plays this fault on every conversation that reaches its point, until switched to another (NONE ends it). */
    public void fault(Fault fault) {
        counted = false;
        this.fault = fault;
    }

    /** Plays this fault the next {@code times} times it can, then serves normally again. */
    public void fault(Fault fault, int times) {
        faultsLeft.set(times);
        counted = true;
        this.fault = times > 0 ? fault : Fault.NONE;
    }

    /** The fault being played now. */
    public Fault fault() {
        return fault;
    }

    /** How many times a fault was played so far (any fault). */
    public int faultsPlayed() {
        return faultsPlayed.get();
    }

    /** How long {@link Fault#SLOW_REPLY} holds the reply to the data. */
    public void slowReplyMillis(long millis) {
        slowReplyMillis = millis;
    }

    /**
     * The port refuses connections (the listener closes) and every open connection is reset, as when the server
     * process dies. {@link #acceptConnections()} listens on the same port again.
     */
    public synchronized void refuseConnections() throws IOException {
        ServerSocket listening = server;
        server = null;
        if (listening != null) {
            listening.close();
            try {
                // A socket closed while a thread is blocked in accept() is released when that thread leaves it: until
                // then the port is still bound and acceptConnections() could not listen on it again.
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Socket socket : open) {
            reset(socket);
        }
    }

    /** Listens on the same port again after {@link #refuseConnections()}. */
    public synchronized void acceptConnections() throws IOException {
        if (server == null && !closed) {
            server = listen(port);
            startAccepting(server);
        }
    }

    /** Recipients whose message was accepted after DATA, one entry per accepted message. */
    public List<String> delivered() {
        return delivered;
    }

    /** How many times each address received a message. */
    public Map<String, Long> deliveredCounts() {
        return delivered.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /** Addresses that received a message more than once. */
    public Set<String> duplicates() {
        return deliveredCounts().entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    /** Message-ID headers of the accepted messages, one entry per accepted message. */
    public List<String> messageIds() {
        return messageIds;
    }

    /**
     * Holds the reply to each message's DATA this long, as a slow provider does. The message counts as delivered the
     * moment its data has arrived, before the reply: a client killed meanwhile never learns that it was accepted.
     */
    public void dataDelayMillis(long millis) {
        dataDelayMillis = millis;
    }

    public int connections() {
        return connections.get();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return socket;
    }

    private void startAccepting(ServerSocket listening) {
        acceptor = new Thread(() -> acceptLoop(listening), "scripted-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket socket = listening.accept();
                connections.incrementAndGet();
                open.add(socket);
                Thread t = new Thread(() -> converse(socket), "scripted-smtp-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Whether the fault is played now; a counted fault uses up one of its times, and the last one ends it. */
    private boolean plays(Fault wanted) {
        if (fault != wanted) {
            return false;
        }
        if (counted) {
            int before = faultsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0);
            if (before <= 0) {
                return false;
            }
            if (before == 1) {
                fault = Fault.NONE;
            }
        }
        faultsPlayed.incrementAndGet();
        return true;
    }

    private void converse(Socket socket) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
             OutputStream out = socket.getOutputStream()) {
            if (plays(Fault.GREETING_421)) {
                send(out, "421 4.3.2 Service not available, closing transmission channel");
                return;
            }
            send(out, "220 scripted ESMTP");
            String recipient = null;
            boolean refused = false;
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.toUpperCase(Locale.ROOT);
                if (command.startsWith("EHLO") || command.startsWith("HELO")) {
                    send(out, "250 scripted");
                } else if (command.startsWith("MAIL FROM")) {
                    if (plays(Fault.MAIL_421)) {
                        send(out, "421 4.3.2 Service shutting down, closing transmission channel");
                        return;
                    }
                    recipient = null;
                    refused = false;
                    send(out, "250 2.1.0 Ok");
                } else if (command.startsWith("RCPT TO")) {
                    recipient = line.substring(line.indexOf('<') + 1, line.indexOf('>')).toLowerCase(Locale.ROOT);
                    String once = onceReplies.remove(recipient);
                    String scripted = once != null ? once : rcptReplies.get(recipient);
                    if (scripted == null && plays(Fault.RCPT_451)) {
                        scripted = "451 4.3.0 Requested action aborted: local error in processing";
                    }
                    refused = scripted != null;
                    send(out, scripted != null ? scripted : "250 2.1.5 Ok");
                } else if (command.equals("DATA")) {
                    if (refused || recipient == null) {
                        send(out, "554 5.5.1 No valid recipients");
                        continue;
                    }
                    send(out, "354 End data with <CR><LF>.<CR><LF>");
                    if (plays(Fault.DROP_DURING_DATA)) {
                        in.readLine();
                        reset(socket);
                        return;
                    }
                    String messageId = null;
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        // only the Message-ID of the content is kept
                        if (messageId == null && line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
                            messageId = line.substring(11).strip();
                        }
                    }
                    if (line == null) {
                        return;
                    }
                    if (plays(Fault.DATA_451)) {
                        send(out, "451 4.3.0 Error: queue file write error");
                        continue;
                    }
                    if (plays(Fault.DATA_554)) {
                        send(out, "554 5.6.0 Message content rejected");
                        continue;
                    }
                    delivered.add(recipient);
                    if (messageId != null) {
                        messageIds.add(messageId);
                    }
                    if (plays(Fault.DROP_AFTER_DOT)) {
                        return;
                    }
                    if (plays(Fault.RESET_AFTER_DOT)) {
                        reset(socket);
                        return;
                    }
                    long delay = plays(Fault.SLOW_REPLY) ? slowReplyMillis : dataDelayMillis;
                    if (delay > 0) {
                        try {
                            Thread.sleep(delay);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    send(out, "250 2.0.0 Ok: queued as SCRIPTED" + delivered.size());
                } else if (command.startsWith("RSET") || command.startsWith("NOOP")) {
                    send(out, "250 2.0.0 Ok");
                } else if (command.startsWith("QUIT")) {
                    send(out, "221 2.0.0 Bye");
                    return;
                } else {
                    send(out, "502 5.5.2 Command not recognized");
                }
            }
        } catch (IOException e) {
            // client went away
        } finally {
            open.remove(socket);
        }
    }

    /** Closes with a TCP reset (SO_LINGER 0), as a crashed server or a dropped link does: no orderly goodbye. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (SocketException ignored) {
            // already closed
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        ServerSocket listening = server;
        server = null;
        if (listening != null) {
            listening.close();
        }
    }
}
