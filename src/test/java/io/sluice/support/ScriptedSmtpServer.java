package io.sluice.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small RFC 5321 server for failure cases GreenMail cannot produce: it answers RCPT TO for chosen addresses with
 * a scripted reply (451 4.x.x transient, 550 5.x.x permanent) and accepts everything else.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    private final ServerSocket server;
    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private final Map<String, String> onceReplies = new ConcurrentHashMap<>();
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final List<String> messageIds = new CopyOnWriteArrayList<>();
    private volatile long dataDelayMillis;
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    public ScriptedSmtpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "scripted-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
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

    /** Recipients whose message was accepted after DATA, one entry per accepted message. */
    public List<String> delivered() {
        return delivered;
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

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> converse(socket), "scripted-smtp-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void converse(Socket socket) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
             OutputStream out = socket.getOutputStream()) {
            send(out, "220 scripted ESMTP");
            String recipient = null;
            boolean refused = false;
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.toUpperCase(Locale.ROOT);
                if (command.startsWith("EHLO") || command.startsWith("HELO")) {
                    send(out, "250 scripted");
                } else if (command.startsWith("MAIL FROM")) {
                    recipient = null;
                    refused = false;
                    send(out, "250 2.1.0 Ok");
                } else if (command.startsWith("RCPT TO")) {
                    recipient = line.substring(line.indexOf('<') + 1, line.indexOf('>')).toLowerCase(Locale.ROOT);
                    String once = onceReplies.remove(recipient);
                    String scripted = once != null ? once : rcptReplies.get(recipient);
                    refused = scripted != null;
                    send(out, scripted != null ? scripted : "250 2.1.5 Ok");
                } else if (command.equals("DATA")) {
                    if (refused || recipient == null) {
                        send(out, "554 5.5.1 No valid recipients");
                        continue;
                    }
                    send(out, "354 End data with <CR><LF>.<CR><LF>");
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        // only the Message-ID of the content is kept
                        if (line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
                            messageIds.add(line.substring(11).strip());
                        }
                    }
                    delivered.add(recipient);
                    if (dataDelayMillis > 0) {
                        try {
                            Thread.sleep(dataDelayMillis);
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
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
