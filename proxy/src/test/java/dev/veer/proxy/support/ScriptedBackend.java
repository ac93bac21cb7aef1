package dev.veer.proxy.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keep-alive backend on a plain socket that answers each request with the exact bytes scripted for its path, so
 * tests control every byte of a response: header case, framing, extra bytes, a head written a byte at a time, a
 * trailer section written in pieces.
 */
public final class ScriptedBackend implements AutoCloseable {

    /**
     * What to send for one path: the writes, each flushed and followed by a pause of {@code pauseMillis} (so that
     * the proxy most likely reads them apart), whether to close after, and a gate the last write waits for (or
     * null).
     */
    public record Script(List<byte[]> writes, int pauseMillis, boolean closeAfter, CountDownLatch lastWriteGate) {
        /** One write per text, 20 ms apart. */
        public static Script of(String... texts) {
            List<byte[]> writes = new ArrayList<>();
            for (String text : texts) {
                writes.add(text.getBytes(StandardCharsets.ISO_8859_1));
            }
            return new Script(writes, 20, false, null);
        }

        /** The same bytes, a byte per write, 1 ms apart. */
        public Script trickled() {
            List<byte[]> bytes = new ArrayList<>();
            for (byte[] write : writes) {
                for (byte b : write) {
                    bytes.add(new byte[] {b});
                }
            }
            return new Script(bytes, 1, closeAfter, lastWriteGate);
        }

        public Script thenClose() {
            return new Script(writes, pauseMillis, true, lastWriteGate);
        }

        /**
         * The same writes, the last one sent only once {@code gate} opens (or after 10 s, so that a failed test
         * leaves no thread waiting): a test that opens it when its client has what came before knows the proxy
         * reads the last write apart from the rest, whatever the pause and the load.
         */
        public Script lastWriteAfter(CountDownLatch gate) {
            return new Script(writes, pauseMillis, closeAfter, gate);
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
                } else {
                    write(script, out);
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

    private static void write(Script script, OutputStream out) throws IOException, InterruptedException {
        List<byte[]> writes = script.writes();
        for (int i = 0; i < writes.size(); i++) {
            if (i > 0) {
                Thread.sleep(script.pauseMillis());
            }
            if (i == writes.size() - 1 && script.lastWriteGate() != null) {
                script.lastWriteGate().await(10, TimeUnit.SECONDS);
            }
            out.write(writes.get(i));
            out.flush();
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
