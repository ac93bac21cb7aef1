package dev.veer.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veer.admin.Http.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** VeerRuntime in-process: real proxy, real backends, real admin listener, temp state dir. */
class VeerRuntimeTest {

    @TempDir
    Path dir;
    Backend blue;
    Backend green;
    Map<String, String> env;
    Path configFile;
    VeerRuntime runtime;
    Http admin;
    ProxyClient proxy;

    @BeforeEach
    void start() throws Exception {
        blue = new Backend("blue");
        green = new Backend("green");
        env = RuntimeFixture.env(dir, blue.port(), green.port());
        configFile = RuntimeFixture.configFile(dir);
        startRuntime();
    }

    private void startRuntime() throws Exception {
        runtime = RuntimeFixture.start(configFile, env);
        admin = new Http(runtime.adminAddress(), RuntimeFixture.TOKEN);
        proxy = new ProxyClient(runtime.proxyAddress());
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        blue.close();
        green.close();
    }

    private Map<String, Integer> sample(int requests) throws Exception {
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = proxy.get();
            assertThat(r.statusCode()).isEqualTo(200);
            seen.merge(r.body(), 1, Integer::sum);
        }
        return seen;
    }

    @Test
    void weightsTakeEffectOnTheProxyAndSurviveRestart() throws Exception {
        assertThat(admin.get("/readyz").status()).isEqualTo(200);
        assertThat(sample(20)).containsOnlyKeys("blue");

        Reply add = admin.put("/api/v1/services/shop/versions/canary",
                "{\"endpoints\":[\"127.0.0.1:" + green.port() + "\"]}");
        assertThat(add.status()).as(add.toString()).isEqualTo(200);
        Reply r = admin.post("/api/v1/services/shop/switch", "{\"to\":\"green\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(sample(20)).containsOnlyKeys("green");
        admin.put("/api/v1/services/shop/weights", "{\"blue\":33.33,\"green\":66.67}");
        JsonNode before = admin.get("/api/v1/services/shop").json();

        runtime.close();
        startRuntime();

        JsonNode after = admin.get("/api/v1/services/shop").json();
        assertThat(after).isEqualTo(before);
        assertThat(after.get("weights").toString()).isEqualTo("{\"blue\":33.33,\"green\":66.67,\"canary\":0}");
        assertThat(sample(30)).containsKeys("blue", "green");
    }

    @Test
    void truncatedStateFileLeavesTheLastGoodStateInForceAndSaysSo() throws Exception {
        admin.put("/api/v1/services/shop/weights", "{\"blue\":80,\"green\":20}");
        admin.put("/api/v1/services/shop/weights", "{\"blue\":60,\"green\":40}");
        runtime.close();
        Path state = dir.resolve("state/state.json");
        byte[] bytes = Files.readAllBytes(state);
        Files.write(state, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        startRuntime();

        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":80,\"green\":20}");
        JsonNode events = admin.get("/api/v1/events").json().get("events");
        List<String> reasons = events.findValuesAsText("reason");
        assertThat(events.findValuesAsText("action")).contains("state.restored");
        assertThat(String.join("\n", reasons)).contains("truncated").contains("restored the last good state");
        // The fallback is persisted: another restart keeps it without complaint.
        runtime.close();
        startRuntime();
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":80,\"green\":20}");
        assertThat(admin.get("/api/v1/events").json().get("events").findValuesAsText("action")
                .stream().filter("state.restored"::equals).count()).isEqualTo(1);
    }

    @Test
    void thirtyWeightChangesUnderEightKeepAliveClientsLoseNoRequest() throws Exception {
        int clients = 8;
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ok = new AtomicLong();
        List<String> failures = new ArrayList<>();
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        CountDownLatch started = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                ProxyClient client = new ProxyClient(runtime.proxyAddress());
                started.countDown();
                while (running.get()) {
                    try {
                        HttpResponse<String> r = client.get();
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                            seen.computeIfAbsent(r.body(), k -> new AtomicInteger()).incrementAndGet();
                        } else {
                            synchronized (failures) {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        }
                    } catch (Exception e) {
                        synchronized (failures) {
                            failures.add(e.toString());
                        }
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        started.await();
        for (int i = 1; i <= 30; i++) {
            int green = i % 2 == 0 ? 100 : i * 3;
            Reply r = admin.put("/api/v1/services/shop/weights",
                    "{\"blue\":" + (100 - green) + ",\"green\":" + green + "}");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            Thread.sleep(20);
        }
        running.set(false);
        for (Thread t : threads) {
            t.join(15_000);
        }
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isGreaterThan(100);
        assertThat(seen).containsKeys("blue", "green");
        assertThat(admin.get("/api/v1/events?limit=1000").json().get("events")).hasSize(30);
    }

    /** proxy.accessLog: requests are logged, and a reload (what logrotate's SIGHUP does) starts a fresh file. */
    @Test
    void accessLogIsReopenedByAReload() throws Exception {
        runtime.close();
        Path accessLog = dir.resolve("access.log");
        Map<String, String> withLog = new java.util.HashMap<>(env);
        withLog.put("VEER_PROXY_ACCESS_LOG", accessLog.toString());
        env = withLog;
        startRuntime();
        sample(3);
        assertThat(awaitLines(accessLog, 3)).allSatisfy(line -> assertThat(line).contains("\"version\":\"blue\""));
        Path rotated = dir.resolve("access.log.1");
        Files.move(accessLog, rotated);
        assertThat(admin.post("/api/v1/reload", "{\"reason\":\"logrotate\"}").status()).isEqualTo(200);
        sample(2);
        assertThat(awaitLines(accessLog, 2)).hasSize(2);
        assertThat(awaitLines(rotated, 3)).hasSize(3);
        assertThat(admin.get("/metrics").body()).contains("veer_access_log_dropped_total 0.0");
    }

    /**
     * Lines the disk refuses are counted on /metrics, also after a GC: Micrometer holds a counter's state weakly,
     * and a counter over a throwaway method reference froze at its first value. /dev/full refuses every write.
     */
    @Test
    void droppedAccessLogLinesAreCountedAcrossGarbageCollections() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/full")), "needs /dev/full");
        runtime.close();
        Map<String, String> withLog = new java.util.HashMap<>(env);
        withLog.put("VEER_PROXY_ACCESS_LOG", "/dev/full");
        env = withLog;
        startRuntime();
        sample(3);
        awaitDropped(3);
        System.gc();
        sample(2);
        awaitDropped(5);
    }

    private void awaitDropped(int count) throws Exception {
        String expected = "veer_access_log_dropped_total " + count + ".0";
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!admin.get("/metrics").body().contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(admin.get("/metrics").body()).contains(expected);
    }

    private static List<String> awaitLines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> lines = List.of();
        while (System.nanoTime() < deadline && lines.size() < count) {
            Thread.sleep(20);
            lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        }
        return lines;
    }

    @Test
    void statsCountProxiedRequestsPerVersion() throws Exception {
        sample(25);
        // "recent" sums completed one-second slices: the requests show there once the collector has run after them,
        // which a loaded machine can delay past any fixed sleep.
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode stats = admin.get("/api/v1/services/shop/stats").json();
        while (stats.get("versions").get("blue").get("recent").get("requests").asLong() < 25
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            stats = admin.get("/api/v1/services/shop/stats").json();
        }
        JsonNode blueStats = stats.get("versions").get("blue");
        assertThat(blueStats.get("requests").asLong()).isEqualTo(25);
        assertThat(blueStats.get("errorRate").asDouble()).isZero();
        assertThat(blueStats.get("p99Ms").asDouble()).isGreaterThan(0);
        // The contract's names: count, error rate, p50/p95/p99 in milliseconds.
        assertThat(blueStats.get("count").asLong()).isEqualTo(25);
        assertThat(blueStats.get("p50").asDouble()).isGreaterThan(0).isLessThanOrEqualTo(blueStats.get("p95").asDouble());
        assertThat(blueStats.get("p95").asDouble()).isLessThanOrEqualTo(blueStats.get("p99").asDouble());
        assertThat(blueStats.get("p99").asDouble()).isEqualTo(blueStats.get("p99Ms").asDouble());
        assertThat(stats.get("versions").get("green").get("count").asLong()).isZero();
        assertThat(stats.get("versions").get("green").get("p50").isNull()).isTrue();
        assertThat(blueStats.get("recent").get("requests").asLong()).isEqualTo(25);
        assertThat(stats.get("versions").get("green").get("requests").asLong()).isZero();
        assertThat(admin.get("/api/v1/services/shop/stats?window=zzz").status()).isEqualTo(400);
    }

    @Test
    void statsWindowSaysTheWholeSecondsItSums() throws Exception {
        assertThat(admin.get("/api/v1/services/shop/stats?window=500ms").status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/services/shop/stats?window=15m500ms").status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/services/shop/stats?window=1500ms").json().get("windowSeconds").asLong())
                .isEqualTo(2);
        assertThat(admin.get("/api/v1/services/shop/stats?window=15m").json().get("windowSeconds").asLong())
                .isEqualTo(900);
    }

    @Test
    void metricsPassPromtoolAndCarryTheContractFamilies() throws Exception {
        sample(10);
        // A request refused before routing: in no version's series, in the refused one.
        try (Socket raw = new Socket("127.0.0.1", runtime.proxyAddress().getPort())) {
            raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            raw.setSoTimeout(10_000);
            assertThat(new String(raw.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .startsWith("HTTP/1.1 400 ");
        }
        admin.put("/api/v1/services/shop/weights", "{\"blue\":90,\"green\":10}");
        Thread.sleep(1_200); // the stats collector folds histograms in once a second
        assertThat(admin.send("GET", "/metrics", null, null, null).status()).isEqualTo(401);
        Reply metrics = admin.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        String text = metrics.body();
        assertThat(text).contains("veer_requests_total{service=\"shop\",version=\"blue\",code=\"2xx\"} 10")
                .contains("veer_request_duration_seconds_bucket{service=\"shop\",version=\"blue\",le=\"+Inf\"} 10")
                .contains("veer_request_duration_seconds_bucket{service=\"shop\",version=\"blue\",le=\"0.0005\"} ")
                .containsPattern("netty_allocator_memory_used\\{allocator_type=\"PooledByteBufAllocator\",id=\"pooled\"")
                .contains("veer_request_duration_seconds_count{service=\"shop\",version=\"blue\"} 10")
                .contains("veer_upstream_failures_total{service=\"shop\",version=\"blue\",reason=\"connect\"} 0")
                .contains("veer_upstream_retries_total{service=\"shop\",version=\"blue\",reason=\"reset\"} 0")
                .contains("veer_weight{service=\"shop\",version=\"green\"} 10")
                .contains("veer_endpoint_up{service=\"shop\",version=\"blue\",endpoint=\"127.0.0.1:" + blue.port()
                        + "\"} 1")
                .contains("# TYPE veer_rollout_phase gauge")
                // No rollout yet: the rollout families still have the service's series.
                .contains("veer_rollout_step{service=\"shop\"} 0")
                .contains("veer_rollout_phase{service=\"shop\",phase=\"Progressing\"} 0")
                .contains("veer_rollout_phase{service=\"shop\",phase=\"Aborted\"} 0")
                .doesNotContain("veer_rollout_role{")
                .doesNotContain("code=\"1xx\"")
                .contains("veer_refused_requests_total{status=\"400\"} 1")
                // Never answered yet, but there at 0, so that rate() sees a first burst of them.
                .contains("veer_refused_requests_total{status=\"404\"} 0")
                .contains("# TYPE veer_flag_evaluations_total counter")
                .contains("jvm_memory_used_bytes")
                .doesNotContain(RuntimeFixture.TOKEN);
        assertThat(text.lines().filter(l -> l.startsWith("# TYPE veer_requests_total")).count()).isEqualTo(1);
        // new_checkout (5%, no targeting) is evaluated for each of the 10 requests: on + off add up to 10.
        long evaluations = text.lines().filter(l -> l.startsWith("veer_flag_evaluations_total{flag=\"new_checkout\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(evaluations).isEqualTo(10);
        Promtool.assertPasses(text);
    }

    /** A restart changes nothing about a running rollout, so an If-Match read before it still holds after it. */
    @Test
    void aRestartKeepsTheRevisionsOfARunningRollout() throws Exception {
        Reply started = admin.post("/api/v1/services/shop/rollout", "{\"canary\":\"green\",\"baseline\":\"blue\","
                + "\"steps\":[{\"weight\":20,\"pause\":\"1h\"},{\"weight\":100}],\"analysis\":{\"interval\":\"1s\"}}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        Thread.sleep(2_500); // analysed on the way: verdicts alone change no revision
        JsonNode before = admin.get("/api/v1/services/shop/rollout").json();
        long serviceBefore = admin.get("/api/v1/services/shop").json().get("revision").asLong();
        runtime.close();
        startRuntime();
        Thread.sleep(2_500);
        JsonNode after = admin.get("/api/v1/services/shop/rollout").json();
        assertThat(after.get("phase").asText()).isEqualTo("Progressing");
        assertThat(after.get("revision").asLong()).as(after.toString()).isEqualTo(before.get("revision").asLong());
        assertThat(admin.get("/api/v1/services/shop").json().get("revision").asLong()).isEqualTo(serviceBefore);
    }

    @Test
    void canaryRolloutCanBeStartedSteeredAndAbortedAndSurvivesRestart() throws Exception {
        String body = "{\"canary\":\"green\",\"baseline\":\"blue\",\"steps\":[{\"weight\":10,\"pause\":\"1h\"},"
                + "{\"approval\":true},{\"weight\":100}],\"reason\":\"release 42\"}";
        Reply started = admin.post("/api/v1/services/shop/rollout", body);
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        assertThat(started.json().get("phase").asText()).isEqualTo("Progressing");
        assertThat(started.json().get("weights").toString()).isEqualTo("{\"blue\":90,\"green\":10}");
        assertThat(started.json().get("steps")).hasSize(3);
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":90,\"green\":10}");
        assertThat(admin.post("/api/v1/services/shop/rollout", body).status()).isEqualTo(409);
        assertThat(admin.put("/api/v1/services/shop/weights", "{\"blue\":100}").status()).isEqualTo(409);
        assertThat(admin.post("/api/v1/services/shop/rollout", "{\"baseline\":\"blue\"}").json().get("path").asText())
                .isEqualTo("canary");
        assertThat(admin.post("/api/v1/services/shop/rollout/frobnicate", null).status()).isEqualTo(404);
        assertThat(admin.post("/api/v1/services/nope/rollout/pause", null).status()).isEqualTo(404);

        Reply paused = admin.post("/api/v1/services/shop/rollout/pause", null);
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().get("phase").asText()).isEqualTo("Paused");
        assertThat(paused.json().get("step").asInt()).isEqualTo(1);
        assertThat(admin.post("/api/v1/services/shop/rollout/pause", null).status()).isEqualTo(409);
        String metrics = admin.get("/metrics").body();
        assertThat(metrics).contains("veer_rollout_phase{service=\"shop\",phase=\"Paused\"} 1")
                .contains("veer_rollout_phase{service=\"shop\",phase=\"Progressing\"} 0")
                .contains("veer_rollout_step{service=\"shop\"} 1")
                .contains("veer_rollout_role{service=\"shop\",version=\"green\",role=\"canary\"} 1")
                .contains("veer_rollout_role{service=\"shop\",version=\"blue\",role=\"baseline\"} 1");
        Promtool.assertPasses(metrics);

        runtime.close();
        startRuntime();
        assertThat(admin.get("/api/v1/services/shop/rollout").json().get("phase").asText()).isEqualTo("Paused");

        Reply resumed = admin.post("/api/v1/services/shop/rollout/resume", null);
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
        Reply aborted = admin.post("/api/v1/services/shop/rollout/abort", "{\"reason\":\"bad numbers\"}");
        assertThat(aborted.status()).as(aborted.toString()).isEqualTo(200);
        assertThat(aborted.json().get("phase").asText()).isEqualTo("Aborted");
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(sample(10)).containsOnlyKeys("blue");

        JsonNode events = admin.get("/api/v1/events").json().get("events");
        assertThat(events.findValuesAsText("action"))
                .containsExactly("rollout.start", "rollout.pause", "rollout.resume", "rollout.abort");
        assertThat(events.findValuesAsText("actor")).allSatisfy(a -> assertThat(a).startsWith("token:"));
        assertThat(events.get(3).get("reason").asText()).isEqualTo("bad numbers");
    }

    @Test
    void auditLogHasOneEventPerAcceptedChangeAndNoneForRefusedOnes() throws Exception {
        admin.put("/api/v1/services/shop/weights", "{\"blue\":50,\"green\":50}");
        admin.put("/api/v1/services/shop/weights", "{\"blue\":50,\"green\":60}");
        admin.send("PUT", "/api/v1/services/shop/weights", "{\"blue\":40,\"green\":60}", "\"1\"");
        admin.send("PUT", "/api/v1/services/shop/weights", "{\"blue\":40,\"green\":60}", null, "nope");
        admin.delete("/api/v1/services/shop/versions/green");
        admin.put("/api/v1/flags/beta", "{\"enabled\":true}");
        admin.put("/api/v1/flags/beta", "{\"enabled\":\"maybe\"}");

        List<String> lines = Files.readAllLines(dir.resolve("state/audit.log"));
        assertThat(lines).hasSize(2);
        ObjectMapper mapper = new ObjectMapper();
        assertThat(mapper.readTree(lines.get(0)).get("action").asText()).isEqualTo("weights.set");
        assertThat(mapper.readTree(lines.get(1)).get("action").asText()).isEqualTo("flag.set");
    }

    @Test
    void aRolloutStartsAuditedBeforeHoldsTheWeightsServingThenNotThePreviousRolloutsLast() throws Exception {
        String body = "{\"canary\":\"green\",\"baseline\":\"blue\",\"steps\":[{\"weight\":20,\"pause\":\"1h\"}]}";
        assertThat(admin.post("/api/v1/services/shop/rollout", body).status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/services/shop/rollout/promote", null).status()).isEqualTo(200);
        // The promoted rollout ended with green at 100; the switch back moves the traffic after it.
        assertThat(admin.post("/api/v1/services/shop/switch", "{\"to\":\"blue\"}").status()).isEqualTo(200);
        assertThat(admin.post("/api/v1/services/shop/rollout", body).status()).isEqualTo(201);

        List<JsonNode> starts = new ArrayList<>();
        for (JsonNode e : admin.get("/api/v1/events").json().get("events")) {
            if (e.get("action").asText().equals("rollout.start")) {
                starts.add(e);
            }
        }
        assertThat(starts).hasSize(2);
        assertThat(starts.get(0).path("before").path("weights").toString()).isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(starts.get(1).get("before").get("phase").asText()).isEqualTo("Succeeded");
        assertThat(starts.get(1).get("before").get("weights").toString()).isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(starts.get(1).get("after").get("weights").toString()).isEqualTo("{\"blue\":80,\"green\":20}");
    }

    @Test
    void analyzerDrivesARolloutToTheEndAndIsAuditedAsAnalyzer() throws Exception {
        String body = "{\"canary\":\"green\",\"steps\":[{\"weight\":50,\"pause\":\"1s\"},{\"weight\":100}],"
                + "\"analysis\":{\"interval\":\"1s\",\"minRequests\":5}}";
        Reply started = admin.post("/api/v1/services/shop/rollout", body);
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        assertThat(started.json().get("baseline").asText()).isEqualTo("blue");

        String phase = "Progressing";
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (phase.equals("Progressing") && System.nanoTime() < deadline) {
            sample(20);
            phase = admin.get("/api/v1/services/shop/rollout").json().get("phase").asText();
        }
        JsonNode rollout = admin.get("/api/v1/services/shop/rollout").json();
        assertThat(phase).as(rollout.toString()).isEqualTo("Succeeded");
        assertThat(rollout.get("verdicts").size()).isGreaterThan(0);
        // A step advances only on a Pass. One Fail may come first: 5-20 requests per 1 s window on a busy machine
        // (JIT, GC) can make a latency test fire; failureLimit (2 among the step's last 10) absorbs it.
        assertThat(rollout.get("verdicts").findValuesAsText("result")).as(rollout.toString()).contains("Pass");
        assertThat(rollout.get("verdicts")).allSatisfy(v -> assertThat(v.has("figures")).isTrue());
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":0,\"green\":100}");
        assertThat(sample(10)).containsOnlyKeys("green");

        JsonNode events = admin.get("/api/v1/events?limit=1000").json().get("events");
        List<String> analyzerActions = new ArrayList<>();
        for (JsonNode e : events) {
            if (e.get("actor").asText().equals("analyzer")) {
                analyzerActions.add(e.get("action").asText());
            }
        }
        assertThat(events.get(0).get("action").asText()).isEqualTo("rollout.start");
        assertThat(analyzerActions).contains("weights.set").anySatisfy(a -> assertThat(a).contains("verdict"));
    }

    @Test
    void reloadThatRemovesARunningRolloutsCanaryIsRefusedAndOnceItEndedSaysWhatItDropped() throws Exception {
        Reply started = admin.post("/api/v1/services/shop/rollout",
                "{\"canary\":\"green\",\"steps\":[{\"weight\":20,\"pause\":\"1h\"},{\"weight\":100}]}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        Files.writeString(configFile, RuntimeFixture.YAML
                .replace("      - { name: green, endpoints: [\"127.0.0.1:${GREEN_PORT}\"] }\n", "")
                .replace("weights: { blue: 100, green: 0 }", "weights: { blue: 100 }"));

        Reply refused = admin.post("/api/v1/reload", "{\"reason\":\"green retired\"}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).contains("rollout of shop dropped: its canary")
                .contains("abort or finish the running rollout of shop first");
        assertThat(admin.get("/api/v1/services/shop/rollout").json().get("phase").asText()).isEqualTo("Progressing");
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":80,\"green\":20}");

        assertThat(admin.post("/api/v1/services/shop/rollout/abort", null).status()).isEqualTo(200);
        Reply reload = admin.post("/api/v1/reload", "{\"reason\":\"green retired\"}");
        assertThat(reload.status()).as(reload.toString()).isEqualTo(200);
        assertThat(reload.json().get("dropped").toString()).contains("green");
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString()).isEqualTo("{\"blue\":100}");
        assertThat(sample(10)).containsOnlyKeys("blue");
        List<String> actions = admin.get("/api/v1/events").json().get("events").findValuesAsText("action");
        assertThat(actions).startsWith("rollout.start").contains("config.reload", "state.dropped");
    }

    /**
     * A reload that removes a service nobody changed at runtime drops nothing: the entry the state keeps for its
     * revision is no runtime change. Reported, it made a WARN and a state.dropped event every time a file took such
     * a service out (the soak's config churn: 8 of each in 16 minutes). One with a runtime change still says so.
     */
    @Test
    void reloadRemovingAServiceUnchangedAtRuntimeDropsNothing() throws Exception {
        String withExtra = RuntimeFixture.YAML.replace("flags:\n", """
                  - name: extra
                    match: { hosts: ["extra.local"], pathPrefix: "/" }
                    versions:
                      - { name: e1, endpoints: ["127.0.0.1:${BLUE_PORT}"] }
                      - { name: e2, endpoints: ["127.0.0.1:${GREEN_PORT}"] }
                    weights: { e1: 100, e2: 0 }
                flags:
                """);
        Files.writeString(configFile, withExtra);
        assertThat(admin.post("/api/v1/reload", null).status()).isEqualTo(200);
        Files.writeString(configFile, RuntimeFixture.YAML);

        Reply untouched = admin.post("/api/v1/reload", null);

        assertThat(untouched.status()).as(untouched.toString()).isEqualTo(200);
        assertThat(untouched.json().get("dropped")).as(untouched.toString()).isEmpty();
        assertThat(admin.get("/api/v1/events").json().get("events").findValuesAsText("action"))
                .doesNotContain("state.dropped");

        Files.writeString(configFile, withExtra);
        assertThat(admin.post("/api/v1/reload", null).status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/services/extra/weights", "{\"e1\":50,\"e2\":50}").status()).isEqualTo(200);
        Files.writeString(configFile, RuntimeFixture.YAML);

        Reply changed = admin.post("/api/v1/reload", null);

        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("dropped").toString()).contains("service extra is no longer in the config");
        assertThat(admin.get("/api/v1/events").json().get("events").findValuesAsText("action"))
                .containsOnlyOnce("state.dropped");
    }

    /** Runtime state the restarted Veer drops (its version left the file) changes the service: a new revision. */
    @Test
    void whatAStartDropsBumpsTheServiceRevision() throws Exception {
        assertThat(admin.put("/api/v1/services/shop/weights", "{\"blue\":50,\"green\":50}").status()).isEqualTo(200);
        long before = admin.get("/api/v1/services/shop").json().get("revision").asLong();
        runtime.close();
        Files.writeString(configFile, RuntimeFixture.YAML
                .replace("      - { name: green, endpoints: [\"127.0.0.1:${GREEN_PORT}\"] }\n", "")
                .replace("weights: { blue: 100, green: 0 }", "weights: { blue: 100 }"));
        startRuntime();
        JsonNode shop = admin.get("/api/v1/services/shop").json();
        assertThat(shop.get("weights").toString()).isEqualTo("{\"blue\":100}");
        assertThat(shop.get("revision").asLong()).isGreaterThan(before);
        assertThat(admin.send("PUT", "/api/v1/services/shop/weights", "{\"blue\":100}", Long.toString(before))
                .status()).as("an If-Match from before the drop").isEqualTo(412);
    }

    /** A canary added through the API is no file's: reloading the file leaves its rollout running. */
    @Test
    void reloadKeepsARolloutOfAVersionAddedAtRunTime() throws Exception {
        assertThat(admin.put("/api/v1/services/shop/versions/red", "{\"endpoints\":[\"127.0.0.1:" + green.port()
                + "\"]}").status()).isEqualTo(200);
        Reply started = admin.post("/api/v1/services/shop/rollout",
                "{\"canary\":\"red\",\"baseline\":\"blue\",\"steps\":[{\"weight\":20,\"pause\":\"1h\"},{\"weight\":100}]}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        Reply reload = admin.post("/api/v1/reload", null);
        assertThat(reload.status()).as(reload.toString()).isEqualTo(200);
        assertThat(admin.get("/api/v1/services/shop/rollout").json().get("phase").asText()).isEqualTo("Progressing");
    }

    /** A reload of a config file that is gone says which file, over the API, in ctl and in the log. */
    @Test
    void aReloadOfAConfigFileThatIsGoneNamesIt() throws Exception {
        Files.delete(configFile);
        String expected = configFile + ": no such file (expected: a YAML or JSON config file)";
        Reply refused = admin.post("/api/v1/reload", null);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).isEqualTo(expected);

        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        try (LogCapture logs = LogCapture.of(dev.veer.admin.control.Reload.class)) {
            int exit = dev.veer.admin.cli.Ctl.run(new String[] {"reload"}, System.out,
                    new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8),
                    Map.of("VEER_ADMIN_URL", "http://127.0.0.1:" + runtime.adminAddress().getPort(),
                            "VEER_ADMIN_TOKEN", RuntimeFixture.TOKEN));
            assertThat(exit).isEqualTo(1);
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).endsWith(expected));
        }
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains(expected);
    }

    /**
     * A reload that removes a third version at weight 0 while a rollout of two others runs applies: the version
     * leaves the rollout's weights too, for good, and ctl does not call the change kept from runtime changes.
     */
    @Test
    void reloadRemovingAThirdVersionAtWeightZeroTakesItOutOfARunningRollout() throws Exception {
        runtime.close();
        String green = "      - { name: green, endpoints: [\"127.0.0.1:${GREEN_PORT}\"] }\n";
        Files.writeString(configFile, RuntimeFixture.YAML
                .replace(green, green + "      - { name: red, endpoints: [\"127.0.0.1:${GREEN_PORT}\"] }\n")
                .replace("weights: { blue: 100, green: 0 }", "weights: { blue: 100, green: 0, red: 0 }"));
        startRuntime();
        Reply started = admin.post("/api/v1/services/shop/rollout", "{\"canary\":\"green\",\"baseline\":\"blue\","
                + "\"steps\":[{\"weight\":20,\"pause\":\"1h\"},{\"weight\":100}]}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        assertThat(started.json().get("weights").toString()).isEqualTo("{\"blue\":80,\"green\":20,\"red\":0}");
        long rolloutRevision = started.json().get("revision").asLong();

        Files.writeString(configFile, RuntimeFixture.YAML);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int exit = dev.veer.admin.cli.Ctl.run(new String[] {"reload"},
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), System.err,
                Map.of("VEER_ADMIN_URL", "http://127.0.0.1:" + runtime.adminAddress().getPort(),
                        "VEER_ADMIN_TOKEN", RuntimeFixture.TOKEN));
        assertThat(exit).isZero();
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("services changed: shop")
                .doesNotContain("kept from runtime changes");

        JsonNode rollout = admin.get("/api/v1/services/shop/rollout").json();
        assertThat(rollout.get("phase").asText()).isEqualTo("Progressing");
        assertThat(rollout.get("weights").toString()).isEqualTo("{\"blue\":80,\"green\":20}");
        assertThat(rollout.get("revision").asLong()).as("its weights changed").isEqualTo(rolloutRevision + 1);
        JsonNode shop = admin.get("/api/v1/services/shop").json();
        assertThat(shop.get("weights").toString()).isEqualTo("{\"blue\":80,\"green\":20}");
        assertThat(shop.get("rollout").get("weights").toString()).isEqualTo("{\"blue\":80,\"green\":20}");

        // The rollout's next change, made by the engine, which knew red, does not bring it back.
        Reply paused = admin.post("/api/v1/services/shop/rollout/pause", null);
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().get("weights").toString()).isEqualTo("{\"blue\":80,\"green\":20}");
        Reply aborted = admin.post("/api/v1/services/shop/rollout/abort", null);
        assertThat(aborted.json().get("weights").toString()).isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
        JsonNode events = admin.get("/api/v1/events?limit=100").json().get("events");
        assertThat(events.get(events.size() - 1).get("action").asText()).isEqualTo("rollout.abort");
        assertThat(events.get(events.size() - 2).get("after").toString()).doesNotContain("red");
        assertThat(events.get(events.size() - 1).get("after").toString()).doesNotContain("red");
        assertThat(Files.readString(dir.resolve("state/state.json"))).doesNotContain("\"red\"");
    }

    /**
     * README's Stop: while the proxy drains, /readyz answers 503 (a load balancer takes Veer out) and the rest of the
     * admin API stays up (metrics of the drain), until the requests in flight are done. Checked with a request held
     * at the backend, so the drain lasts as long as the checks take.
     */
    @Test
    void whileTheProxyDrainsReadyzAnswers503AndTheAdminApiStaysUp() throws Exception {
        try (Socket client = new Socket("127.0.0.1", runtime.proxyAddress().getPort())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("GET /hold HTTP/1.1\r\nHost: shop\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (blue.heldArrived() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(blue.heldArrived()).as("the request at the backend").isEqualTo(1);
            Thread drain = new Thread(() -> runtime.shutdown(Duration.ofSeconds(30)), "test-drain");
            drain.start();
            try {
                while (admin.get("/readyz").status() != 503 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(admin.get("/readyz").status()).as("/readyz while draining").isEqualTo(503);
                assertThat(admin.get("/healthz").status()).as("/healthz while draining").isEqualTo(200);
                assertThat(admin.get("/metrics").status()).as("/metrics while draining").isEqualTo(200);
                assertThat(admin.get("/api/v1/services/shop").status()).as("the API while draining").isEqualTo(200);
                assertThat(drain.isAlive()).as("still draining").isTrue();
            } finally {
                blue.release();
            }
            String response = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").endsWith("blue");
            drain.join(10_000);
            assertThat(drain.isAlive()).as("the drain over once the request is done").isFalse();
        }
    }

    /** The file's listener settings differ from the running ones until a restart, however often it is reloaded. */
    @Test
    void everyReloadSaysARestartIsStillDue() throws Exception {
        Files.writeString(configFile, RuntimeFixture.YAML.replace("drainTimeout: 2s", "drainTimeout: 3s"));
        for (int i = 0; i < 2; i++) {
            Reply reload = admin.post("/api/v1/reload", null);
            assertThat(reload.status()).as(reload.toString()).isEqualTo(200);
            assertThat(reload.json().get("restartRequired").toString()).as("reload " + i).isEqualTo("[\"proxy\"]");
        }
    }

    private String awaitPhase(String... phases) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String phase = "";
        while (System.nanoTime() < deadline) {
            phase = admin.get("/api/v1/services/shop/rollout").json().get("phase").asText();
            if (List.of(phases).contains(phase)) {
                return phase;
            }
            Thread.sleep(100);
        }
        return phase;
    }

    @Test
    void approvalAndPromoteFinishRollouts() throws Exception {
        Reply started = admin.post("/api/v1/services/shop/rollout",
                "{\"canary\":\"green\",\"steps\":[{\"weight\":10},{\"approval\":true},{\"weight\":100}]}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        assertThat(awaitPhase("AwaitingApproval")).isEqualTo("AwaitingApproval");
        long revision = admin.get("/api/v1/services/shop/rollout").json().get("revision").asLong();
        assertThat(admin.send("POST", "/api/v1/services/shop/rollout/approve", null, "\"" + (revision - 1) + "\"")
                .status()).isEqualTo(412);
        Reply approved = admin.send("POST", "/api/v1/services/shop/rollout/approve", null, "\"" + revision + "\"");
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        assertThat(awaitPhase("Succeeded")).isEqualTo("Succeeded");
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":0,\"green\":100}");

        Reply second = admin.post("/api/v1/services/shop/rollout",
                "{\"canary\":\"blue\",\"baseline\":\"green\",\"steps\":[{\"weight\":5,\"pause\":\"1h\"},{\"weight\":100}]}");
        assertThat(second.status()).as(second.toString()).isEqualTo(201);
        Reply promoted = admin.post("/api/v1/services/shop/rollout/promote", null);
        assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
        assertThat(awaitPhase("Succeeded")).isEqualTo("Succeeded");
        assertThat(admin.get("/api/v1/services/shop").json().get("weights").toString())
                .isEqualTo("{\"blue\":100,\"green\":0}");
        assertThat(admin.post("/api/v1/services/shop/rollout/abort", null).status()).isEqualTo(409);
    }
}
