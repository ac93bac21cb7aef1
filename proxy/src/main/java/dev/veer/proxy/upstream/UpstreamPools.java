package dev.veer.proxy.upstream;

import dev.veer.config.model.Limits;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive upstream connections, pooled per event loop and per endpoint. Each loop owns its own map (a
 * FastThreadLocal), so acquiring and releasing never lock: a connection is only ever touched by the loop it was
 * opened on, which is the loop of the downstream connection that uses it.
 *
 * <p>Connects are paced: at most {@link #MAX_CONNECTS_IN_FLIGHT} per loop and endpoint at a time. An exchange that
 * finds no idle connection and the connects at that limit waits for the next connection to come free, released by
 * an exchange or newly opened. Without the limit, a cold pool under a thousand concurrent clients opens a thousand
 * connections at once; that overflows the listen backlog of a typical backend (nginx's is 511), whose kernel then
 * drops the SYNs and the clients wait a second for the retransmission.
 */
public final class UpstreamPools {

    /**
     * Connects in flight per loop and endpoint. Eight loops stay under a 511 backlog (nginx's, Node's) with room;
     * 128 per loop ramped a cold pool under 1,000 clients only a little faster (requests over 250 ms inside Veer:
     * 170-325 against 606 of ~150k).
     */
    private static final int MAX_CONNECTS_IN_FLIGHT = 32;

    private final Class<? extends Channel> channelType;
    private final int maxIdlePerEndpoint;
    private final Limits limits;
    private final long idleTimeoutNanos;
    private final int connectTimeoutMillis;
    private final long connectTimeoutNanos;
    /** Host-name endpoints: a lookup may take as long as a connect may, and fails as a connect timeout after. */
    private final OffLoopResolverGroup resolver;
    private final FastThreadLocal<Map<Endpoint, EndpointSlot>> loopPools = new FastThreadLocal<>() {
        @Override
        protected Map<Endpoint, EndpointSlot> initialValue() {
            return new IdentityHashMap<>();
        }
    };

    /** An exchange in the queue, and since when. */
    private record Waiting(ConnectionWaiter waiter, long sinceNanos) {
    }

    /** One loop's connections to one endpoint: the idle ones, the connects in flight and the exchanges waiting. */
    private final class EndpointSlot {
        final Endpoint endpoint;
        final EventLoop loop;
        final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        final Runnable serveWaitingTask = () -> serveWaiting(this);
        int connecting;
        boolean serveScheduled;

        EndpointSlot(Endpoint endpoint, EventLoop loop) {
            this.endpoint = endpoint;
            this.loop = loop;
        }
    }

    /** {@code limits}: the idle and connect timeouts, and the header limits, which apply to responses too. */
    public UpstreamPools(Class<? extends Channel> channelType, int maxIdlePerEndpoint, Limits limits) {
        this.channelType = channelType;
        this.maxIdlePerEndpoint = maxIdlePerEndpoint;
        this.limits = limits;
        this.idleTimeoutNanos = limits.upstreamIdleTimeout().toNanos();
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, limits.connectTimeout().toMillis()));
        this.connectTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(connectTimeoutMillis);
        this.resolver = OffLoopResolverGroup.bounded(limits.connectTimeout());
    }

    /**
     * A connection to {@code endpoint} for {@code waiter}, on the calling loop: an idle pooled one, returned at once,
     * or null, and the waiter is called back with a new or released one (or the connect's failure). {@code fresh}:
     * pass the idle ones by, and do not wait for a released one either: a new connection, opened at once (one just
     * turned out stale; rare enough to go past the limit). Call on {@code loop}; the callback may come before this
     * returns.
     */
    public UpstreamConnection acquire(EventLoop loop, Endpoint endpoint, ConnectionWaiter waiter, boolean fresh) {
        EndpointSlot slot = slot(endpoint, loop);
        if (!fresh) {
            UpstreamConnection c = pollIdle(slot);
            if (c != null) {
                return c;
            }
        }
        if (fresh || slot.connecting < MAX_CONNECTS_IN_FLIGHT) {
            open(slot, waiter);
        } else {
            slot.waiting.addLast(new Waiting(waiter, System.nanoTime()));
        }
        return null;
    }

    private EndpointSlot slot(Endpoint endpoint, EventLoop loop) {
        Map<Endpoint, EndpointSlot> slots = loopPools.get();
        EndpointSlot slot = slots.get(endpoint);
        if (slot == null) {
            slot = new EndpointSlot(endpoint, loop);
            if (!endpoint.isRetired()) {
                // A retired endpoint's slot was swept (closeIdle); one kept for an exchange that still reaches it (a
                // retry, a stale connection's replay) would stay in this loop's map for good. Its connections close
                // on release, so nothing needs the slot after the connect.
                slots.put(endpoint, slot);
            }
        }
        return slot;
    }

    /** The endpoints this loop holds a slot for; call on the loop. */
    int slotsOnThisLoop() {
        return loopPools.get().size();
    }

    private static UpstreamConnection pollIdle(EndpointSlot slot) {
        UpstreamConnection c;
        while ((c = slot.idle.pollLast()) != null) {
            // The pending idle check, if any, stays armed: it finds the connection busy (not pooled) and lapses,
            // or finds it released again and re-arms for the rest of the timeout. Cancelling here and scheduling
            // again on release would cost a timer task per request.
            c.pooled(false);
            if (c.channel().isActive()) {
                return c;
            }
            c.channel().close();
        }
        return null;
    }

    private void open(EndpointSlot slot, ConnectionWaiter owner) {
        slot.connecting++;
        UpstreamConnection connection = new UpstreamConnection(slot.endpoint, this,
                new ResponseReader(limits.maxHeaderBytes(), limits.maxHeaderCount(),
                        limits.maxRequestLineBytes()));
        Bootstrap bootstrap = new Bootstrap()
                .group(slot.loop)
                .channel(channelType)
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                // A failed write shuts the output only (see UpstreamConnection.exceptionCaught): an upstream that
                // answered early and closed on the rest of the request body resets the connection, and closing at
                // once would drop its answer, which may still wait to be read.
                .option(ChannelOption.AUTO_CLOSE, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // No HTTP codec: requests are written as bytes (server.UpstreamRequest) and responses read
                        // from the receive buffers (ResponseReader).
                        ch.pipeline().addLast("exchange", connection);
                    }
                });
        bootstrap.connect(slot.endpoint.socketAddress()).addListener((ChannelFutureListener) f -> {
            boolean timedOut = f.cause() instanceof ConnectTimeoutException;
            if (slot.loop.inEventLoop()) {
                connected(slot, connection, owner, f.isSuccess(), timedOut);
            } else {
                // A socket that could not even be created (no file descriptors left) fails on Netty's global
                // executor: the slot is the loop's alone, so the outcome is taken back there.
                boolean success = f.isSuccess();
                slot.loop.execute(() -> connected(slot, connection, owner, success, timedOut));
            }
        });
    }

    private void connected(EndpointSlot slot, UpstreamConnection connection, ConnectionWaiter owner,
                           boolean success, boolean timedOut) {
        slot.connecting--;
        Endpoint endpoint = slot.endpoint;
        if (!success) {
            if (owner.awaits(endpoint)) {
                owner.onConnectFailure(true, timedOut);
            }
            if (slot.idle.isEmpty() && !slot.serveScheduled) {
                // Nothing is about to free up for the ones queued behind it: they fail with it rather than each
                // wait out a connect timeout of its own, 32 at a time.
                List<Waiting> queued = new ArrayList<>(slot.waiting);
                slot.waiting.clear();
                for (Waiting w : queued) {
                    if (w.waiter().awaits(endpoint)) {
                        w.waiter().onConnectFailure(false, timedOut);
                    }
                }
            }
            return;
        }
        // The exchange it was opened for may have ended meanwhile: then the next one waiting takes it, or the pool
        // (as a connection that served an exchange: a reset on its next use may be a stale keep-alive).
        ConnectionWaiter taker = owner.awaits(endpoint) ? owner : nextWaiting(slot);
        if (taker != null) {
            taker.onConnection(connection);
        } else {
            connection.release();
        }
        openForWaiting(slot);
    }

    /** Opens connects for the exchanges still waiting, up to the limit. */
    private void openForWaiting(EndpointSlot slot) {
        ConnectionWaiter next;
        while (slot.connecting < MAX_CONNECTS_IN_FLIGHT && (next = nextWaiting(slot)) != null) {
            open(slot, next);
        }
    }

    /**
     * The first waiter that still waits, taken off the queue; the ones before it that stopped waiting are dropped,
     * and the ones that have waited longer than a connect may take are failed as a connect failure would. Connects
     * complete (or time out) one after another, so a queue behind slow connects (SYNs dropped by a full backlog)
     * is not waited out 32 at a time.
     */
    private ConnectionWaiter nextWaiting(EndpointSlot slot) {
        Waiting w;
        long now = System.nanoTime();
        while ((w = slot.waiting.pollFirst()) != null) {
            if (!w.waiter().awaits(slot.endpoint)) {
                continue;
            }
            if (now - w.sinceNanos() <= connectTimeoutNanos) {
                return w.waiter();
            }
            w.waiter().onConnectFailure(false, true);
        }
        return null;
    }

    void release(UpstreamConnection c) {
        Endpoint endpoint = c.endpoint();
        if (endpoint.isRetired() || !c.channel().isActive()) {
            c.channel().close();
            return;
        }
        EndpointSlot slot = slot(endpoint, c.channel().eventLoop());
        if (slot.idle.size() >= maxIdlePerEndpoint && slot.waiting.isEmpty()) {
            c.channel().close();
            return;
        }
        c.markIdle(System.nanoTime());
        c.pooled(true);
        slot.idle.addLast(c);
        if (c.idleCheck() == null) {
            c.idleCheck(c.channel().eventLoop().schedule(c.idleCheckTask(), idleTimeoutNanos,
                    TimeUnit.NANOSECONDS));
        }
        if (!slot.waiting.isEmpty() && !slot.serveScheduled) {
            // Handed over in a task of its own, not here: the release happens inside the read of this connection's
            // response, and bytes after the response must find no exchange attached (they close it).
            slot.serveScheduled = true;
            slot.loop.execute(slot.serveWaitingTask);
        }
    }

    /**
     * Gives released connections to the exchanges waiting for one, oldest first; opens connects for any left over
     * (a failed connect may have left them to this task).
     */
    private void serveWaiting(EndpointSlot slot) {
        slot.serveScheduled = false;
        UpstreamConnection c;
        while (!slot.waiting.isEmpty() && (c = pollIdle(slot)) != null) {
            ConnectionWaiter w = nextWaiting(slot);
            if (w == null) {
                c.pooled(true);
                slot.idle.addLast(c);
                return;
            }
            w.onConnection(c);
        }
        openForWaiting(slot);
    }

    void remove(UpstreamConnection c) {
        if (!c.channel().eventLoop().inEventLoop()) {
            return;
        }
        EndpointSlot slot = loopPools.get().get(c.endpoint());
        if (slot != null) {
            slot.idle.remove(c);
        }
        c.pooled(false);
        if (c.idleCheck() != null) {
            c.idleCheck().cancel(false);
            c.idleCheck(null);
        }
    }

    /**
     * The one pending idle check of {@code c} fired. At most one is armed per connection: it closes a connection
     * that has sat in its pool for the whole timeout, re-arms itself for the rest of the timeout when the
     * connection was used and released since, and lapses while the connection is busy (the next release arms
     * a new one).
     */
    void idleCheck(UpstreamConnection c) {
        c.idleCheck(null);
        if (!c.isPooled() || !c.channel().isActive()) {
            return;
        }
        long idleFor = System.nanoTime() - c.idleSinceNanos();
        if (idleFor >= idleTimeoutNanos) {
            c.channel().close();
        } else {
            c.idleCheck(c.channel().eventLoop().schedule(c.idleCheckTask(), idleTimeoutNanos - idleFor,
                    TimeUnit.NANOSECONDS));
        }
    }

    /** Closes the idle connections of retired endpoints on every loop of {@code group}. */
    public void closeIdle(EventLoopGroup group, List<Endpoint> retired) {
        if (retired.isEmpty()) {
            return;
        }
        for (EventExecutor loop : group) {
            loop.execute(() -> {
                Map<Endpoint, EndpointSlot> slots = loopPools.get();
                for (Endpoint e : retired) {
                    EndpointSlot slot = slots.remove(e);
                    if (slot != null) {
                        for (UpstreamConnection c : new ArrayList<>(slot.idle)) {
                            c.channel().close();
                        }
                    }
                }
            });
        }
    }
}
