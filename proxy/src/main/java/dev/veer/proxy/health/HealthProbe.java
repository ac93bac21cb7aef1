package dev.veer.proxy.health;

import dev.veer.config.model.HealthCheckSpec;
import dev.veer.config.model.Limits;
import dev.veer.proxy.http.HeadEndFinder;
import dev.veer.proxy.http.ResponseHead;
import dev.veer.proxy.upstream.Endpoint;
import dev.veer.proxy.upstream.OffLoopResolverGroup;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Active HTTP health checking of one endpoint, on one event loop: GET {@code path} every interval (with ±10%
 * jitter so probes of many endpoints spread out); 2xx and 3xx within the timeout count as a success.
 * {@code healthyThreshold} consecutive successes mark the endpoint healthy, {@code unhealthyThreshold}
 * consecutive failures unhealthy. All state is confined to the probe's loop.
 */
final class HealthProbe {

    private final Endpoint endpoint;
    private final HealthCheckSpec spec;
    private final EventLoop loop;
    private final Class<? extends Channel> channelType;
    private final Limits limits;
    private int consecutiveSuccesses;
    private int consecutiveFailures;
    /** Written on the probe's loop, read by {@link HealthChecker#update} on the publishing thread. */
    private volatile boolean awaitingFirstPass;
    /** The event that took the endpoint out already said why: the report for a new endpoint's failures is not due. */
    private boolean whyDownTold;
    private ScheduledFuture<?> next;
    private volatile boolean stopped;

    /**
     * {@code awaitFirstCheck}: a new endpoint, out of rotation until one check passes (one, not healthyThreshold,
     * as Envoy counts a new host's first check); it is probed at once.
     */
    HealthProbe(Endpoint endpoint, HealthCheckSpec spec, EventLoop loop, Class<? extends Channel> channelType,
                Limits limits, boolean awaitFirstCheck) {
        this.endpoint = endpoint;
        this.awaitingFirstPass = awaitFirstCheck;
        this.spec = spec;
        this.loop = loop;
        this.channelType = channelType;
        this.limits = limits;
    }

    HealthCheckSpec spec() {
        return spec;
    }

    /** True until the first check of a new endpoint passes. */
    boolean awaitingFirstPass() {
        return awaitingFirstPass;
    }

    void start() {
        if (awaitingFirstPass) {
            endpoint.awaitFirstCheck();
            loop.execute(() -> schedule(1));
            return;
        }
        long interval = spec.interval().toNanos();
        // An endpoint Veer starts with is taken as up, so its first probe comes soon (in the first tenth of the
        // interval, spread so many endpoints are not probed at once): a dead one is found out before much traffic
        // reaches it. A probe replaced by a reload lands anywhere in the first interval, as the next one would have.
        long spread = endpoint.hasAnsweredACheck() ? interval : interval / 10;
        long first = ThreadLocalRandom.current().nextLong(1, Math.max(2, spread));
        loop.execute(() -> schedule(first));
    }

    void stop() {
        stopped = true;
        loop.execute(() -> {
            if (next != null) {
                next.cancel(false);
            }
        });
    }

