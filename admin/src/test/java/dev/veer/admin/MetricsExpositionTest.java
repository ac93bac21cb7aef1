package dev.veer.admin;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.concurrent.Executors;

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
}
