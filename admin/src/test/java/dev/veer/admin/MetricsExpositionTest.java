package dev.veer.admin;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics as Prometheus reads it, from a real VeerRuntime in front of a real backend. */
class MetricsExpositionTest {

    /** Longer than the 10 s that used to be the last finite bucket bound. */
    private static final long SLOW_MILLIS = 10_500;

    @TempDir
    Path dir;
    HttpServer backend;
    ExecutorService backendThreads = Executors.newFixedThreadPool(4);
    Backend green;
    VeerRuntime runtime;
    Http admin;

    @BeforeEach
    void start() throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        backend.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/slow")) {
                try {
                    Thread.sleep(SLOW_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = "blue".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.setExecutor(backendThreads);
        backend.start();
        green = new Backend("green");
        runtime = RuntimeFixture.start(RuntimeFixture.configFile(dir),
                RuntimeFixture.env(dir, backend.getAddress().getPort(), green.port()));
        admin = new Http(runtime.adminAddress(), RuntimeFixture.TOKEN);
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        backend.stop(0);
        backendThreads.shutdownNow();
        green.close();
    }

    @Test
    void anAnswerSlowerThanTenSecondsFallsInAFiniteBucket() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> slow = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + runtime.proxyAddress().getPort() + "/slow"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(slow.statusCode()).isEqualTo(200);

        String text = admin.get("/metrics").body();
        String series = "veer_request_duration_seconds_bucket{service=\"shop\",version=\"blue\",le=\"";
        // Only +Inf held it before: histogram_quantile then says 10 s however slow the version is.
        assertThat(text).contains(series + "10\"} 0\n")
                .contains(series + "30\"} 1\n")
                .contains(series + "60\"} 1\n")
                .contains(series + "+Inf\"} 1\n");
        Promtool.assertPasses(text);
    }

    @Test
    void aScraperThatAsksGetsTheExpositionGzipped() throws Exception {
        new ProxyClient(runtime.proxyAddress()).get();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<byte[]> gzipped = client.send(scrape("GET").header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(gzipped.statusCode()).isEqualTo(200);
        // What Prometheus sends with every scrape; it was answered with the whole text.
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gzipped.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(gzipped.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        assertThat(gzipped.headers().firstValueAsLong("Content-Length")).hasValue(gzipped.body().length);
        String text;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(gzipped.body().length).isLessThan(text.length() / 4);
        assertThat(text).contains("veer_requests_total{service=\"shop\",version=\"blue\",code=\"2xx\"} 1\n");
        Promtool.assertPasses(text);

        // Without the ask, or with gzip refused, the text as it is.
        for (String ask : new String[] {"identity", "gzip;q=0, *"}) {
            HttpResponse<String> plain = client.send(scrape("GET").header("Accept-Encoding", ask).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(plain.headers().firstValue("Content-Encoding")).as(ask).isEmpty();
            assertThat(plain.body()).as(ask).startsWith("# HELP veer_requests_total ");
        }
        // A HEAD says what the GET would: gzip, no body.
        HttpResponse<String> head = client.send(scrape("HEAD").header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(head.body()).isEmpty();
        // The JSON API is not compressed (its revision ETag names one representation), nor a refused scrape.
        Http.Reply json = admin.send("GET", "/api/v1/services/shop", null, null, RuntimeFixture.TOKEN,
                Map.of("Accept-Encoding", "gzip"));
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.header("Content-Encoding")).isNull();
        assertThat(json.json().get("name").asText()).isEqualTo("shop");
        Http.Reply refused = admin.send("GET", "/metrics", null, null, null, Map.of("Accept-Encoding", "gzip"));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("Content-Encoding")).isNull();
    }

    private HttpRequest.Builder scrape(String method) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.adminAddress().getPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + RuntimeFixture.TOKEN);
    }
}
