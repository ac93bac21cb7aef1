package dev.veer.proxy.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatsRegistryTest {

    @Test
    void windowsSumTheLastSlicesAndTotalsAccumulate() {
        try (StatsRegistry stats = StatsRegistry.manual()) {
            VersionStats green = stats.forVersion("shop", "green");
            assertThat(stats.forVersion("shop", "green")).isSameAs(green);
            // second 1: 100 x 200 at 1 ms, second 2: 10 x 503 at 10 ms, second 3: 50 x 404 at 2 ms
            for (int i = 0; i < 100; i++) {
                green.record(200, 1_000);
            }
            stats.collectNow();
            for (int i = 0; i < 10; i++) {
                green.record(503, 10_000);
            }
            green.failure(FailureReason.TIMEOUT);
            stats.collectNow();
            for (int i = 0; i < 50; i++) {
                green.record(404, 2_000);
            }
            stats.collectNow();
            green.record(200, 5); // not yet collected: not in any window

            WindowStats last1 = stats.window("shop", "green", Duration.ofSeconds(1));
            assertThat(last1.requests()).isEqualTo(50);
            assertThat(last1.errors()).isZero();
            WindowStats last2 = stats.window("shop", "green", Duration.ofSeconds(2));
            assertThat(last2.requests()).isEqualTo(60);
            assertThat(last2.errors()).isEqualTo(10);
            assertThat(last2.latencyMicros().getMaxValue()).isBetween(9_900L, 10_100L);
            WindowStats all = stats.window("shop", "green", Duration.ofMinutes(15));
            assertThat(all.requests()).isEqualTo(160);
            assertThat(all.latencyMicros().getTotalCount()).isEqualTo(160);
            assertThat(all.latencyMicros().getValueAtPercentile(50)).isBetween(990L, 1010L);

            TotalStats totals = stats.totals("shop", "green");
            assertThat(totals.responsesByClass()).containsExactly(0, 0, 101, 0, 50, 10);
            assertThat(totals.failures().get(FailureReason.TIMEOUT)).isEqualTo(1);
            assertThat(totals.failures().get(FailureReason.CONNECT)).isZero();
            // Totals count every recorded request, collected or not, as the per-class counters do.
            assertThat(totals.latencyMicros().getTotalCount()).isEqualTo(161);

            assertThat(stats.keys()).containsExactly(new StatsKey("shop", "green"));
            assertThat(stats.window("nope", "x", Duration.ofMinutes(1)).requests()).isZero();
            assertThat(stats.totals("nope", "x").responsesByClass()).hasSize(6);
        }
    }

    /** A version out of the routing table is dropped once its time is up, not before, and not if put back. */
    @Test
    void aRetiredVersionIsDroppedAfterItsGraceUnlessPutBack() {
        StatsKey blue = new StatsKey("shop", "blue");
        StatsKey green = new StatsKey("shop", "green");
        try (StatsRegistry stats = StatsRegistry.manual(Duration.ZERO)) {
            stats.forVersion("shop", "blue").record(200, 1_000);
            stats.forVersion("shop", "green").record(200, 1_000);
            stats.retainOnly(java.util.Set.of(blue));
            stats.collectNow();
            assertThat(stats.keys()).containsExactly(blue);
            assertThat(stats.totals("shop", "green").responsesByClass()[2]).isZero();
            // Put back later, it starts from nothing: a counter reset, which Prometheus' rate() allows for.
            stats.retainOnly(java.util.Set.of(blue, green));
            assertThat(stats.forVersion("shop", "green").totals().responsesByClass()[2]).isZero();
        }
        try (StatsRegistry stats = StatsRegistry.manual()) {
            VersionStats greenStats = stats.forVersion("shop", "green");
            greenStats.record(200, 1_000);
            stats.retainOnly(java.util.Set.of(blue));
            stats.collectNow();
            assertThat(stats.keys()).as("within RETIRED_KEPT").containsExactly(green);
            stats.retainOnly(java.util.Set.of(green));
            assertThat(stats.forVersion("shop", "green")).isSameAs(greenStats);
            assertThat(stats.totals("shop", "green").responsesByClass()[2]).isEqualTo(1);
        }
    }

    @Test
    void ringForgetsSlicesOlderThanFifteenMinutes() {
        try (StatsRegistry stats = StatsRegistry.manual()) {
            VersionStats v = stats.forVersion("s", "v");
            v.record(200, 100);
            stats.collectNow();
            for (int i = 0; i < StatsRegistry.RING_SECONDS; i++) {
                stats.collectNow();
            }
            assertThat(stats.window("s", "v", Duration.ofHours(1)).requests()).isZero();
            assertThat(stats.totals("s", "v").responsesByClass()[2]).isEqualTo(1);
        }
    }

    @Test
    void totalsCountEveryRecordedLatencyAndTheSliceStillGetsIt() {
        try (StatsRegistry stats = StatsRegistry.manual()) {
            VersionStats v = stats.forVersion("s", "v");
            for (int i = 0; i < 3; i++) {
                v.record(200, 1_000);
            }
            // A scrape between collections: the histogram counts what the per-class counters count.
            TotalStats totals = stats.totals("s", "v");
            assertThat(totals.responsesByClass()[2]).isEqualTo(3);
            assertThat(totals.latencyMicros().getTotalCount()).isEqualTo(3);
            v.record(500, 2_000);
            stats.collectNow();
            // What the scrape took is still in the second's slice, with what came after it.
            WindowStats last = stats.window("s", "v", Duration.ofSeconds(1));
            assertThat(last.requests()).isEqualTo(4);
            assertThat(last.latencyMicros().getTotalCount()).isEqualTo(4);
            assertThat(stats.totals("s", "v").latencyMicros().getTotalCount()).isEqualTo(4);
        }
    }

    /** Windows by completion time: [from, to), so windows sharing a bound count each slice once. */
    @Test
    void windowsBetweenTwoTimesCountTheSlicesCompletedInThem() {
        long[] now = {Instant.parse("2026-11-22T10:00:00Z").toEpochMilli()};
        try (StatsRegistry stats = StatsRegistry.manual(() -> Instant.ofEpochMilli(now[0]))) {
            VersionStats v = stats.forVersion("s", "v");
            Instant start = Instant.ofEpochMilli(now[0]);
            for (int second = 1; second <= 4; second++) {
                for (int i = 0; i < second; i++) {
                    v.record(second == 3 ? 503 : 200, second == 3 ? 50_000 : 1_000);
                }
                now[0] += 1000;
                stats.collectNow(); // completed at start + second
            }
            WindowStats firstTwo = stats.window("s", "v", start, start.plusSeconds(3));
            assertThat(firstTwo.requests()).as("completed at +1 s and +2 s; +3 s is the next window's").isEqualTo(3);
            WindowStats lastTwo = stats.window("s", "v", start.plusSeconds(3), start.plusSeconds(5));
            assertThat(lastTwo.requests()).isEqualTo(7);
            assertThat(lastTwo.errors()).isEqualTo(3);
            assertThat(lastTwo.latencyMicros().getTotalCount()).isEqualTo(7);
            assertThat(lastTwo.errorLatencyMicros().getTotalCount()).as("the 503s apart").isEqualTo(3);
            assertThat(lastTwo.errorLatencyMicros().getMinValue()).isBetween(49_500L, 50_500L);
            assertThat(firstTwo.errorLatencyMicros().getTotalCount()).isZero();
            assertThat(stats.window("s", "v", start.plusSeconds(5), start.plusSeconds(9)).requests()).isZero();
            assertThat(stats.window("nope", "x", start, start.plusSeconds(9)).requests()).isZero();
        }
    }
}
