package dev.veer.proxy.server;

import dev.veer.config.model.Transport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.ThreadFactory;

/**
 * The event loops' I/O machinery for a {@link Transport}: how they wait, and the channel types they serve.
 *
 * <p>Why epoll and not io_uring for {@code auto}: an io_uring loop queues its sends and receives and submits a
 * pass's worth in one system call where epoll makes one per socket, which measured 18.2 against 20.5 µs of CPU per
 * request at 50 connections on 2 cores (eight interleaved pairs of 10 s runs). But Netty builds an object for every
 * operation it queues, 290 B more per proxied request (657 against 368 B with wrk's headers, 1,137 with a
 * browser's, over the 1 KiB budget), and its io_uring transport could lose an explicit read under autoRead off
 * before 4.2.17 (netty#17049). So io_uring is there to be chosen; containers often forbid it anyway (Docker's default seccomp profile).
 */
public record EventLoopTransport(Transport kind, IoHandlerFactory ioHandler, Class<? extends ServerChannel> serverType,
                                 Class<? extends Channel> clientType) {

    /** The transport {@code wanted} names, for AUTO epoll or else NIO; {@link Unavailable} if it cannot run. */
    public static EventLoopTransport select(Transport wanted, int eventBatchMicros) {
        return switch (wanted) {
            case AUTO -> Epoll.isAvailable() ? epoll(eventBatchMicros) : nio(eventBatchMicros);
            case IO_URING -> {
                require(wanted, IoUring.unavailabilityCause());
                yield ioUring();
            }
            case EPOLL -> {
                require(wanted, Epoll.unavailabilityCause());
                yield epoll(eventBatchMicros);
            }
            case NIO -> nio(eventBatchMicros);
        };
    }

    private static EventLoopTransport ioUring() {
        return new EventLoopTransport(Transport.IO_URING, IoUringIoHandler.newFactory(),
                IoUringServerSocketChannel.class, IoUringSocketChannel.class);
    }

    private static EventLoopTransport epoll(int eventBatchMicros) {
        SelectStrategyFactory waiting = EventBatching.factory(eventBatchMicros);
        return new EventLoopTransport(Transport.EPOLL, EpollIoHandler.newFactory(0, waiting),
                EpollServerSocketChannel.class, EpollSocketChannel.class);
    }

    private static EventLoopTransport nio(int eventBatchMicros) {
        SelectStrategyFactory waiting = EventBatching.factory(eventBatchMicros);
        return new EventLoopTransport(Transport.NIO, NioIoHandler.newFactory(SelectorProvider.provider(), waiting),
                NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /**
     * {@code threads} event loops on this transport. A probe can pass where a loop per core cannot start (io_uring
     * rings count against the locked-memory limit), so a failure here is the transport's too.
     */
    public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        try {
            return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandler);
        } catch (IllegalStateException e) {
            throw unavailable(kind, e);
        }
    }

    private static void require(Transport wanted, Throwable unavailable) {
        if (unavailable != null) {
            throw unavailable(wanted, unavailable);
        }
    }

    private static Unavailable unavailable(Transport wanted, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return new Unavailable("proxy.transport " + wanted.configName() + " cannot run here: " + reason
                + " (expected: auto, or a transport this machine allows)", cause);
    }

    /** The configured transport cannot run on this machine. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
