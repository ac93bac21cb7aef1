package dev.veer.proxy.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Resets the connection the first time it sees a request's {@code x-id}, answers 200 (and closes, so nothing is
 * pooled) when the same id comes again: every first attempt fails, every retry succeeds.
 */
public final class ResetOnceBackend implements AutoCloseable {

    private final ServerSocket server;
    private final Set<String> seen;
    private final AtomicInteger heads = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();

    public ResetOnceBackend() throws IOException {
        this(ConcurrentHashMap.newKeySet());
    }

    /** A second endpoint that knows the ids {@code twin} has seen: a first attempt on either fails, a retry on the
     * other succeeds (a request is only retried on another endpoint). */
    public ResetOnceBackend(ResetOnceBackend twin) throws IOException {
        this(twin.seen);
    }

    private ResetOnceBackend(Set<String> seen) throws IOException {
        this.seen = seen;
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "reset-once-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Request heads received, first attempts and retries together. */
    public int heads() {
        return heads.get();
    }

    public int answered() {
        return answered.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                serve(s);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void serve(Socket s) throws IOException {
        try (s) {
            String head = RequestHeads.read(s.getInputStream());
            heads.incrementAndGet();
            String id = header(head, "x-id");
            if (seen.add(id)) {
                s.setSoLinger(true, 0);
                return;
            }
            answered.incrementAndGet();
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
        }
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
