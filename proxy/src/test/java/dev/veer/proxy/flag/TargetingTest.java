package dev.veer.proxy.flag;

import dev.veer.config.model.TargetRule;
import dev.veer.config.model.TargetRule.Operator;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static dev.veer.proxy.flag.Flags.clientAddress;
import static dev.veer.proxy.flag.Flags.cookie;
import static dev.veer.proxy.flag.Flags.flag;
import static dev.veer.proxy.flag.Flags.header;
import static dev.veer.proxy.flag.Flags.headers;
import static org.assertj.core.api.Assertions.assertThat;

/** Each operator on each attribute, once holding and once not. */
class TargetingTest {

    private static final InetAddress CLIENT = address("10.1.2.3");
    private static final InetAddress CLIENT_V6 = address("2001:db8::7");

    @Test
    void headerOperators() {
        HttpHeaders request = headers("x-plan", "premium", "x-app-version", "v2.3.1", "x-region", "eu-west-1",
                "X-Empty", "");
        assertTargeted(header("x-plan", Operator.EQUALS, "premium"), request, true);
        assertTargeted(header("x-plan", Operator.EQUALS, "Premium"), request, false);
        assertTargeted(header("x-plan", Operator.EQUALS, "prem"), request, false);
        assertTargeted(header("x-plan", Operator.IN, "gold", "premium"), request, true);
        assertTargeted(header("x-plan", Operator.IN, "gold", "free"), request, false);
        assertTargeted(header("x-plan", Operator.NOT_IN, "free", "trial"), request, true);
        assertTargeted(header("x-plan", Operator.NOT_IN, "free", "premium"), request, false);
        assertTargeted(header("x-region", Operator.PREFIX, "eu-"), request, true);
        assertTargeted(header("x-region", Operator.PREFIX, "us-"), request, false);
        assertTargeted(header("x-empty", Operator.EXISTS), request, true);
        assertTargeted(header("x-missing", Operator.EXISTS), request, false);
        assertTargeted(header("x-app-version", Operator.SEMVER_AT_LEAST, "2.3.0"), request, true);
        assertTargeted(header("x-app-version", Operator.SEMVER_AT_LEAST, "2.10.0"), request, false);
    }

    @Test
    void anAbsentAttributeFailsEveryOperatorButNotIn() {
        HttpHeaders request = headers("x-other", "1");
        assertTargeted(header("x-plan", Operator.EQUALS, "premium"), request, false);
        assertTargeted(header("x-plan", Operator.IN, "premium"), request, false);
        assertTargeted(header("x-plan", Operator.PREFIX, "p"), request, false);
        assertTargeted(header("x-plan", Operator.SEMVER_AT_LEAST, "0.0.1"), request, false);
        assertTargeted(header("x-plan", Operator.NOT_IN, "premium"), request, true);
        assertTargeted(cookie("plan", Operator.NOT_IN, "premium"), request, true);
        assertTargeted(clientAddress(Operator.NOT_IN, "10.0.0.0/8"), request, null, true);
        assertTargeted(clientAddress(Operator.IN, "10.0.0.0/8"), request, null, false);
    }

    @Test
    void cookieOperators() {
        HttpHeaders request = headers("cookie", "session=s-991; beta=yes; app=\"3.0.0-rc.2\"; cohort=eu-a");
        assertTargeted(cookie("beta", Operator.EQUALS, "yes"), request, true);
        assertTargeted(cookie("beta", Operator.EQUALS, "no"), request, false);
        assertTargeted(cookie("cohort", Operator.IN, "us-a", "eu-a"), request, true);
        assertTargeted(cookie("cohort", Operator.IN, "us-a", "us-b"), request, false);
        assertTargeted(cookie("cohort", Operator.NOT_IN, "us-a"), request, true);
        assertTargeted(cookie("cohort", Operator.NOT_IN, "eu-a"), request, false);
        assertTargeted(cookie("session", Operator.PREFIX, "s-"), request, true);
        assertTargeted(cookie("session", Operator.PREFIX, "t-"), request, false);
        assertTargeted(cookie("beta", Operator.EXISTS), request, true);
        assertTargeted(cookie("gamma", Operator.EXISTS), request, false);
        assertTargeted(cookie("app", Operator.SEMVER_AT_LEAST, "3.0.0-rc.1"), request, true);
        assertTargeted(cookie("app", Operator.SEMVER_AT_LEAST, "3.0.0"), request, false);
    }

