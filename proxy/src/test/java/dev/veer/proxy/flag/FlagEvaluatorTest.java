package dev.veer.proxy.flag;

import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.KeySource;
import dev.veer.config.model.TargetRule.Operator;
import dev.veer.config.model.VariantSpec;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static dev.veer.proxy.flag.Flags.clientAddress;
import static dev.veer.proxy.flag.Flags.disabled;
import static dev.veer.proxy.flag.Flags.everyone;
import static dev.veer.proxy.flag.Flags.flag;
import static dev.veer.proxy.flag.Flags.header;
import static dev.veer.proxy.flag.Flags.headers;
import static dev.veer.proxy.flag.Flags.withVariants;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Compilation, indexing and the x-veer-flags value. */
class FlagEvaluatorTest {

    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

    private final FlagEvaluator evaluator = FlagEvaluator.compile(List.of(
            flag("zeta", 10_000, null, header("x-plan", Operator.EQUALS, "premium")),
            everyone("alpha"),
            flag("mid_off", 0, null),
            withVariants("exp", 10_000, null, new VariantSpec("variantB", 1)),
            disabled(everyone("beta")),
            flag("untargeted", 10_000, null, header("x-plan", Operator.EQUALS, "free"))));

    @Test
    void flagsAreSortedByNameAndFoundByIndex() {
        assertThat(evaluator.size()).isEqualTo(6);
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < evaluator.size(); i++) {
            names.add(evaluator.name(i));
            assertThat(evaluator.indexOf(evaluator.name(i))).isEqualTo(i);
        }
        assertThat(names).containsExactly("alpha", "beta", "exp", "mid_off", "untargeted", "zeta");
        assertThat(evaluator.indexOf("nope")).isEqualTo(-1);
        assertThat(evaluator.indexOf("")).isEqualTo(-1);
        assertThat(evaluator.variantIndexOf(evaluator.indexOf("exp"), "variantB")).isZero();
        assertThat(evaluator.variantIndexOf(evaluator.indexOf("exp"), "variantC")).isEqualTo(-1);
    }

    @Test
    void headerValueListsTargetedFlagsInNameOrder() {
        FlagResults results = evaluator.newResults();
        evaluator.evaluate(headers("x-plan", "premium"), CLIENT, results);
        assertThat(text(results)).isEqualTo("alpha=on,beta=off,exp=variantB,mid_off=off,untargeted=off,zeta=on");
        int exp = evaluator.indexOf("exp");
        assertThat(results.variantName(exp)).isEqualTo("variantB");
        assertThat(results.variant(exp)).isZero();
        assertThat(results.variant(evaluator.indexOf("alpha"))).isEqualTo(-1);
        assertThat(results.variantName(evaluator.indexOf("alpha"))).isNull();
        assertThat(results.targeted(evaluator.indexOf("mid_off"))).isTrue();
        assertThat(results.on(evaluator.indexOf("mid_off"))).isFalse();
        assertThat(results.targeted(evaluator.indexOf("beta"))).isFalse();
        assertThat(results.targeted(evaluator.indexOf("untargeted"))).isFalse();

        evaluator.evaluate(headers("x-plan", "free"), CLIENT, results);
        assertThat(text(results)).isEqualTo("alpha=on,beta=off,exp=variantB,mid_off=off,untargeted=on,zeta=off");
        assertThat(results.on(evaluator.indexOf("zeta"))).isFalse();
    }

    @Test
    void aFlagNotTargetedIsOffInTheHeaderValueWhichIsNullOnlyForNoFlags() {
        FlagEvaluator only = FlagEvaluator.compile(List.of(flag("f", 10_000, null,
                clientAddress(Operator.IN, "192.0.2.0/24"))));
        FlagResults results = only.newResults();
        only.evaluate(headers(), CLIENT, results);
        assertThat(text(results)).isEqualTo("f=off");

        FlagEvaluator none = FlagEvaluator.compile(List.of());
        FlagResults empty = none.newResults();
        none.evaluate(headers(), CLIENT, empty);
        assertThat(text(empty)).isNull();
        assertThat(none.indexOf("f")).isEqualTo(-1);
    }

    @Test
    void theHeaderValueIsRenderedInPlaceAndACopyOutlivesIt() {
        FlagResults results = evaluator.newResults();
        evaluator.evaluate(headers("x-plan", "premium"), CLIENT, results);
        CharSequence value = results.headerValue();
        String kept = value.toString();
        assertThat(kept).isEqualTo("alpha=on,beta=off,exp=variantB,mid_off=off,untargeted=off,zeta=on");

        // No new object per request: the next evaluation rewrites the same value, longer or shorter.
        evaluator.evaluate(headers(), CLIENT, results);
        assertThat((Object) results.headerValue()).isSameAs(value);
        assertThat(value.toString()).isEqualTo("alpha=on,beta=off,exp=variantB,mid_off=off,untargeted=off,zeta=off");
        assertThat(value.length()).isEqualTo(value.toString().length());
        assertThat(kept).isEqualTo("alpha=on,beta=off,exp=variantB,mid_off=off,untargeted=off,zeta=on");
    }

    @Test
    void resultsFromAnOlderEvaluatorAreReboundToTheNewOne() {
        FlagResults results = evaluator.newResults();
        evaluator.evaluate(headers("x-plan", "premium"), CLIENT, results);
        FlagEvaluator published = FlagEvaluator.compile(List.of(everyone("only")));
        published.evaluate(headers(), CLIENT, results);
        assertThat(results.evaluator()).isSameAs(published);
        assertThat(results.on(0)).isTrue();
        assertThat(text(results)).isEqualTo("only=on");
    }

    @Test
    void reboundResultsForgetThePreviousRequestsHeadersAndCookies() {
        FlagEvaluator before = FlagEvaluator.compile(List.of(flag("c", 10_000, null,
                Flags.cookie("beta", Operator.EXISTS))));
        FlagResults results = before.newResults();
        before.evaluate(headers("cookie", "beta=1"), CLIENT, results);
        assertThat(results.on(0)).isTrue();
        FlagEvaluator after = FlagEvaluator.compile(List.of(flag("d", 10_000, null,
                Flags.cookie("gamma", Operator.EXISTS), header("x-a", Operator.EXISTS))));
        after.evaluate(headers("x-a", "1"), CLIENT, results);
        assertThat(results.targeted(0)).isFalse();
        after.evaluate(headers("x-a", "1", "cookie", "gamma=1"), CLIENT, results);
        assertThat(results.targeted(0)).isTrue();
        after.evaluate(headers("cookie", "gamma=1"), CLIENT, results);
        assertThat(results.targeted(0)).isFalse();
    }

    @Test
    void theLongestPossibleHeaderFitsTheScratchBuffer() {
        FlagEvaluator longNames = FlagEvaluator.compile(List.of(
                withVariants("a_rather_long_experiment_name", 10_000, null,
                        new VariantSpec("variant_with_a_long_name", 1)),
                flag("b", 0, null), flag("c", 0, null)));
        FlagResults results = longNames.newResults();
        longNames.evaluate(headers(), CLIENT, results);
        assertThat(text(results))
                .isEqualTo("a_rather_long_experiment_name=variant_with_a_long_name,b=off,c=off");
    }

    @Test
    void rejectsWhatCannotBeEvaluatedNamingTheFlagAndRule() {
        assertRejected(List.of(everyone("dup"), everyone("dup")), "flag dup: defined twice");
        assertRejected(List.of(flag("p", 10_001, null)), "flag p: percentageBps 10001 (expected: 0..10000)");
        assertRejected(List.of(flag("s", 100, null, header("x-v", Operator.SEMVER_AT_LEAST, "latest"))),
                "flag s: targeting[0]: 'latest'");
        assertRejected(List.of(flag("a", 100, null, clientAddress(Operator.IN, "10.0.0.0/33"))),
                "flag a: targeting[0]:");
        assertRejected(List.of(flag("a", 100, null, clientAddress(Operator.EQUALS, "not-an-ip"))),
                "flag a: targeting[0]: 'not-an-ip'");
        assertRejected(List.of(flag("a", 100, null, clientAddress(Operator.SEMVER_AT_LEAST, "1.0.0"))),
                "flag a: targeting[0]: clientAddress: semverAtLeast");
        assertRejected(List.of(flag("i", 100, null, header("x-plan", Operator.IN))), "flag i: targeting[0]: in:");
        assertRejected(List.of(flag("bad,name", 100, null)), "flag name: 'bad,name'");
        assertRejected(List.of(withVariants("v", 100, null, new VariantSpec("x", 0))),
                "flag v: variant weights sum to 0");
        assertRejected(List.of(withVariants("v", 100, null, new VariantSpec("a=b", 1))), "variant name: 'a=b'");
    }

    @Test
    void stickinessHeaderNamesAreCaseInsensitive() {
        FlagSpec spec = flag("s", 5_000, new KeySource(KeySource.Kind.HEADER, "X-User-Id"));
        FlagEvaluator compiled = FlagEvaluator.compile(List.of(spec, flag("t", 5_000, KeySource.header("x-user-id"))));
        FlagResults results = compiled.newResults();
        int same = 0;
        for (int user = 0; user < 200; user++) {
            compiled.evaluate(headers("X-USER-ID", "u" + user), CLIENT, results);
            FlagResults again = compiled.newResults();
            compiled.evaluate(headers("x-user-id", "u" + user), CLIENT, again);
            same += results.on(0) == again.on(0) ? 1 : 0;
        }
        assertThat(same).isEqualTo(200);
    }

    private static void assertRejected(List<FlagSpec> flags, String message) {
        assertThatThrownBy(() -> FlagEvaluator.compile(flags)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    private static String text(FlagResults results) {
        return results.headerValue() == null ? null : results.headerValue().toString();
    }
}
