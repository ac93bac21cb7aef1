package dev.veer.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.config.model.HostPort;
import dev.veer.config.model.Limits;
import dev.veer.proxy.support.RawBackend;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-loop pool slots over real connections to a real listener. */
class UpstreamPoolsTest {

    private RawBackend backend;
    private EventLoopGroup group;
    private EventLoop loop;
    private UpstreamPools pools;

    @BeforeEach
    void start() throws Exception {
        backend = new RawBackend(RawBackend.Behaviour.STALL);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        pools = new UpstreamPools(NioSocketChannel.class, 8, Limits.DEFAULTS);
    }

    @AfterEach
    void stop() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        backend.close();
    }

    @Test
    void aLiveEndpointKeepsItsSlotAndTheReleasedConnection() throws Exception {
        Endpoint endpoint = new EndpointRegistry().obtain("svc", "v1", new HostPort("127.0.0.1", backend.port()));

        UpstreamConnection c = connect(endpoint);

        assertThat(releaseAndCountSlots(c)).isEqualTo(1);
        assertThat(c.channel().isActive()).isTrue();
    }

    @Test
    void aRetiredEndpointReachedAfterTheSweepLeavesNoSlotBehind() throws Exception {
        EndpointRegistry registry = new EndpointRegistry();
        Endpoint endpoint = registry.obtain("svc", "v1", new HostPort("127.0.0.1", backend.port()));
        List<Endpoint> retired = registry.retainOnly(Set.of());
        pools.closeIdle(group, retired);

        // An exchange that picked the endpoint before the publish replays on a fresh connection to it.
        UpstreamConnection c = connect(endpoint);

        assertThat(releaseAndCountSlots(c)).isZero();
        assertThat(c.channel().closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
    }

    private UpstreamConnection connect(Endpoint endpoint) throws Exception {
        CompletableFuture<UpstreamConnection> connected = new CompletableFuture<>();
        ConnectionWaiter waiter = new ConnectionWaiter() {
            @Override
            public boolean awaits(Endpoint e) {
                return !connected.isDone();
            }

            @Override
            public void onConnection(UpstreamConnection connection) {
                connected.complete(connection);
            }

            @Override
            public void onConnectFailure(boolean own, boolean timedOut) {
                connected.completeExceptionally(new AssertionError("connect failed, timed out: " + timedOut));
            }
        };
        loop.execute(() -> {
            UpstreamConnection idle = pools.acquire(loop, endpoint, waiter, true);
            if (idle != null) {
                connected.complete(idle);
            }
        });
        return connected.get(5, TimeUnit.SECONDS);
    }

    private int releaseAndCountSlots(UpstreamConnection c) throws Exception {
        return loop.submit(() -> {
            c.release();
            return pools.slotsOnThisLoop();
        }).get(5, TimeUnit.SECONDS);
    }
}