    private void schedule(long delayNanos) {
        if (!stopped) {
            next = loop.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void scheduleNext() {
        long interval = spec.interval().toNanos();
        long jitter = interval / 10;
        long delay = interval + (jitter > 0 ? ThreadLocalRandom.current().nextLong(-jitter, jitter + 1) : 0);
        schedule(Math.max(1, delay));
    }

    private void probe() {
        if (stopped) {
            return;
        }
        Attempt attempt = new Attempt();
        long timeoutMillis = Math.max(1, spec.timeout().toMillis());
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .resolver(OffLoopResolverGroup.SYSTEM)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(attempt);
                    }
                });
        ChannelFuture connect = bootstrap.connect(endpoint.socketAddress());
        attempt.timeout = loop.schedule(
                () -> attempt.finish(connect.channel(), "no answer within " + timeoutMillis + " ms"),
                timeoutMillis, TimeUnit.MILLISECONDS);
        connect.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                attempt.finish(f.channel(), connectFailure(f.cause()));
                return;
            }
            String request = "GET " + spec.path() + " HTTP/1.1\r\nHost: " + endpoint.address()
                    + "\r\nConnection: close\r\nUser-Agent: veer-health-check\r\n\r\n";
            f.channel().writeAndFlush(ByteBufUtil.writeAscii(f.channel().alloc(), request));
        });
    }

    /**
     * What a failed connect says, without the transport's wording ("finishConnect(..) failed with error(-111)").
     * A host or network that cannot be reached (a backend's machine gone) is a NoRouteToHostException, which Netty's
     * native transport raises without a message.
     */
    static String connectFailure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        if (cause instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        if (cause instanceof UnknownHostException) {
            return "host name does not resolve";
        }
        return "cannot connect: " + described(cause);
    }

    /** The exception's message, or its name where it has none. */
    private static String described(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** {@code failure}: why this probe failed, null when it passed. */
    private void record(String failure) {
        if (stopped) {
            return;
        }
        if (failure == null) {
            consecutiveFailures = 0;
            consecutiveSuccesses++;
            if (awaitingFirstPass) {
                awaitingFirstPass = false;
                endpoint.setHealthy(true, "first health check passed");
            } else if (!endpoint.isActiveHealthy() && consecutiveSuccesses >= Math.max(1, spec.healthyThreshold())) {
                endpoint.setHealthy(true, consecutiveSuccesses + " health checks passed");
            }
        } else {
            consecutiveSuccesses = 0;
            consecutiveFailures++;
            int threshold = Math.max(1, spec.unhealthyThreshold());
            if (endpoint.isActiveHealthy() && !endpoint.hasAnsweredACheck()) {
                // An endpoint Veer started with, taken as up until a check answered: failing the first, it never
                // was up. Out at once, and in again at its first pass, as a new endpoint (Envoy's start-up rule):
                // the thresholds are there to ride out flaps of an endpoint that was serving.
                awaitingFirstPass = true;
                endpoint.setHealthy(false, "first health check failed (" + failure + ")");
                whyDownTold = true;
            } else if (endpoint.isActiveHealthy() && consecutiveFailures >= threshold) {
                // The last failure's cause, so an operator can tell a wrong path (404) from a backend that is down.
                endpoint.setHealthy(false, consecutiveFailures + " health checks failed (last: " + failure + ")");
            } else if (awaitingFirstPass && consecutiveFailures == threshold && !whyDownTold) {
                // A new endpoint is down from the start, so no flip reports it: say once why it has not come up
                // (a wrong port or path), as the same failures would have for an endpoint Veer started with.
                endpoint.reportUnhealthy(consecutiveFailures + " health checks failed (last: " + failure + ")");
            }
        }
        endpoint.probeAnswered();
    }

    /**
     * One probe: the first final response head decides; a close, error or timeout before it is a failure. The head is
     * read as the proxy reads an upstream's ({@link ResponseHead}, within the proxy's head limits), so an endpoint
     * is judged by what its traffic would get: a head the proxy refuses (a folded line, an ambiguous length) fails
     * the check, and one it reads (bare-LF line ends) passes. Interim (1xx) heads before it are not the answer
     * (RFC 9110 §15.2): a service that sends 103 Early Hints is not down, but one that sends more of them than the
     * proxy takes fails: 1xx heads sent for ever would otherwise pile up in {@link #received} until the timeout, at
     * the loopback's speed (a 1 s timeout ran a 256 MiB heap out of memory). The body is not read.
     */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        private final HeadEndFinder headEnd = new HeadEndFinder();
        private final ResponseHead head = new ResponseHead(limits.maxHeaderCount());
        /** What arrived and is not judged yet; null before the first read and once done. */
        private ByteBuf received;
        private boolean done;
        private int interimHeads;
        private ScheduledFuture<?> timeout;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (done) {
                    return;
                }
                if (received == null) {
                    received = ctx.alloc().heapBuffer(in.readableBytes());
                }
                received.writeBytes(in);
                judge(ctx.channel());
            } finally {
                ReferenceCountUtil.release(in);
            }
        }

        private void judge(Channel channel) {
            while (!done) {
                headEnd.reset();
                int lf = received.forEachByte(headEnd);
                int size = lf < 0 ? received.readableBytes() : lf + 1 - received.readerIndex();
                if (size > limits.maxHeaderBytes()) {
                    finish(channel, "response head larger than " + limits.maxHeaderBytes() + " bytes");
                    return;
                }
                if (lf < 0) {
                    return;
                }
                if (!head.parse(received, received.readerIndex(), lf + 1, false)) {
                    finish(channel, "not an HTTP response (" + head.error() + ")");
                    return;
                }
                received.readerIndex(lf + 1);
                int code = head.status();
                if (!head.interim() || code == 101) {
                    finish(channel, code >= 200 && code < 400 ? null : "GET " + spec.path() + " answered " + code);
                } else if (++interimHeads > ResponseHead.MAX_INTERIM_HEADS) {
                    finish(channel, ResponseHead.TOO_MANY_INTERIM_HEADS);
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish(ctx.channel(), "connection closed before an answer");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finish(ctx.channel(), "connection error: " + described(cause));
        }

        /** {@code failure}: why the probe failed, null when it passed. */
        void finish(Channel channel, String failure) {
            if (done) {
                return;
            }
            done = true;
            if (received != null) {
                received.release();
                received = null;
            }
            if (timeout != null) {
                timeout.cancel(false);
            }
            channel.close();
            record(failure);
            scheduleNext();
        }
    }
}
