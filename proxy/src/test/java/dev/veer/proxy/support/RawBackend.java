package dev.veer.proxy.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A misbehaving backend on a plain socket: reads a request head, then does what the behaviour says. */
public final class RawBackend implements AutoCloseable {

    public enum Behaviour { RESET, CLOSE_AFTER_HEAD, MALFORMED_STATUS, BAD_CONTENT_LENGTH, STALL, PARTIAL_BODY_THEN_CLOSE,
        /** Answers the first request of a connection with keep-alive, then closes when the second arrives. */
        CLOSE_ON_SECOND_REQUEST,
        /**
         * Answers the first request of a connection with keep-alive, then the second with the 408 and close that
         * some servers send when they time an idle keep-alive connection out, as if it crossed the request.
         */
        TIMEOUT_ON_SECOND_REQUEST,
        /** A chunked response whose head is fine and whose first chunk size is not hex, all in one write. */
        BAD_CHUNK,
        /** The start of a response head, then the close. */
        PARTIAL_HEAD_THEN_CLOSE,
        /** The start of a response head, then a reset. */
        PARTIAL_HEAD_THEN_RESET,
        /** 1xx heads, one a millisecond, until the peer goes away: never a final answer. */
        INTERIM_FLOOD }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger interimHeadsSent = new AtomicInteger();
    private final Thread acceptor;

    public RawBackend(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "raw-backend-" + behaviour);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public int requests() {
        return requests.get();
    }

    /** The 1xx heads {@link Behaviour#INTERIM_FLOOD} wrote, over all connections. */
    public int interimHeadsSent() {
        return interimHeadsSent.get();
    }

    /** A port nothing listens on. */
    public static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s));
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try {
            RequestHeads.read(s.getInputStream());
            requests.incrementAndGet();
            if (behaviour == Behaviour.CLOSE_ON_SECOND_REQUEST || behaviour == Behaviour.TIMEOUT_ON_SECOND_REQUEST) {
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst".getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                RequestHeads.read(s.getInputStream());
                requests.incrementAndGet();
                if (behaviour == Behaviour.TIMEOUT_ON_SECOND_REQUEST) {
                    s.getOutputStream().write("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                }
                s.close();
                return;
            }
            switch (behaviour) {
                case RESET -> {
                    s.setSoLinger(true, 0);
                    s.close();
                }
                case CLOSE_AFTER_HEAD -> s.close();
                case MALFORMED_STATUS -> {
                    s.getOutputStream().write("HTTP/1.1 OK-ISH\r\nContent-Length: 2\r\n\r\nhi".getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                }
                case BAD_CONTENT_LENGTH -> {
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\nhi".getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                }
                case BAD_CHUNK -> {
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                }
                case STALL -> {
                    // never answer; keep the socket open until closed by the peer or the test
                    s.getInputStream().read();
                }
                case PARTIAL_BODY_THEN_CLOSE -> {
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part".getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                    Thread.sleep(50);
                    s.close();
                }
                case PARTIAL_HEAD_THEN_CLOSE, PARTIAL_HEAD_THEN_RESET -> {
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Le".getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                    Thread.sleep(50);
                    if (behaviour == Behaviour.PARTIAL_HEAD_THEN_RESET) {
                        s.setSoLinger(true, 0);
                    }
                    s.close();
                }
                case INTERIM_FLOOD -> {
                    byte[] interim = "HTTP/1.1 102 Processing\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
                    while (true) {
                        s.getOutputStream().write(interim);
                        s.getOutputStream().flush();
                        interimHeadsSent.incrementAndGet();
                        Thread.sleep(1);
                    }
                }
                default -> throw new IllegalStateException();
            }
        } catch (IOException | InterruptedException e) {
            // peer went away
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
