package dev.veer.admin.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server on an ephemeral port that answers canned, contract-shaped JSON per
 * "METHOD /path?query" and records every request it receives, so tests can assert what ctl sent.
 */
final class FakeAdminServer implements AutoCloseable {

    record Recorded(String method, String target, String authorization, String ifMatch, String contentType,
                    String body, String reason) {
    }

    private record Answer(int status, String body) {
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private volatile boolean notVeer;

    FakeAdminServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers as some other HTTP service would: without Veer's Server field. */
    FakeAdminServer notVeer() {
        notVeer = true;
        return this;
    }

    FakeAdminServer answer(String methodAndTarget, int status, String body) {
        answers.put(methodAndTarget, new Answer(status, body));
        return this;
    }

    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    Recorded only() {
        if (requests.size() != 1) {
            throw new AssertionError("requests: " + requests + " (expected: exactly one)");
        }
        return requests.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Recorded(exchange.getRequestMethod(), target,
                exchange.getRequestHeaders().getFirst("Authorization"),
                exchange.getRequestHeaders().getFirst("If-Match"),
                exchange.getRequestHeaders().getFirst("Content-Type"), body,
                exchange.getRequestHeaders().getFirst("X-Veer-Reason")));
        Answer answer = answers.getOrDefault(exchange.getRequestMethod() + " " + target,
                new Answer(404, "{\"error\":\"not found: " + target + "\",\"path\":\"\"}"));
        if (!notVeer) {
            exchange.getResponseHeaders().set("Server", dev.veer.admin.http.AdminHttpServer.SERVER);
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        if (answer.status() == 204 || bytes.length == 0) {
            exchange.sendResponseHeaders(answer.status(), -1);
        } else {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
