package dev.veer.proxy.flag;

import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.KeySource;
import dev.veer.config.model.VariantSpec;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.veer.proxy.flag.Flags.disabled;
import static dev.veer.proxy.flag.Flags.flag;
import static dev.veer.proxy.flag.Flags.headers;
import static dev.veer.proxy.flag.Flags.withVariants;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Percentages, stickiness and variants, measured over many distinct keys. */
class BucketingTest {

    private static final KeySource USER = KeySource.header("x-user-id");
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

    @Test
    void percentagesHoldWithinTwoPointsOver4000Keys() {
        assertThat(shareOn(flag("ten", 1_000, USER), 4_000)).isCloseTo(0.10, within(0.02));
        assertThat(shareOn(flag("half", 5_000, USER), 4_000)).isCloseTo(0.50, within(0.02));
        assertThat(shareOn(flag("none", 0, USER), 4_000)).isZero();
        assertThat(shareOn(flag("all", 10_000, USER), 4_000)).isEqualTo(1.0);
    }

    @Test
    void bucketIsMurmur3OfNameColonKeyModulo10000() {
        // murmur3_32("new_checkout:user-42") = 0xe4b4c6c3 = 3837052611 -> bucket 2611
        HttpHeaders request = headers("x-user-id", "user-42");
        assertThat(onFor(flag("new_checkout", 2_612, USER), request)).isTrue();
        assertThat(onFor(flag("new_checkout", 2_611, USER), request)).isFalse();
        // the same key from a cookie lands in the same bucket
        HttpHeaders withCookie = headers("cookie", "sid=x; uid=user-42");
        assertThat(onFor(flag("new_checkout", 2_612, KeySource.cookie("uid")), withCookie)).isTrue();
        assertThat(onFor(flag("new_checkout", 2_611, KeySource.cookie("uid")), withCookie)).isFalse();
    }

