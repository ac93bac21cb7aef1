package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.KeySource;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.TargetRule;
import dev.veer.config.model.VariantSpec;
import dev.veer.proxy.support.Backend;
import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.Specs;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Flags evaluated at the edge, end to end: flag routes, the x-veer-flags header, live changes, counters. */
class ProxyFlagsTest {

    private Backend blue;
    private Backend green;
    private ProxyServer proxy;

    private static final TargetRule PREMIUM = new TargetRule(
            new TargetRule.Attribute(TargetRule.Attribute.Kind.HEADER, "x-plan"), TargetRule.Operator.IN,
            List.of("premium"));

    @BeforeEach
    void start() throws Exception {
        blue = new Backend("blue");
        green = new Backend("green");
        proxy = ProxyServer.start(Specs.settings(), List.of(shop()), List.of(checkout(10_000), experiment()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        blue.close();
        green.close();
    }

    private ServiceSpec shop() {
        return service("shop", List.of("shop.local"), "/",
                List.of(version("blue", blue.address()), version("green", green.address())),
                weights("blue", 10_000, "green", 0), null,
                List.of(new RouteSpec(new RouteMatch.Flag("new_checkout", null), "green")), null);
    }

    private static FlagSpec checkout(int percentageBps) {
        return new FlagSpec("new_checkout", true, percentageBps, KeySource.header("x-user-id"), List.of(PREMIUM),
                List.of());
    }

    private static FlagSpec experiment() {
        return new FlagSpec("exp", true, 10_000, KeySource.header("x-user-id"), List.of(),
                List.of(new VariantSpec("a", 1), new VariantSpec("b", 1)));
    }

    private RawHttp.Response get(RawHttp http, String user, String plan) throws Exception {
        return http.send("GET / HTTP/1.1\r\nHost: shop.local\r\nx-user-id: " + user + "\r\nx-plan: " + plan
                + "\r\n\r\n").read();
    }

    @Test
    void flagRouteSendsTargetedUsersToTheCanaryAndTellsTheBackend() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response premium = get(http, "u1", "premium");
            RawHttp.Response free = get(http, "u1", "free");
            assertThat(premium.header("x-backend")).isEqualTo("green");
            assertThat(free.header("x-backend")).isEqualTo("blue");
        }
        String toGreen = green.requests().get(0).headers().get("x-veer-flags");
        String toBlue = blue.requests().get(0).headers().get("x-veer-flags");
        assertThat(toGreen).matches("exp=[ab],new_checkout=on");
        assertThat(toBlue).as("not targeted: off, not left out").matches("exp=[ab],new_checkout=off");
        assertThat(proxy.flagEvaluations().get("new_checkout")).containsEntry("on", 1L);
        long variants = proxy.flagEvaluations().get("exp").getOrDefault("a", 0L)
                + proxy.flagEvaluations().get("exp").getOrDefault("b", 0L);
        assertThat(variants).isEqualTo(2);
    }

    /** A cookie rule must see a cookie sent in a second Cookie field (HTTP/2-to-1 gateways split them). */
    @Test
    void cookieRuleSeesACookieInASecondCookieHeader() throws Exception {
        TargetRule premiumCookie = new TargetRule(
                new TargetRule.Attribute(TargetRule.Attribute.Kind.COOKIE, "plan"), TargetRule.Operator.IN,
                List.of("premium"));
        proxy.publish(List.of(shop()), List.of(new FlagSpec("new_checkout", true, 10_000, KeySource.cookie("uid"),
                List.of(premiumCookie), List.of())));
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            RawHttp.Response split = http.send("GET / HTTP/1.1\r\nHost: shop.local\r\nCookie: uid=u1\r\n"
                    + "Cookie: plan=premium\r\n\r\n").read();
            RawHttp.Response free = http.send("GET / HTTP/1.1\r\nHost: shop.local\r\nCookie: uid=u1\r\n"
                    + "Cookie: plan=free\r\n\r\n").read();
            assertThat(split.header("x-backend")).isEqualTo("green");
            assertThat(free.header("x-backend")).isEqualTo("blue");
        }
    }

    @Test
    void aFlagChangeTakesEffectOnTheNextRequestOfAnOpenConnection() throws Exception {
        try (RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            assertThat(get(http, "u7", "premium").header("x-backend")).isEqualTo("green");
            proxy.publish(List.of(shop()), List.of(checkout(0), experiment()));
            RawHttp.Response after = get(http, "u7", "premium");
            assertThat(after.header("x-backend")).isEqualTo("blue");
            proxy.publish(List.of(shop()), List.of(experiment()));
            assertThat(get(http, "u7", "premium").header("x-backend")).isEqualTo("blue");
        }
        assertThat(blue.requests().get(0).headers().get("x-veer-flags")).contains("new_checkout=off");
        assertThat(blue.requests().get(1).headers().get("x-veer-flags")).doesNotContain("new_checkout");
        assertThat(blue.connections() + green.connections()).isLessThanOrEqualTo(2);
    }
}
