package dev.veer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small JSON client for the admin API in tests. */
public final class Http {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    public Http(InetSocketAddress admin, String token) {
        this.base = "http://127.0.0.1:" + admin.getPort();
        this.token = token;
    }

    public record Reply(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Reply get(String path) {
        return send("GET", path, null, null);
    }

    public Reply put(String path, String json) {
        return send("PUT", path, json, null);
    }

    public Reply post(String path, String json) {
        return send("POST", path, json, null);
    }

    public Reply delete(String path) {
        return send("DELETE", path, null, null);
    }

    public Reply send(String method, String path, String body, String ifMatch) {
        return send(method, path, body, ifMatch, token);
    }

    public Reply send(String method, String path, String body, String ifMatch, String bearer) {
        return send(method, path, body, ifMatch, bearer, java.util.Map.of());
    }

    public Reply send(String method, String path, String body, String ifMatch, String bearer,
                      java.util.Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