    @Test
    void aUtf8KeyOnTheWireBucketsLikeTheUtf8BytesOfTheId() {
        // murmur3_32("exp:\u00e9t\u00e9" in UTF-8) = 0xa2c37660 = 2730718816 -> bucket 8816
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(("GET / HTTP/1.1\r\nHost: a\r\nX-User-Id: \u00e9t\u00e9\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8)));
        HttpRequest request = channel.readInbound();
        assertThat(onFor(flag("exp", 8_817, USER), request.headers())).isTrue();
        assertThat(onFor(flag("exp", 8_816, USER), request.headers())).isFalse();
        channel.finishAndReleaseAll(); // the empty LastHttpContent that follows the request
    }

    @Test
    void aKeyAlwaysGetsTheSameAnswer() {
        FlagSpec spec = flag("stable", 3_000, USER);
        FlagEvaluator first = FlagEvaluator.compile(List.of(spec));
        FlagEvaluator second = FlagEvaluator.compile(List.of(spec, flag("another", 5_000, USER)));
        FlagResults reused = first.newResults();
        for (int user = 0; user < 2_000; user++) {
            HttpHeaders request = headers("x-user-id", "user-" + user);
            first.evaluate(request, CLIENT, reused);
            boolean answer = reused.on(0);
            for (int repeat = 0; repeat < 3; repeat++) {
                first.evaluate(request, CLIENT, reused);
                assertThat(reused.on(0)).isEqualTo(answer);
                FlagResults other = second.newResults();
                second.evaluate(request, CLIENT, other);
                assertThat(other.on(second.indexOf("stable"))).isEqualTo(answer);
            }
        }
    }

    @Test
    void raisingThePercentageOnlyAddsKeys() {
        boolean[] atTen = onByKey(flag("ramp", 1_000, USER), 4_000);
        boolean[] atThirty = onByKey(flag("ramp", 3_000, USER), 4_000);
        int ten = 0;
        int thirty = 0;
        for (int user = 0; user < atTen.length; user++) {
            if (atTen[user]) {
                ten++;
                assertThat(atThirty[user]).as("user-%d on at 10%% stays on at 30%%", user).isTrue();
            }
            thirty += atThirty[user] ? 1 : 0;
        }
        assertThat(thirty).isGreaterThan(ten);
        assertThat(thirty / 4_000.0).isCloseTo(0.30, within(0.02));
    }

    @Test
    void twoFlagsAtTenPercentAreNearlyIndependent() {
        boolean[] a = onByKey(flag("search_v2", 1_000, USER), 10_000);
        boolean[] b = onByKey(flag("new_checkout", 1_000, USER), 10_000);
        int both = 0;
        for (int user = 0; user < a.length; user++) {
            both += a[user] && b[user] ? 1 : 0;
        }
        assertThat(both / 10_000.0).isBetween(0.005, 0.016);
    }

    @Test
    void withoutStickinessOrWithoutTheKeyTheBucketIsRandomPerRequest() {
        FlagEvaluator noStickiness = FlagEvaluator.compile(List.of(flag("r", 3_000, null)));
        FlagEvaluator keyAbsent = FlagEvaluator.compile(List.of(flag("r", 3_000, USER)));
        FlagEvaluator keyEmpty = FlagEvaluator.compile(List.of(flag("r", 3_000, KeySource.cookie("uid"))));
        HttpHeaders sameRequest = headers("x-other", "1", "cookie", "uid=");
        for (FlagEvaluator evaluator : List.of(noStickiness, keyAbsent, keyEmpty)) {
            FlagResults results = evaluator.newResults();
            int on = 0;
            for (int i = 0; i < 20_000; i++) {
                evaluator.evaluate(sameRequest, CLIENT, results);
                on += results.on(0) ? 1 : 0;
            }
            assertThat(on / 20_000.0).isCloseTo(0.30, within(0.02));
        }
    }

    @Test
    void aDisabledFlagIsOffAndUntargetedForEveryone() {
        FlagEvaluator evaluator = FlagEvaluator.compile(List.of(disabled(Flags.everyone("kill_switch"))));
        FlagResults results = evaluator.newResults();
        for (int user = 0; user < 1_000; user++) {
            evaluator.evaluate(headers("x-user-id", "user-" + user), CLIENT, results);
            assertThat(results.on(0)).isFalse();
            assertThat(results.targeted(0)).isFalse();
            assertThat(text(results)).isEqualTo("kill_switch=off");
        }
    }

    @Test
    void anEnabledFlagAtHundredPercentWithoutTargetingIsOnForEveryone() {
        assertThat(shareOn(Flags.everyone("ga"), 1_000)).isEqualTo(1.0);
        FlagEvaluator evaluator = FlagEvaluator.compile(List.of(Flags.everyone("ga")));
        FlagResults results = evaluator.newResults();
        evaluator.evaluate(headers(), null, results);
        assertThat(results.on(0)).isTrue();
    }

    @Test
    void variantsSplitByWeightWithinTwoPoints() {
        FlagSpec spec = withVariants("exp", 10_000, USER, new VariantSpec("control", 50),
                new VariantSpec("variantA", 30), new VariantSpec("variantB", 20));
        int[] counts = variantCounts(spec, 10_000, true);
        assertThat(counts[0] / 10_000.0).isCloseTo(0.50, within(0.02));
        assertThat(counts[1] / 10_000.0).isCloseTo(0.30, within(0.02));
        assertThat(counts[2] / 10_000.0).isCloseTo(0.20, within(0.02));

        int[] random = variantCounts(withVariants("exp", 10_000, null, new VariantSpec("a", 1),
                new VariantSpec("b", 3)), 20_000, false);
        assertThat(random[0] / 20_000.0).isCloseTo(0.25, within(0.02));
        assertThat(random[1] / 20_000.0).isCloseTo(0.75, within(0.02));
    }

    @Test
    void variantsSplitTheOnShareAndAKeyKeepsItsVariantWhileThePercentageGrows() {
        VariantSpec[] variants = {new VariantSpec("a", 1), new VariantSpec("b", 1)};
        FlagEvaluator at20 = FlagEvaluator.compile(List.of(withVariants("exp", 2_000, USER, variants)));
        FlagEvaluator at60 = FlagEvaluator.compile(List.of(withVariants("exp", 6_000, USER, variants)));
        FlagResults r20 = at20.newResults();
        FlagResults r60 = at60.newResults();
        int on = 0;
        int onA = 0;
        for (int user = 0; user < 4_000; user++) {
            HttpHeaders request = headers("x-user-id", "user-" + user);
            at20.evaluate(request, CLIENT, r20);
            at60.evaluate(request, CLIENT, r60);
            assertThat(r20.variant(0) >= 0).isEqualTo(r20.on(0));
            if (r20.on(0)) {
                on++;
                onA += r20.variant(0) == 0 ? 1 : 0;
                assertThat(r60.on(0)).isTrue();
                assertThat(r60.variantName(0)).isEqualTo(r20.variantName(0));
            }
        }
        assertThat(on / 4_000.0).isCloseTo(0.20, within(0.02));
        assertThat(onA / (double) on).isCloseTo(0.50, within(0.05));
    }

    private static int[] variantCounts(FlagSpec spec, int requests, boolean distinctKeys) {
        FlagEvaluator evaluator = FlagEvaluator.compile(List.of(spec));
        FlagResults results = evaluator.newResults();
        int[] counts = new int[spec.variants().size()];
        HttpHeaders anonymous = headers();
        for (int i = 0; i < requests; i++) {
            evaluator.evaluate(distinctKeys ? headers("x-user-id", "user-" + i) : anonymous, CLIENT, results);
            assertThat(results.on(0)).isTrue();
            counts[results.variant(0)]++;
            assertThat(results.headerValue().toString()).isEqualTo("exp=" + results.variantName(0));
        }
        return counts;
    }

    private static boolean onFor(FlagSpec spec, HttpHeaders request) {
        FlagEvaluator evaluator = FlagEvaluator.compile(List.of(spec));
        FlagResults results = evaluator.newResults();
        evaluator.evaluate(request, CLIENT, results);
        return results.on(0);
    }

    private static boolean[] onByKey(FlagSpec spec, int keys) {
        FlagEvaluator evaluator = FlagEvaluator.compile(List.of(spec));
        FlagResults results = evaluator.newResults();
        boolean[] on = new boolean[keys];
        for (int user = 0; user < keys; user++) {
            evaluator.evaluate(headers("x-user-id", "user-" + user), CLIENT, results);
            on[user] = results.on(0);
        }
        return on;
    }

    private static double shareOn(FlagSpec spec, int keys) {
        int on = 0;
        for (boolean b : onByKey(spec, keys)) {
            on += b ? 1 : 0;
        }
        return on / (double) keys;
    }

    private static String text(FlagResults results) {
        return results.headerValue() == null ? null : results.headerValue().toString();
    }
}
