package dev.veer.proxy.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keep-alive backend on a plain socket that answers each request with the exact bytes scripted for its path, so
 * tests control every byte of a response: header case, framing, extra bytes, a head written a byte at a time.
 */
public final class ScriptedBackend implements AutoCloseable {

    /** What to send for one path: the bytes, whether to write them a byte at a time, and whether to close after. */
    public record Script(byte[] bytes, boolean trickle, boolean closeAfter) {
        public static Script of(String text) {
            return new Script(text.getBytes(StandardCharsets.ISO_8859_1), false, false);
        }

        public Script trickled() {
            return new Script(bytes, true, closeAfter);
        }

        public Script thenClose() {
            return new Script(bytes, trickle, true);
        }
    }

    private final ServerSocket server;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    public ScriptedBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "scripted-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public ScriptedBackend on(String path, Script script) {
        scripts.put(path, script);
        return this;
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "scripted-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            s.setTcpNoDelay(true);
            String head;
            while ((head = RequestHeads.readOrNull(in)) != null) {
                String path = head.split(" ", 3)[1];
                Script script = scripts.get(path);
                if (script == null) {
                    out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else if (script.trickle()) {
                    for (byte b : script.bytes()) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(1);
                    }
                } else {
                    out.write(script.bytes());
                }
                out.flush();
                if (script != null && script.closeAfter()) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the proxy closed the connection
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
