package dev.veer.proxy.server;

import dev.veer.proxy.http.FlatHttpHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The header rewrite the proxy does on every request ({@link UpstreamRequest#head}): the client's request head, as
 * the decoder leaves it, written upstream with the hop-by-hop fields left out and X-Forwarded-For/-Proto/-Host,
 * x-veer-version and x-veer-flags written by Veer. Lives in UpstreamRequest's package to reach it.
 *
 * <ul>
 *   <li>{@code browserHead}: a browser's seven fields, no hop-by-hop ones.</li>
 *   <li>{@code connectionNamedFields}: the same plus {@code Connection: keep-alive, X-Hop}, {@code X-Hop} and a
 *       client's own X-Forwarded-For, which Veer extends.</li>
 * </ul>
 * The head goes into a pooled buffer, released at once, as on the event loop. Expected 0 B/op.
 * Run with {@code -prof gc} (gc.alloc.rate.norm is B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class UpstreamRequestBenchmark {

    private static final AsciiString VERSION = AsciiString.cached("green");
    private static final AsciiString FLAGS = AsciiString.cached("new_checkout=on");
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final String clientIp = "10.20.30.40";
    private HttpRequest browser;
    private HttpRequest withHopByHop;

    @Setup
    public void setUp() {
        browser = request(browserHeaders());
        withHopByHop = request(browserHeaders()
                .add(HttpHeaderNames.CONNECTION, "keep-alive, X-Hop")
                .add(AsciiString.of("X-Hop"), "1")
                .add(AsciiString.of("X-Forwarded-For"), "192.0.2.7"));
    }

    private static HttpRequest request(HttpHeaders headers) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/products/4711?page=2", headers);
    }

    private static HttpHeaders browserHeaders() {
        return new FlatHttpHeaders()
                .add(HttpHeaderNames.HOST, "shop.example.com")
                .add(AsciiString.of("User-Agent"), "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0")
                .add(HttpHeaderNames.ACCEPT, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .add(AsciiString.of("Accept-Encoding"), "gzip, deflate, br")
                .add(AsciiString.of("Accept-Language"), "en-GB,en;q=0.9")
                .add(AsciiString.of("Cookie"), "session=8f2a9c0e1b7d; theme=dark")
                .add(AsciiString.of("X-Request-Id"), "0f6c2d4e-9a31-4b7e-8f2a-5c1d3e7b9a40");
    }

    private int write(HttpRequest request) {
        ByteBuf head = UpstreamRequest.head(alloc, request, request.headers().get(HttpHeaderNames.HOST), null,
                clientIp, false, VERSION, FLAGS, false, null);
        int bytes = head.readableBytes();
        head.release();
        return bytes;
    }

    @Benchmark
    public int browserHead() {
        return write(browser);
    }

    @Benchmark
    public int connectionNamedFields() {
        return write(withHopByHop);
    }
}