    @Test
    void onlyTheFirstCookieHeaderIsRead() {
        // RFC 6265 §5.4: one Cookie header; a repeated one (a non-compliant client) is not scanned.
        HttpHeaders request = headers("cookie", "a=1; c=3", "cookie", "b=2");
        assertTargeted(cookie("a", Operator.EQUALS, "1"), request, true);
        FlagEvaluator evaluator = FlagEvaluator.compile(List.of(flag("f", 10_000, null,
                cookie("c", Operator.EQUALS, "3"), cookie("a", Operator.EQUALS, "1"))));
        FlagResults results = evaluator.newResults();
        evaluator.evaluate(request, CLIENT, results);
        assertThat(results.targeted(0)).isTrue();
        assertTargeted(cookie("b", Operator.EXISTS), request, false);
    }

    @Test
    void clientAddressOperators() {
        HttpHeaders request = headers();
        assertTargeted(clientAddress(Operator.EQUALS, "10.1.2.3"), request, true);
        assertTargeted(clientAddress(Operator.EQUALS, "10.1.2.4"), request, false);
        assertTargeted(clientAddress(Operator.IN, "192.168.0.0/16", "10.1.0.0/16"), request, true);
        assertTargeted(clientAddress(Operator.IN, "192.168.0.0/16", "10.1.2.0/31"), request, false);
        assertTargeted(clientAddress(Operator.IN, "10.1.2.0/30"), request, true);
        assertTargeted(clientAddress(Operator.NOT_IN, "172.16.0.0/12"), request, true);
        assertTargeted(clientAddress(Operator.NOT_IN, "10.0.0.0/8"), request, false);
        assertTargeted(clientAddress(Operator.PREFIX, "10.1."), request, true);
        assertTargeted(clientAddress(Operator.PREFIX, "10.10."), request, false);
        assertTargeted(clientAddress(Operator.EXISTS), request, true);
        assertTargeted(clientAddress(Operator.EXISTS), request, null, false);
        assertTargeted(clientAddress(Operator.IN, "2001:db8::/32"), request, CLIENT_V6, true);
        assertTargeted(clientAddress(Operator.IN, "10.0.0.0/8"), request, CLIENT_V6, false);
        assertTargeted(clientAddress(Operator.PREFIX, "2001:db8::"), request, CLIENT_V6, true);
        assertTargeted(clientAddress(Operator.IN, "0.0.0.0/0"), request, true);
    }

    @Test
    void allRulesMustHold() {
        HttpHeaders request = headers("x-plan", "premium", "cookie", "beta=yes");
        FlagEvaluator evaluator = FlagEvaluator.compile(List.of(
                flag("both", 10_000, null, header("x-plan", Operator.EQUALS, "premium"),
                        cookie("beta", Operator.EQUALS, "yes")),
                flag("one_fails", 10_000, null, header("x-plan", Operator.EQUALS, "premium"),
                        cookie("beta", Operator.EQUALS, "no")),
                flag("no_rules", 10_000, null)));
        FlagResults results = evaluator.newResults();
        evaluator.evaluate(request, CLIENT, results);
        assertThat(results.targeted(evaluator.indexOf("both"))).isTrue();
        assertThat(results.targeted(evaluator.indexOf("one_fails"))).isFalse();
        assertThat(results.targeted(evaluator.indexOf("no_rules"))).isTrue();
    }

    private static void assertTargeted(TargetRule rule, HttpHeaders request, boolean expected) {
        assertTargeted(rule, request, CLIENT, expected);
    }

    private static void assertTargeted(TargetRule rule, HttpHeaders request, InetAddress client, boolean expected) {
        FlagEvaluator evaluator = FlagEvaluator.compile(List.of(flag("f", 10_000, null, rule)));
        FlagResults results = evaluator.newResults();
        evaluator.evaluate(request, client, results);
        assertThat(results.targeted(0)).as("%s on %s from %s", rule, request, client).isEqualTo(expected);
        assertThat(results.on(0)).isEqualTo(expected);
        assertThat(results.headerValue() == null ? null : results.headerValue().toString())
                .isEqualTo(expected ? "f=on" : "f=off");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
