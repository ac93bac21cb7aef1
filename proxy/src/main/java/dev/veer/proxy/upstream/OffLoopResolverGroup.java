package dev.veer.proxy.upstream;

import io.netty.channel.ConnectTimeoutException;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Resolves endpoint host names on threads of its own, with the system's resolver (hosts file, DNS, the JVM's cache).
 * Netty's default resolves on the event loop that connects, with the JDK's blocking lookup: a slow or unreachable
 * DNS server then stalled every connection that loop serves, not only the ones to that name. IP literals, the usual
 * endpoints, are parsed where they are, with no thread hop.
 *
 * <p>A group built with a lookup timeout fails a lookup that takes longer as a connect timeout: the system resolver
 * alone waits ~10 s for an unreachable DNS server (5 s, tried twice), far past the connect timeout an operator set.
 */
public final class OffLoopResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    /** A host name's addresses, as {@link InetAddress#getAllByName} gives them. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] addresses(String host) throws UnknownHostException;
    }

    /** Lookups without a timeout of their own, for callers that bound the whole attempt (health checks). */
    public static final OffLoopResolverGroup SYSTEM = new OffLoopResolverGroup(InetAddress::getAllByName, 0);

    private static final int LOOKUP_THREADS = 4;

    /** The lookup threads of the process, shared by every group and event loop. */
    private static final Executor LOOKUPS = lookupThreads();

    private final Lookup lookup;
    private final long timeoutMillis;

    /** {@code timeoutMillis}: how long a lookup may take before it fails as a connect timeout; 0 for no limit. */
    OffLoopResolverGroup(Lookup lookup, long timeoutMillis) {
        this.lookup = lookup;
        this.timeoutMillis = timeoutMillis;
    }

    /** System lookups that fail after {@code timeout}, as a connect that took as long would. */
    public static OffLoopResolverGroup bounded(Duration timeout) {
        return new OffLoopResolverGroup(InetAddress::getAllByName, Math.max(1, timeout.toMillis()));
    }

    private static Executor lookupThreads() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(LOOKUP_THREADS, LOOKUP_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "veer-dns");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true); // no threads at all where every endpoint is an IP address
        return pool;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new NameResolver(executor).asAddressResolver();
    }

    private final class NameResolver extends InetNameResolver {

        NameResolver(EventExecutor executor) {
            super(executor);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            resolve(host, promise, addresses -> addresses[0]);
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            resolve(host, promise, Arrays::asList);
        }

        /** A literal at once; a name on a lookup thread, completing {@code promise} from there. */
        private <T> void resolve(String host, Promise<T> promise, Function<InetAddress[], T> result) {
            InetAddress literal = literal(host);
            if (literal != null) {
                promise.setSuccess(result.apply(new InetAddress[] {literal}));
                return;
            }
            if (timeoutMillis > 0) {
                // The lookup thread itself cannot be stopped; its late answer finds the promise done and is dropped.
                ScheduledFuture<?> timeout = executor().schedule(() -> {
                    promise.tryFailure(new ConnectTimeoutException(
                            "looking up " + host + " took over " + timeoutMillis + " ms"));
                }, timeoutMillis, TimeUnit.MILLISECONDS);
                promise.addListener(done -> timeout.cancel(false));
            }
            LOOKUPS.execute(() -> {
                if (promise.isDone()) {
                    return; // timed out while queued: a thread is better spent on a lookup someone still waits for
                }
                try {
                    promise.trySuccess(result.apply(lookup.addresses(host)));
                } catch (UnknownHostException | RuntimeException e) {
                    promise.tryFailure(e);
                }
            });
        }

        /** The address an IP literal names, or null; one with a zone ({@code fe80::1%eth0}) is the JDK's to parse. */
        private static InetAddress literal(String host) {
            if (host.indexOf('%') >= 0) {
                return null;
            }
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
            if (bytes == null) {
                return null;
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                return null; // only for a wrong length, which a parsed literal does not have
            }
        }
    }
}
