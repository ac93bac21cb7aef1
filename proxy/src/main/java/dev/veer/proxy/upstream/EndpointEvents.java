package dev.veer.proxy.upstream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@link EndpointEvent}s to listeners, in order, on one dedicated thread: events are raised on event loops
 * (a failed response, a health probe), and a listener (the admin's audit log) may write to disk. The thread
 * exists only while events are pending.
 */
public final class EndpointEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EndpointEvents.class);

    private final List<Consumer<EndpointEvent>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery;

    public EndpointEvents() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "veer-endpoint-events");
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        this.delivery = executor;
    }

    public void listen(Consumer<EndpointEvent> listener) {
        listeners.add(listener);
    }

    /** Queues the event for the listeners; returns at once. */
    public void emit(Endpoint endpoint, EndpointEvent.Kind kind, String reason) {
        EndpointEvent event = new EndpointEvent(endpoint.service(), endpoint.version(), endpoint.address(), kind, reason);
        try {
            delivery.execute(() -> deliver(event));
        } catch (RejectedExecutionException closed) {
            // Shutting down: nobody is left to tell.
        }
    }

    private void deliver(EndpointEvent event) {
        // A new endpoint out of rotation until its first check is routine (every version PUT: 374 of 660 WARN lines
        // in a 47-minute soak), so it is INFO and the endpoints that fail stand out.
        boolean trouble = event.kind() == EndpointEvent.Kind.EJECTED || (event.kind() == EndpointEvent.Kind.UNHEALTHY
                && !event.reason().equals(Endpoint.AWAITING_FIRST_CHECK));
        if (trouble) {
            log.warn("endpoint {}/{} {} {}: {}", event.service(), event.version(), event.endpoint(), event.kind(),
                    event.reason());
        } else {
            log.info("endpoint {}/{} {} {}: {}", event.service(), event.version(), event.endpoint(), event.kind(),
                    event.reason());
        }
        for (Consumer<EndpointEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                log.warn("endpoint event listener failed", e);
            }
        }
    }

    @Override
    public void close() {
        delivery.shutdown();
    }
}
