package dev.veer.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.http.AdminHttpServer;
import dev.veer.admin.internal.Text;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking client for the admin API (CONTRACT §4): sends the bearer token and, on mutations, the
 * {@code If-Match} revision; turns every non-2xx answer and every connection failure into a
 * {@link RefusedException} whose message an operator can act on.
 */
final class AdminClient {

    /** The HTTP client reports a name that does not resolve as a ConnectException caused by the lookup's failure. */
    private static boolean unresolved(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final String baseUrl;
    private final String token;
    private final String ifMatch;
    /** Sent as X-Veer-Reason on mutating calls when not empty. */
    private final String reason;
    private final HttpClient http;

    AdminClient(String baseUrl, String token, String ifMatch, String reason) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.ifMatch = ifMatch;
        this.reason = reason;
        // HTTP/1.1 explicitly: the default would send an h2c upgrade the admin listener has no use for.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    /** One path segment, percent-encoded so names with odd characters cannot change the path. */
    static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    AdminResponse get(String path) throws RefusedException {
        return send("GET", path, null, false);
    }

    /** A GET where 404 means "there is none" (a service that never had a rollout): null instead of an error. */
    AdminResponse getIfPresent(String path) throws RefusedException {
        return send("GET", path, null, true);
    }

    AdminResponse post(String path, JsonNode body) throws RefusedException {
        return send("POST", path, body, false);
    }

    AdminResponse put(String path, JsonNode body) throws RefusedException {
        return send("PUT", path, body, false);
    }

    /**
     * A PUT of a resource just read: If-Match names the revision read (unless --if-match named one), so a change
     * made in between is refused (412) instead of overwritten.
     */
    AdminResponse putRead(String path, JsonNode body, long revisionRead) throws RefusedException {
        return send("PUT", path, body, false, ifMatch.isEmpty() ? Long.toString(revisionRead) : ifMatch);
    }

    AdminResponse delete(String path) throws RefusedException {
        return send("DELETE", path, null, false);
    }

    private AdminResponse send(String method, String path, JsonNode body, boolean absentIsNull)
            throws RefusedException {
        return send(method, path, body, absentIsNull, ifMatch);
    }

    private AdminResponse send(String method, String path, JsonNode body, boolean absentIsNull, String ifMatch)
            throws RefusedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (!token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        if (!method.equals("GET") && !ifMatch.isEmpty()) {
            request.header("If-Match", ifMatch);
        }
        if (!method.equals("GET") && !reason.isEmpty()) {
            request.header(AdminHttpServer.REASON_HEADER, reason);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofString(Json.compact(body), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            if (unresolved(e)) {
                throw new RefusedException("cannot connect to the admin API at " + baseUrl
                        + " (unknown host); check VEER_ADMIN_URL or --url");
            }
            throw new RefusedException("cannot connect to the admin API at " + baseUrl
                    + " (connection refused); is veer running? Set VEER_ADMIN_URL or --url");
        } catch (HttpTimeoutException e) {
            throw new RefusedException("no answer from the admin API at " + baseUrl + " (" + e.getMessage() + ")");
        } catch (IOException e) {
            // In words, without the exception's class: what answered is no HTTP server (an SSH port, https:// on
            // a plain listener) or broke off mid-answer.
            String reason = Text.firstLine(e.getMessage());
            reason = reason.isEmpty() ? e.getClass().getSimpleName()
                    : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
            throw new RefusedException("cannot reach the admin API at " + baseUrl + ": " + reason + " (expected:"
                    + " Veer's admin API, which speaks plain HTTP); check VEER_ADMIN_URL or --url");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusedException("interrupted while waiting for " + method + " " + path);
        }
        int status = response.statusCode();
        String server = response.headers().firstValue("Server").orElse("");
        boolean fromVeer = server.equals(AdminHttpServer.SERVER);
        if (status >= 200 && status < 300) {
            if (!fromVeer) {
                // A wrong URL reaching another service that answers 200 to anything: no switch or abort happened.
                throw notVeer(method, path, server, "");
            }
            return new AdminResponse(status, response.body());
        }
        JsonNode error = errorObject(response.body());
        if (!fromVeer && error == null) {
            // A wrong URL reaching a web server's error page: said so, rather than its first line shown as Veer's
            // refusal, and a 404 there is no proof that a rollout is absent.
            throw notVeer(method, path, server, " (HTTP " + status
                    + (response.body().isBlank() ? "" : ": " + Json.excerpt(response.body())) + ")");
        }
        if (status == 404 && absentIsNull) {
            return null;
        }
        throw new RefusedException(describeError(method, path, status, response.body(), error),
                error == null ? null : Json.compact(error));
    }

    private RefusedException notVeer(String method, String path, String server, String answered) {
        return new RefusedException("the answer to " + method + " " + path + " at " + baseUrl + answered + " is not"
                + " from Veer's admin API (Server: " + (server.isEmpty() ? "none" : server) + "); check VEER_ADMIN_URL"
                + " or --url");
    }

    /** The body when it is the API's {"error": ...} object (a proxy in between may answer HTML); else null. */
    private static JsonNode errorObject(String body) {
        try {
            JsonNode error = body.isBlank() ? null : Json.MAPPER.readTree(body);
            return error != null && error.path("error").isTextual() ? error : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    /** "sum is 95 (expected: 100) at weights" from {"error":..., "path":...}; the status line otherwise. */
    private static String located(String path, String error) {
        return path.isEmpty() ? error : path + ": " + error;
    }

    private static String describeError(String method, String path, int status, String body, JsonNode error) {
        String message;
        if (error != null) {
            // Path first, as config errors are written ("weights.blue: 90.001 (expected: ...)"). The first error
            // says "(and N more, see errors)": the others are shown instead, one per line.
            JsonNode all = error.path("errors");
            message = located(error.path("path").asText(""), all.size() > 1
                    ? error.get("error").asText().replaceFirst(" \\(and \\d+ more, see errors\\)$", "")
                    : error.get("error").asText());
            // A refused reload's errors are in the config file: named first, as veer check names it (a syntax error
            // names it already).
            String file = error.path("file").asText("");
            if (!file.isEmpty() && !message.startsWith(file + ":")) {
                message = file + ": " + message;
            }
            for (int i = 1; i < all.size(); i++) {
                message += "\n  also: " + located(all.get(i).path("path").asText(""),
                        all.get(i).path("error").asText());
            }
        } else {
            // Not the API's error object: the status line, and the body as text.
            message = "HTTP " + status + " from " + method + " " + path
                    + (body.isBlank() ? "" : ": " + Json.excerpt(body));
        }
        if (status == 401) {
            message += " (HTTP 401: set VEER_ADMIN_TOKEN or --token)";
        } else if (status == 412) {
            message += " (HTTP 412: the revision changed; read it again and retry)";
        }
        return message;
    }
}
