package dev.veer.admin;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP backend that answers every request with its name; paths under /slow take 1.5 s, and paths under
 * /hold wait for {@link #release()}.
 */
public final class Backend implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16);
    private final AtomicInteger slowArrived = new AtomicInteger();
    private final AtomicInteger heldArrived = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);

    public Backend(String name) throws IOException {
        this(name, 200);
    }

    /** @param status the status of every answer: 500 makes a canary the analyzer fails */
    public Backend(String name, int status) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().startsWith("/slow")) {
                slowArrived.incrementAndGet();
                try {
                    Thread.sleep(1_500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (exchange.getRequestURI().getPath().startsWith("/hold")) {
                heldArrived.incrementAndGet();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** How many requests under /slow have reached this backend (answered or not). */
    public int slowArrived() {
        return slowArrived.get();
    }

    /** How many requests under /hold have reached this backend (answered or not). */
    public int heldArrived() {
        return heldArrived.get();
    }

    /** Answers the requests under /hold, those waiting and any to come. */
    public void release() {
        released.countDown();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
