package dev.veer.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Host names are looked up off the event loop, so a slow DNS server stalls only the connections to that name. */
class OffLoopResolverGroupTest {

    private final EventLoop loop = new DefaultEventLoop();
    private final CountDownLatch dnsAnswers = new CountDownLatch(1);
    private final OffLoopResolverGroup.Lookup slowDns = host -> {
        if (host.equals("missing.test")) {
            throw new UnknownHostException(host);
        }
        try {
            dnsAnswers.await(30, TimeUnit.SECONDS); // a DNS server that takes its time
        } catch (InterruptedException e) {
            throw new UnknownHostException("interrupted");
        }
        return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {10, 1, 2, 3})};
    };
    private final OffLoopResolverGroup group = new OffLoopResolverGroup(slowDns, 0);
    private final OffLoopResolverGroup bounded = new OffLoopResolverGroup(slowDns, 200);

    @AfterEach
    void stop() {
        dnsAnswers.countDown();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        group.close();
        bounded.close();
    }

    private AddressResolver<InetSocketAddress> resolver() throws Exception {
        return resolver(group);
    }

    private AddressResolver<InetSocketAddress> resolver(OffLoopResolverGroup of) throws Exception {
        return loop.submit(() -> of.getResolver(loop)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aLookupPastTheTimeoutFailsAsAConnectTimeout() throws Exception {
        AddressResolver<InetSocketAddress> resolver = resolver(bounded);
        Future<InetSocketAddress> slow = loop.submit(
                () -> resolver.resolve(InetSocketAddress.createUnresolved("slow.test", 8080))).get(5, TimeUnit.SECONDS);

        // The DNS server has not answered (it answers only when the test ends): the timeout alone ended the lookup.
        assertThat(slow.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(slow.cause()).isInstanceOf(ConnectTimeoutException.class)
                .hasMessage("looking up slow.test took over 200 ms");

        // Literals take no lookup, so no timeout either.
        Future<InetSocketAddress> literal = loop.submit(
                () -> resolver.resolve(InetSocketAddress.createUnresolved("127.0.0.1", 80))).get(5, TimeUnit.SECONDS);
        assertThat(literal.getNow().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void theLoopRunsOnWhileANameIsLookedUp() throws Exception {
        AddressResolver<InetSocketAddress> resolver = resolver();
        Future<InetSocketAddress> slow = loop.submit(
                () -> resolver.resolve(InetSocketAddress.createUnresolved("slow.test", 8080))).get(5, TimeUnit.SECONDS);

        // With the lookup on the loop, this task would wait for the DNS answer, which comes only after it.
        assertThat(loop.submit(() -> "ran").get(5, TimeUnit.SECONDS)).isEqualTo("ran");
        assertThat(slow.isDone()).isFalse();

        dnsAnswers.countDown();
        InetSocketAddress resolved = slow.get(5, TimeUnit.SECONDS);
        assertThat(resolved.getAddress().getHostAddress()).isEqualTo("10.1.2.3");
        assertThat(resolved.getPort()).isEqualTo(8080);
    }

    @Test
    void ipLiteralsAreParsedInPlaceAndUnknownNamesFail() throws Exception {
        AddressResolver<InetSocketAddress> resolver = resolver();
        // Resolved within the connecting task itself: no lookup thread (the slow lookup would hold one up).
        String literals = loop.submit(() -> {
            Future<InetSocketAddress> v4 = resolver.resolve(InetSocketAddress.createUnresolved("127.0.0.1", 9001));
            Future<InetSocketAddress> v6 = resolver.resolve(InetSocketAddress.createUnresolved("[::1]", 9002));
            return v4.isDone() + " " + v4.getNow().getAddress().getHostAddress() + " " + v6.isDone() + " "
                    + v6.getNow().getAddress().isLoopbackAddress();
        }).get(5, TimeUnit.SECONDS);
        assertThat(literals).isEqualTo("true 127.0.0.1 true true");

        Future<InetSocketAddress> missing = resolver.resolve(InetSocketAddress.createUnresolved("missing.test", 80))
                .await();
        assertThat(missing.cause()).isInstanceOf(UnknownHostException.class);
    }
}
