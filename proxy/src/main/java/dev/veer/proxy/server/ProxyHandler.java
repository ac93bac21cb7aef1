package dev.veer.proxy.server;

import dev.veer.config.model.HostHeaderSyntax;
import dev.veer.config.model.PathNormalizer;
import dev.veer.proxy.accesslog.AccessLog;
import dev.veer.proxy.accesslog.AccessLogEntry;
import dev.veer.proxy.http.AbsoluteTarget;
import dev.veer.proxy.http.ChunkWriter;
import dev.veer.proxy.http.FlatHttpHeaders;
import dev.veer.proxy.http.HeadBytes;
import dev.veer.proxy.http.ResponseHead;
import dev.veer.proxy.route.RouteDecision;
import dev.veer.proxy.route.RoutingTable;
import dev.veer.proxy.route.ServiceRoute;
import dev.veer.proxy.route.VersionRoute;
import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.upstream.ConnectionWaiter;
import dev.veer.proxy.upstream.Endpoint;
import dev.veer.proxy.upstream.EndpointGroup;
import dev.veer.proxy.upstream.ReplayableBody;
import dev.veer.proxy.upstream.UpstreamConnection;
import dev.veer.proxy.upstream.UpstreamListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;

/**
 * The downstream end of one client connection: routes each request, relays it to a pooled upstream connection on
 * the same event loop and relays the response back, streaming both bodies part by part.
 *
 * <p>One request at a time, answered in order: parts of later (pipelined) requests that arrive while one is being
 * served wait in {@link #queued}, and reading stops until they are dispatched. Reading is otherwise left on
 * (autoRead), also while a response is awaited: a client that waits for its answer sends nothing meanwhile, and
 * turning reads off and on per request costs two epoll_ctl calls per request. Request-body backpressure: reading
 * stops while the upstream is connecting or not writable. Response-body backpressure: the upstream's autoRead is
 * off while this channel is not writable.
 *
 * <p>A client that shuts down its sending side (FIN) after a whole request still gets the answer, and then the
 * connection closes, as HAProxy does by default (nginx and Envoy give the request up). Scripts do it ({@code nc -N},
 * a socket's {@code shutdown(SHUT_WR)}), and a proxy cannot tell that FIN from a full close until a write fails,
 * which the response's first write shows. A FIN before the request is whole, or on an idle connection, closes at once.
 * On epoll the FIN closes the connection before this handler sees it (half-closure is off there, see ProxyServer).
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter implements UpstreamListener, ConnectionWaiter {

    private static final byte[] CONNECTION_CLOSE = HeadBytes.ascii("connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = HeadBytes.ascii("connection: keep-alive\r\n");
    private static final byte[] SET_COOKIE = HeadBytes.ascii("set-cookie: ");
    private static final AsciiString H2C = AsciiString.cached("h2c");
    /** Bodies up to this size are copied behind their head rather than written as a buffer of their own. */
    private static final int HEAD_AND_BODY_BYTES = 1024;
    /**
     * nginx's "client closed request": the status of an exchange whose client left before any answer, counted as a
     * 4xx of the version with the time it waited.
     */
    private static final int CLIENT_CLOSED_REQUEST = 499;

    private final ServerContext server;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    /** Request trailer fields passed on at most: the head's field limit. */
    private final int maxTrailers;
    private final RouteDecision decision = new RouteDecision();
    private final ArrayDeque<Object> queued = new ArrayDeque<>(4);
    private final ArrayDeque<HttpContent> pendingBody = new ArrayDeque<>(4);
    private final ReplayableBody sentBody = new ReplayableBody();
    private final Runnable responseTimeoutTask = this::onResponseTimer;
    private final Runnable idleTask = this::onIdleTimer;
    private final Consumer<HttpContent> replayWriter = this::writeReplayed;

    private ChannelHandlerContext ctx;
    private String clientIp;
    private final boolean secure;
    /** For flag targeting on the client address; null for a non-IP transport. */
    private java.net.InetAddress clientAddress;
    private boolean closing;
    /** The client sent FIN: nothing more will be read (see the class comment). */
    private boolean inputShutdown;
    private boolean inReadCycle;
    private boolean draining;
    private long lastActivityNanos;
    private ScheduledFuture<?> idleTimer;
    private boolean drainingQueue;
    /** This channel's autoRead, as last set here. */
    private boolean reading;

    // The current exchange.
    private boolean active;
    private HttpRequest request;
    /** The request target as the client sent it, before an absolute-form target is rewritten (access log). */
    private String receivedTarget;
    /** The head the access log describes: the request's, or a refused one's that was read whole. */
    private HttpRequest loggedHead;
    private VersionRoute version;
    private long startNanos;
    private boolean keepAlive;
    private boolean requestChunked;
    private boolean http10;
    private boolean isHead;
    /** The protocol the request asks to switch to (its Upgrade field), or null. */
    private CharSequence upgrade;
    /** The upstream switched protocols (101): bytes are relayed both ways as they come until either side closes. */
    private boolean tunnel;
    private boolean requestReceived;
    private boolean requestSent;
    private boolean connecting;
    private Endpoint endpoint;
    private int retries;
    /** The last connect failed by taking too long: answered 504 (an upstream timeout), not 502, if not retried. */
    private boolean connectTimedOut;
    private boolean staleReplayed;
    /**
     * The upstream answered 408 on a reused connection (see onResponseHead): the answer is read to its end and dropped,
     * then the request goes again as after a stale connection's close.
     */
    private boolean droppingTimeoutAnswer;
    private boolean upstreamReused;
    private UpstreamConnection upstream;
    private boolean upstreamDirty;
    private boolean responseStarted;
    /**
     * The final response head, held back until its first body part or the end of the upstream read: if that first
     * part fails to decode, no byte has reached the client and a 502 can still take the head's place.
     */
    private ByteBuf heldHead;
    /** An interim (1xx) response reached the client: the request can no longer be sent again elsewhere. */
    private boolean interimForwarded;
    /** The upstream delimits the body by closing; the client gets it as chunks. */
    private boolean frameChunks;
    private boolean closeAfterResponse;
    /** The connection closes after a response while the client may still be sending its body: see LingeringClose. */
    private boolean lingerOnClose;
    private int status;
    /** Response body bytes relayed from the upstream, for the access log. */
    private long bodyBytes;
    /** The upstream failure the client saw (a 502/504 or a cut response), or null. */
    private FailureReason failure;
    private long lastUpstreamNanos;
    /** Bytes queued for the client while it was not writable, at the last look (onResponseTimer): its progress. */
    private long unsentAtLastCheck;
    private ScheduledFuture<?> responseTimer;

    /** @param secure the client connected over TLS (X-Forwarded-Proto: https) */
    ProxyHandler(ServerContext server, boolean secure) {
        this.server = server;
        this.secure = secure;
        this.responseTimeoutNanos = server.limits().responseTimeout().toNanos();
        this.idleTimeoutNanos = server.limits().idleTimeout().toNanos();
        this.maxTrailers = server.limits().maxHeaderCount();
    }

    // ---------------------------------------------------------------- downstream events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!server.openConnection()) {
            closing = true;
            ctx.close();
            return;
        }
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        clientAddress = remote == null ? null : remote.getAddress();
        clientIp = clientAddress == null ? "unknown" : clientAddress.getHostAddress();
        lastActivityNanos = System.nanoTime();
        idleTimer = ctx.executor().schedule(idleTask, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        setReading(true);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inReadCycle = true;
        lastActivityNanos = System.nanoTime();
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (tunnel) {
            relayToUpstream(msg);
        } else if (!queued.isEmpty()) {
            queued.add(msg);
        } else {
            dispatch(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadCycle = false;
        flushUpstream();
        requestMoreIfWanted();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (upstream != null) {
            upstream.channel().config().setAutoRead(writable);
        }
        // Also while the connection's last response is flushed (closeAfterFlush), which the same timer watches.
        if (writable) {
            // The client drained what was queued for it: a slow reader makes progress, and the response timer
            // counts from here (only one that stops reading is cut, see onResponseTimer).
            lastUpstreamNanos = System.nanoTime();
        } else {
            // Not yet looked at: writes of the same read may still add to the queue. The first look records it.
            unsentAtLastCheck = Long.MAX_VALUE;
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
        if (active) {
            countClientLeft();
            abandon();
        }
        // Left pending between exchanges (see attach), it would hold this handler and its channel in the event
        // loop's timer queue for up to responseTimeout after the close: a minute of every short-lived connection.
        cancelResponseTimer();
        closing = true;
        releaseQueued();
        if (clientIp != null) {
            server.closeConnection();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            closeIfNothingLeftToAnswer();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** After the client's FIN: closes unless a whole request is being answered (then {@link #completeExchange}). */
    private void closeIfNothingLeftToAnswer() {
        if (!inputShutdown || closing) {
            return;
        }
        if (!active) {
            closeAfterFlush(); // the last response may still be on its way out
        } else if (tunnel || !requestReceived) {
            // A tunnel the client can no longer send on, or a request it can no longer finish: given up, as on a
            // full close.
            closeNow();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the client or a codec failure: nothing sensible can be answered any more.
        if (active && cause instanceof IOException) {
            countClientLeft();
        }
        closeNow();
    }

    /**
     * The client left (closed or reset) while waiting for the answer to a whole request: counted as a 499 of the
     * version, with the time waited. Not counting it let a version whose requests hang until clients give up look
     * healthy to the analyzer and the metrics; the time is a lower bound of the version's own, so an impatient client
     * cannot make a healthy version look slower than it is. Not counted: a client that leaves mid-request (its
     * upload time is its own, as a stalled client's is, see onResponseTimer), exchanges Veer's own shutdown cuts,
     * and a response under way (the client has its status).
     */
    private void countClientLeft() {
        if (requestReceived && !responseStarted && !tunnel && !draining && !server.draining()) {
            status = CLIENT_CLOSED_REQUEST;
            recordStats();
        }
    }

    /** Draining: finish the current exchange, then close instead of waiting for another request. */
    void drain() {
        draining = true;
        if (!active && !closing) {
            closeNow();
        }
    }

    /**
     * The drain time ran out: an exchange still running is cut with a reset rather than a FIN, as one whose upstream
     * failed mid-response is (upstreamFailed). Closed with a FIN, a response delimited by the close (an HTTP/1.0
     * client's) ended cleanly and looked whole at half its length. A connection between exchanges just closes.
     */
    void cut() {
        if (active || tunnel) {
            resetNow();
        } else {
            closeNow();
        }
    }

    // ---------------------------------------------------------------- request side

    private void dispatch(Object msg) {
        if (!active) {
            if (msg instanceof HttpRequest) {
                startExchange((HttpRequest) msg);
            } else if (msg instanceof RejectedRequest) {
                RejectedRequest rejected = (RejectedRequest) msg;
                beginExchange(null);
                loggedHead = rejected.head();
                receivedTarget = loggedHead == null ? null : loggedHead.uri();
                if (rejected.startedNanos() != 0) {
                    startNanos = rejected.startedNanos();
                }
                requestReceived = true;
                if (rejected.silent()) {
                    respondErrorUncounted(rejected.status(), rejected.reason());
                    return;
                }
                respondError(rejected.status(), rejected.reason());
            } else {
                ReferenceCountUtil.release(msg);
            }
        } else if (!requestReceived) {
            onRequestPart(msg);
        } else {
            queued.add(msg);
        }
    }

    private void beginExchange(HttpRequest req) {
        active = true;
        request = req;
        loggedHead = req;
        receivedTarget = req == null ? null : req.uri();
        version = null;
        startNanos = System.nanoTime();
        requestReceived = false;
        requestSent = false;
        connecting = false;
        endpoint = null;
        retries = 0;
        connectTimedOut = false;
        staleReplayed = false;
        droppingTimeoutAnswer = false;
        sentBody.reset(req != null && ReplayableBody.replayable(req));
        upstreamReused = false;
        responseStarted = false;
        interimForwarded = false;
        closeAfterResponse = draining || server.draining();
        status = 0;
        bodyBytes = 0;
        failure = null;
        keepAlive = req != null && MessageFraming.isKeepAlive(req);
        requestChunked = req != null && MessageFraming.isChunked(req);
        http10 = req != null && req.protocolVersion().minorVersion() == 0;
        isHead = req != null && HttpMethod.HEAD.equals(req.method());
        upgrade = req == null || http10 || isHead ? null : upgradeAsked(req);
        decision.reset();
    }

    private void startExchange(HttpRequest req) {
        beginExchange(req);
        if (!server.enterRequest()) {
            server.refused().record(HttpResponseStatus.SERVICE_UNAVAILABLE.code());
            respondErrorUncounted(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many requests in flight");
            return;
        }
        HttpMethod method = req.method();
        if (HttpMethod.CONNECT.equals(method) || HttpMethod.TRACE.equals(method)) {
            // Not a tunnel, and TRACE would echo cookies and credentials back (cross-site tracing), as nginx refuses.
            respondError(HttpResponseStatus.NOT_IMPLEMENTED, method.name() + " is not supported");
            return;
        }
        HttpHeaders headers = req.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        if (host != null && !HostHeaderSyntax.valid(host)) {
            // Checked as sent, also when an absolute-form target's authority is to replace it (RFC 9112 §3.2).
            respondError(HttpResponseStatus.BAD_REQUEST, "malformed Host header");
            return;
        }
        String uri = req.uri();
        String routedPath = uri;
        if (uri.indexOf('#') >= 0) {
            // A fragment is the client's own (RFC 9112 §3.2): never part of a request target.
            respondError(HttpResponseStatus.BAD_REQUEST, "malformed request target");
            return;
        }
        if (uri.charAt(0) != '/') {
            if (uri.equals("*") && HttpMethod.OPTIONS.equals(method)) {
                routedPath = "/"; // asks about the server as a whole: routed as its root, forwarded as it is
            } else {
                routedPath = toOriginForm(req);
                if (routedPath == null) {
                    respondError(HttpResponseStatus.BAD_REQUEST, "malformed request target");
                    return;
                }
                host = headers.get(HttpHeaderNames.HOST);
                if (host != null && !HostHeaderSyntax.valid(host)) {
                    respondError(HttpResponseStatus.BAD_REQUEST, "malformed request target");
                    return;
                }
            }
        }
        // Routed and forwarded alike: a backend that normalises must serve the path the route was chosen for. The
        // asterisk form has no path to normalise.
        if (server.normalizePath() && req.uri().charAt(0) == '/') {
            String normal = PathNormalizer.normalize(routedPath);
            if (normal == null) {
                respondError(HttpResponseStatus.BAD_REQUEST, "malformed request target");
                return;
            }
            if (normal != routedPath) {
                req.setUri(normal);
                routedPath = normal;
            }
        }
        RoutingTable table = server.table();
        ServiceRoute service = table.match(host, routedPath);
        if (service == null) {
            respondError(HttpResponseStatus.NOT_FOUND, "no service matches this request");
            return;
        }
        table.evaluateFlags(headers, clientAddress, decision);
        service.choose(headers, decision);
        version = decision.version();
        endpoint = decision.endpoint();
        if (endpoint == null) {
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy endpoint");
            return;
        }
        endpoint.group().retryBudget().onRequest();
        obtainConnection(endpoint, false);
    }

    /**
     * The protocol {@code req} asks to switch to (RFC 9110 §7.8: an Upgrade field that Connection names), or null.
     * Only a request without a body can switch, as a WebSocket handshake is; h2c is not passed on, so the upstream
     * keeps speaking HTTP/1.1 to Veer.
     */
    private CharSequence upgradeAsked(HttpRequest req) {
        FlatHttpHeaders headers = (FlatHttpHeaders) req.headers();
        CharSequence protocols = headers.get(HttpHeaderNames.UPGRADE);
        if (protocols == null || requestChunked || HttpUtil.getContentLength(req, 0L) != 0
                || !UpstreamRequest.namedInConnection(headers, HttpHeaderNames.UPGRADE)
                || UpstreamRequest.listsToken(protocols, H2C)) {
            return null;
        }
        return protocols;
    }

    /**
     * Absolute-form target ("http://host/path"): the authority replaces Host and the path becomes the target; the
     * path to route on is returned. Null for any other form that is not origin-form, and for an authority that is empty or carries userinfo
     * (RFC 9110 §4.2.4: a recipient treats it as an error).
     */
    private static String toOriginForm(HttpRequest req) {
        AbsoluteTarget target = AbsoluteTarget.parse(req.uri());
        if (target == null) {
            return null;
        }
        // RFC 9112 §3.2.4: an OPTIONS of a server as a whole (no path, no query) goes on in asterisk form, routed
        // as its root, as "OPTIONS *" is.
        boolean pathless = target.originForm().equals("/") && !req.uri().endsWith("/");
        req.headers().set(HttpHeaderNames.HOST, target.authority());
        req.setUri(pathless && req.method() == HttpMethod.OPTIONS ? "*" : target.originForm());
        return target.originForm();
    }

    /**
     * Gets the exchange a connection to {@code target}: an idle pooled one at once, else a new or released one in
     * {@link #onConnection} (or {@link #onConnectFailure}). {@code fresh}: not an idle one.
     */
    private void obtainConnection(Endpoint target, boolean fresh) {
        endpoint = target;
        connecting = true;
        UpstreamConnection pooled = server.pools().acquire(ctx.channel().eventLoop(), target, this, fresh);
        if (pooled != null) {
            connecting = false;
            attach(pooled);
        }
    }

    @Override
    public boolean awaits(Endpoint target) {
        return active && connecting && upstream == null && endpoint == target;
    }

    @Override
    public void onConnection(UpstreamConnection connection) {
        connecting = false;
        attach(connection);
    }

    @Override
    public void onConnectFailure(boolean own, boolean timedOut) {
        connecting = false;
        connectTimedOut = timedOut;
        upstreamFailed(FailureReason.CONNECT, own);
    }

    private void attach(UpstreamConnection connection) {
        upstream = connection;
        upstreamReused = connection.isReused();
        connection.attach(this, isHead, http10, upgrade != null);
        connection.channel().config().setAutoRead(ctx.channel().isWritable());
        Channel ch = connection.channel();
        String host = request.headers().get(HttpHeaderNames.HOST);
        ch.write(UpstreamRequest.head(ch.alloc(), request, host, host == null ? endpoint.address().toString() : null,
                clientIp, secure, version.headerValue(), decision.flagsHeader(), requestChunked, upgrade),
                ch.voidPromise());
        // A retry: what the failed attempt wrote of the body goes again first.
        sentBody.replay(requestSent, replayWriter);
        upstreamDirty = true;
        HttpContent part;
        while ((part = pendingBody.poll()) != null) {
            writeBody(part);
        }
        lastUpstreamNanos = System.nanoTime();
        if (responseTimer == null) {
            // A timer left pending by an earlier exchange moves itself to this one's deadline when it runs.
            responseTimer = ctx.executor().schedule(responseTimeoutTask, responseTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        if (!inReadCycle) {
            // Outside a read batch nobody else will flush: the connect completed on its own.
            flushUpstream();
            requestMoreIfWanted();
        }
    }

    private void onRequestPart(Object msg) {
        if (msg instanceof RejectedRequest) {
            RejectedRequest rejected = (RejectedRequest) msg;
            // The request turned bad mid-body: whatever was written upstream but not flushed is discarded. The
            // client's fault, so no version is charged.
            dropUpstream();
            requestReceived = true;
            version = null;
            respondError(rejected.status(), rejected.reason());
            return;
        }
        if (!(msg instanceof HttpContent)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        HttpContent part = (HttpContent) msg;
        if (part instanceof LastHttpContent) {
            requestReceived = true;
        }
        if (upstream != null) {
            writeBody(part);
        } else if (connecting) {
            pendingBody.add(part);
        } else {
            // Already answered by the proxy (404, 503...): the rest of the body is not wanted.
            part.release();
        }
    }

    private void writeReplayed(HttpContent part) {
        UpstreamRequest.writeBody(upstream.channel(), part, requestChunked, (FlatHttpHeaders) request.headers(),
                maxTrailers);
    }

    private void writeBody(HttpContent part) {
        Channel ch = upstream.channel();
        if (part instanceof LastHttpContent) {
            requestSent = true;
        }
        sentBody.written(part);
        UpstreamRequest.writeBody(ch, part, requestChunked, (FlatHttpHeaders) request.headers(), maxTrailers);
        upstreamDirty = true;
        lastUpstreamNanos = System.nanoTime();
    }

    private void flushUpstream() {
        if (upstreamDirty && upstream != null) {
            upstreamDirty = false;
            upstream.channel().flush();
        }
    }

    private void requestMoreIfWanted() {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        if (tunnel) {
            setReading(upstream != null && upstream.channel().isWritable());
            return;
        }
        if (!active) {
            if (draining) {
                closeNow();
                return;
            }
            setReading(true);
        } else if (!requestReceived) {
            setReading(upstream != null && upstream.channel().isWritable());
        } else if (!queued.isEmpty()) {
            setReading(false);
        }
        // Otherwise the response is awaited with nothing queued: reading stays as it is (see the class comment).
    }

    private void setReading(boolean on) {
        if (reading != on) {
            reading = on;
            ctx.channel().config().setAutoRead(on);
        }
    }

    // ---------------------------------------------------------------- response side (upstream events)

    @Override
    public void onResponseHead(ResponseHead head) {
        lastUpstreamNanos = System.nanoTime();
        if (head.interim()) {
            if (head.status() == 101) {
                startTunnel(head);
                return;
            }
            if (!http10) {
                interimForwarded = true;
                HeadBytes out = HeadBytes.start();
                head.writeEndToEnd(out, true);
                ctx.write(out.crlf().toBuffer(ctx.alloc(), 0), ctx.voidPromise());
            }
            return;
        }
        if (head.status() == 408 && staleConnection(FailureReason.RESET)) {
            // A server that times an idle keep-alive connection out may say so with a 408 (it got no complete
            // request, RFC 9110 §15.5.9) just as this request went out on it: nothing was processed, so this is the
            // stale connection of upstreamFailed, not an answer for the client.
            droppingTimeoutAnswer = true;
            return;
        }
        responseStarted = true;
        status = head.status();
        if (status >= 500) {
            // A failed exchange for outlier detection at once, whether or not the client stays for its body.
            endpoint.recordResponse(status);
        }
        boolean chunkedOut = false;
        frameChunks = false;
        ResponseHead.Framing framing = head.framing();
        if (framing == ResponseHead.Framing.CHUNKED || framing == ResponseHead.Framing.UNTIL_CLOSE) {
            if (http10) {
                // An HTTP/1.0 client reads a body without a length up to the close (chunk data only, see attach).
                closeAfterResponse = true;
            } else {
                chunkedOut = true;
                // Chunked bodies go on in their chunks (size lines bare, see ChunkSizeLineFilter); one delimited by
                // the upstream's close is chunked here.
                frameChunks = framing == ResponseHead.Framing.UNTIL_CLOSE;
            }
        }
        if (!requestReceived) {
            // The client is still sending a body this exchange will not read: close when done, lingering as after a
            // 413 of Veer's own, so that what it still sends does not reset the connection (see LingeringClose).
            closeAfterResponse = true;
            lingerOnClose = bodyMayFollow();
        }
        boolean keep = mayKeepAlive();
        closeAfterResponse = !keep;
        String setCookie = decision.setCookie();
        HeadBytes out = HeadBytes.start();
        // An HTTP/1.0 client reads no chunks, so gets no trailer section or Transfer-Encoding either (see attach).
        head.writeEndToEnd(out, !http10);
        if (chunkedOut) {
            out.write(ChunkWriter.TRANSFER_ENCODING_CHUNKED);
        }
        if (!keep) {
            out.write(CONNECTION_CLOSE);
        } else if (http10) {
            out.write(CONNECTION_KEEP_ALIVE);
        }
        if (setCookie != null) {
            out.write(SET_COOKIE).writeText(setCookie).crlf();
        }
        // Room for a small body to follow in the same buffer (see onResponseBody).
        heldHead = out.crlf().toBuffer(ctx.alloc(), HEAD_AND_BODY_BYTES);
        if (!ctx.channel().isWritable() && upstream != null) {
            upstream.channel().config().setAutoRead(false);
        }
    }

    /**
     * A 101: relays it and turns both connections into one tunnel (WebSocket), as HAProxy and Envoy do. The handshake
     * ends no HTTP exchange, so it is in no request count or latency (VersionStats skips 1xx). The tunnel stays
     * active, holding its upstream connection, until either side closes or it idles past the idle timeout.
     */
    private void startTunnel(ResponseHead head) {
        HeadBytes out = HeadBytes.start();
        head.writeEndToEnd(out, true);
        if (upgrade == null || !head.writeUpgrade(out)) {
            // Not asked for, or naming no protocol (RFC 9110 §15.2.2): the upstream's fault.
            failUpstream(FailureReason.PROTOCOL);
            return;
        }
        if (!queued.isEmpty()) {
            // The client sent more before the switch, read as HTTP, which cannot be relayed as it came: its fault,
            // so the connections are cut and nobody is counted.
            closeNow();
            return;
        }
        String setCookie = decision.setCookie();
        if (setCookie != null) {
            out.write(SET_COOKIE).writeText(setCookie).crlf();
        }
        tunnel = true;
        responseStarted = true;
        closeAfterResponse = true;
        frameChunks = false;
        status = 101;
        endpoint.recordResponse(status);
        recordStats();
        cancelResponseTimer();
        server.exitRequest();
        logExchange(true); // the handshake; the tunnel after it is no exchange
        request = null;
        ctx.write(out.crlf().toBuffer(ctx.alloc(), 0), ctx.voidPromise());
        // Whatever the client sent after its request head, and all it sends from now on, reaches relayToUpstream.
        ProxyChannelInitializer.toTunnel(ctx.pipeline());
        if (inputShutdown) {
            // The client sent FIN before the switch: a tunnel it can no longer send on is closed, as at a FIN later.
            ctx.flush();
            closeIfNothingLeftToAnswer();
            return;
        }
        requestMoreIfWanted();
    }

    private void relayToUpstream(Object msg) {
        if (upstream == null || !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        upstream.channel().write(msg, upstream.channel().voidPromise());
        upstreamDirty = true;
    }

    @Override
    public void onResponseBody(ByteBuf part, boolean last) {
        if (droppingTimeoutAnswer) {
            part.release();
            if (last) {
                droppingTimeoutAnswer = false;
                dropUpstream();
                upstreamFailed(FailureReason.RESET, true);
            }
            return;
        }
        lastUpstreamNanos = System.nanoTime();
        if (tunnel) {
            lastActivityNanos = lastUpstreamNanos;
        }
        bodyBytes += part.readableBytes();
        if (heldHead != null && !frameChunks && part.readableBytes() <= HEAD_AND_BODY_BYTES) {
            // A small body that came with its head leaves in the same buffer: one write, one outbound entry.
            heldHead.writeBytes(part);
            part.release();
            writeHeldHead();
        } else {
            writeHeldHead();
            writeBodyPart(part, last);
        }
        if (last) {
            if (!tunnel && status < 500) {
                // A success for outlier detection once whole: a 200 head cut mid-body is a failed exchange (counted
                // in upstreamFailed), and clearing the endpoint's count at its head would hide a run of them.
                endpoint.recordResponse(status);
            }
            completeExchange();
        } else if (!ctx.channel().isWritable() && upstream != null) {
            upstream.channel().config().setAutoRead(false);
        }
    }

    private void writeBodyPart(ByteBuf part, boolean lastPart) {
        if (frameChunks) {
            writeAsChunk(part, lastPart);
        } else if (part.isReadable()) {
            ctx.write(part, ctx.voidPromise());
        } else {
            part.release();
        }
    }

    /** One part of a body the upstream delimited by closing, as a chunk; the last chunk after the last part. */
    private void writeAsChunk(ByteBuf part, boolean last) {
        ChunkWriter.chunk(ctx, ctx.alloc(), part);
        if (last) {
            ctx.write(ChunkWriter.end(ctx.alloc()), ctx.voidPromise());
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        writeHeldHead();
        ctx.flush();
    }

    private void writeHeldHead() {
        if (heldHead != null) {
            ctx.write(heldHead, ctx.voidPromise());
            heldHead = null;
        }
    }

    /** Forgets a head that never reached the client, so the exchange can still be answered by the proxy. */
    private void discardHeldHead() {
        if (heldHead != null) {
            heldHead.release();
            heldHead = null;
            responseStarted = false;
        }
    }

    @Override
    public void onUpstreamWritable() {
        requestMoreIfWanted();
    }

    @Override
    public void onUpstreamFailure(FailureReason reason) {
        upstreamFailed(reason, true);
    }

    /** {@code countAgainstEndpoint}: false when the failure was another exchange's connect, already counted. */
    private void upstreamFailed(FailureReason reason, boolean countAgainstEndpoint) {
        upstream = null;
        droppingTimeoutAnswer = false;
        if (staleConnection(reason)) {
            // A pooled keep-alive connection the upstream closed under us before answering: most likely closed idle
            // as the request arrived, so not processed. Only a replayable request is sent again (were it processed
            // after all, a second time does no harm), once, on a fresh connection, free of the retry budget and
            // not counted; a POST or PATCH without an idempotency key gets its 502.
            staleReplayed = true;
            cancelResponseTimer();
            obtainConnection(endpoint, true);
            return;
        }
        if (endpoint != null && active && countAgainstEndpoint && !(responseStarted && status >= 500)) {
            // (A 5xx cut mid-body was counted as a failure at its head already.)
            endpoint.recordFailure(reason);
        }
        Endpoint next = retryTarget(reason);
        if (next != null) {
            // A retry the client never sees: counted apart from the failures it did see.
            retries++;
            version.stats().retry(reason);
            cancelResponseTimer();
            obtainConnection(next, false);
            return;
        }
        if (version != null) {
            version.stats().failure(reason);
        }
        failure = reason;
        // Retries are decided above with the head still counted as started: the upstream did answer.
        discardHeldHead();
        if (!responseStarted) {
            if (reason == FailureReason.CONNECT && connectTimedOut) {
                respondError(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream connection timed out");
                return;
            }
            respondError(reason == FailureReason.TIMEOUT ? HttpResponseStatus.GATEWAY_TIMEOUT
                    : HttpResponseStatus.BAD_GATEWAY, failureMessage(reason));
        } else {
            // Mid-response: the client has a status already; all that is left is to cut the connection, with a
            // reset rather than a FIN, as Envoy does: a body delimited by the close (an HTTP/1.0 client's) would
            // otherwise look complete.
            recordStats(502); // a 5xx of the version; the client has the upstream's status, and the log says so
            resetNow();
        }
    }

    private boolean mayResend() {
        return !responseStarted && !interimForwarded && active && version != null && endpoint != null;
    }

    private boolean staleConnection(FailureReason reason) {
        return reason == FailureReason.RESET && upstreamReused && !staleReplayed && mayResend()
                && sentBody.isComplete();
    }

    /**
     * The endpoint to retry a failed attempt on, or null. Retried, within the version's attempts and retry budget:
     * a failed connect (nothing was sent), and a reset before the response of an idempotent request whose whole
     * body was sent and is still held. Another usable endpoint of the version if there is one, else the same for a
     * failed connect.
     */
    private Endpoint retryTarget(FailureReason reason) {
        if (!mayResend()) {
            return null;
        }
        if (reason != FailureReason.CONNECT
                && !(reason == FailureReason.RESET && requestSent && sentBody.isComplete())) {
            return null;
        }
        EndpointGroup group = endpoint.group();
        if (retries >= group.retry().attempts()) {
            return null;
        }
        Endpoint other = group.pickOther(endpoint);
        // A refused connect may be passing; a request the endpoint took and then dropped is not sent to it again
        // (it may be what brings it down), only to another one, as nginx's proxy_next_upstream does.
        Endpoint target = other != null ? other : reason == FailureReason.CONNECT ? endpoint : null;
        return target != null && group.retryBudget().tryAcquire() ? target : null;
    }

    private static String failureMessage(FailureReason reason) {
        switch (reason) {
            case CONNECT:
                return "upstream connection failed";
            case TIMEOUT:
                return "upstream did not respond in time";
            case RESET:
                return "upstream closed the connection";
            default:
                return "upstream sent an invalid response";
        }
    }

    private void failUpstream(FailureReason reason) {
        dropUpstream();
        onUpstreamFailure(reason);
    }

    private void onResponseTimer() {
        responseTimer = null;
        if (!closing && (!active || upstream == null || tunnel)) {
            // Between exchanges, or connecting (which has its own timeout): attach schedules afresh.
            return;
        }
        long now = System.nanoTime();
        long idle = now - lastUpstreamNanos;
        if (idle < responseTimeoutNanos) {
            responseTimer = ctx.executor().schedule(responseTimeoutTask, responseTimeoutNanos - idle, TimeUnit.NANOSECONDS);
            return;
        }
        if (closing) {
            // The connection's last response is still being flushed (closeAfterFlush): only the client holds it up.
            lookAtReader(now);
            return;
        }
        // Whose stall is it? A version is only blamed for its own: a stalled client must not roll a canary back. A
        // client that asked for a 100 Continue may wait for it (RFC 9110 §10.1.1): until the upstream sent one, the
        // silence is the upstream's.
        boolean awaitingContinue = !interimForwarded && HttpUtil.is100ContinueExpected(request);
        if (!requestReceived && !awaitingContinue && upstream.channel().isWritable()
                && now - lastActivityNanos >= responseTimeoutNanos) {
            // The client stopped sending its body, and the upstream is waiting for it (nginx's client_body_timeout).
            // Not when the upstream stopped reading it: then client reads are off, and the stall is the upstream's.
            cancelResponseTimer();
            dropUpstream();
            version = null; // charged to no version: a stalled client must not fail a canary on latency either
            respondError(HttpResponseStatus.REQUEST_TIMEOUT, "request body not received in time");
            return;
        }
        if (!ctx.channel().isWritable()) {
            lookAtReader(now);
            return;
        }
        failUpstream(FailureReason.TIMEOUT);
    }

    /**
     * A look at a client that has not taken what is queued for it for a timeout. A slow reader that drained some since
     * the last look is looked at again a timeout later; one that read nothing between two looks a timeout apart
     * (nginx's send_timeout) is cut, counted against nobody. With a reset, as the drain's cut is: closed with a FIN,
     * the kernel went on sending what it held (MiBs on a fast link) to a client that may come back to read it and, for
     * a body delimited by the close (an HTTP/1.0 client's), take the cut response for a whole one.
     */
    private void lookAtReader(long now) {
        long unsent = ctx.channel().bytesBeforeWritable();
        if (unsent < unsentAtLastCheck || kernelSentWithinTimeout()) {
            unsentAtLastCheck = unsent;
            lastUpstreamNanos = now;
            responseTimer = ctx.executor().schedule(responseTimeoutTask, responseTimeoutNanos, TimeUnit.NANOSECONDS);
            return;
        }
        resetNow();
    }

    /**
     * Whether the kernel sent the client data within the last timeout (epoll only; false elsewhere). The queue here
     * moves only when the kernel frees a third of its send buffer (tcp_wmem's max, 4 MiB by default, on loopback at
     * once): 6.7 s for a client reading 200 KB/s, which with a 1 s timeout was cut two seconds in though it never
     * stopped. The kernel sends as soon as the client reads, and nothing to one that stopped (a zero-window probe
     * carries no data). Retransmissions do not count: to a client that is gone they go on for minutes.
     */
    private boolean kernelSentWithinTimeout() {
        if (!(ctx.channel() instanceof EpollSocketChannel epoll)) {
            return false;
        }
        EpollTcpInfo info = epoll.tcpInfo();
        return info.retransmits() == 0 && info.lastDataSent() < TimeUnit.NANOSECONDS.toMillis(responseTimeoutNanos);
    }

    // ---------------------------------------------------------------- completion

    /**
     * Answers the current exchange with a proxy-made response, counted as the routed version's response, or as a
     * refused request when no version is charged with it.
     */
    private void respondError(HttpResponseStatus errorStatus, String message) {
        if (responseStarted) {
            closeNow();
            return;
        }
        dropPendingBody();
        if ((!requestReceived && bodyMayFollow()) || ErrorResponses.closesConnection(errorStatus)) {
            closeAfterResponse = true;
            lingerOnClose = true;
        }
        boolean close = !mayKeepAlive();
        closeAfterResponse = close;
        responseStarted = true;
        status = errorStatus.code();
        if (version == null) {
            server.refused().record(status);
        }
        ctx.write(ErrorResponses.create(ctx.alloc(), errorStatus, message, close, http10 && keepAlive, isHead),
                ctx.voidPromise());
        completeExchange();
    }

    /**
     * True when the client may still be sending a body this exchange will not read. A request without one (no
     * Content-Length above 0, not chunked) has only the decoder's empty end left, so the connection can stay open.
     */
    private boolean bodyMayFollow() {
        return request == null || requestChunked || HttpUtil.getContentLength(request, 0L) > 0;
    }

    private void respondErrorUncounted(HttpResponseStatus errorStatus, String message) {
        // Not in flight, nor a refused request of its own: answer and close without touching either counter.
        responseStarted = true;
        status = errorStatus.code();
        logExchange(true);
        active = false;
        closing = true;
        ctx.writeAndFlush(ErrorResponses.create(ctx.alloc(), errorStatus, message, true, false, isHead))
                .addListener(ChannelFutureListener.CLOSE);
        releaseQueued();
    }

    /** Whether the connection may stay open after the current response. */
    private boolean mayKeepAlive() {
        return keepAlive && !closeAfterResponse && !draining && !server.draining()
                // After the client's FIN the last request it sent gets the last response.
                && !(inputShutdown && queued.isEmpty());
    }

    private void completeExchange() {
        // The response timer stays pending (see attach): no task allocation and timer-queue work per request.
        recordStats();
        UpstreamConnection connection = upstream;
        upstream = null;
        if (connection != null) {
            if (requestSent) {
                connection.release();
            } else {
                connection.closeQuietly();
            }
        }
        boolean close = closeAfterResponse;
        endExchange(true);
        if (close) {
            closeAfterFlush();
            return;
        }
        ctx.flush();
        if (!inReadCycle) {
            drainQueued();
            requestMoreIfWanted();
        } else {
            drainQueued();
        }
        closeIfNothingLeftToAnswer();
    }

    private void recordStats() {
        recordStats(status);
    }

    private void recordStats(int code) {
        if (version != null && code != 0) {
            version.stats().record(code, (System.nanoTime() - startNanos) / 1000);
            version = null;
        }
    }

    /** {@code completed}: the response was sent whole (false: cut short, or none at all). */
    private void endExchange(boolean completed) {
        if (active) {
            if (!tunnel) {
                logExchange(completed);
            }
            active = false;
            if (request != null) {
                server.exitRequest();
            }
        }
        request = null;
        loggedHead = null; // an idle keep-alive connection holds no request
        receivedTarget = null;
        version = null;
        // Nor the routing state it went through: kept, an idle connection (up to the idle timeout) held that table's
        // service, versions, endpoints and statistics after they were removed, past StatsRegistry.RETIRED_KEPT.
        endpoint = null;
        decision.reset();
        connecting = false;
        sentBody.release();
        lastActivityNanos = System.nanoTime();
    }

    /** Hands the current exchange to the access log, if there is one. */
    private void logExchange(boolean completed) {
        AccessLog accessLog = server.accessLog();
        if (accessLog == null) {
            return;
        }
        HttpRequest req = loggedHead;
        HttpHeaders headers = req == null ? null : req.headers();
        ServiceRoute service = decision.service();
        VersionRoute chosen = decision.version();
        CharSequence flags = decision.flagsHeader();
        accessLog.record(new AccessLogEntry(System.currentTimeMillis(), clientIp,
                req == null ? null : req.method().name(), AccessLogEntry.clip(receivedTarget, AccessLogEntry.MAX_TARGET),
                headers == null ? null : AccessLogEntry.clip(headers.get(HttpHeaderNames.HOST), AccessLogEntry.MAX_HOST),
                req == null ? null : req.protocolVersion().text(),
                headers == null ? null
                        : AccessLogEntry.clip(headers.get(HttpHeaderNames.USER_AGENT), AccessLogEntry.MAX_USER_AGENT),
                status,
                (System.nanoTime() - startNanos) / 1000, service == null ? null : service.name(),
                chosen == null ? null : chosen.name(), endpoint == null ? null : endpoint.address(), decision.reason(),
                flags == null ? null : flags.toString(), bodyBytes, failure, retries, staleReplayed, completed));
    }

    /** Feeds parts of pipelined requests that arrived early, in order, as far as the current state allows. */
    private void drainQueued() {
        if (drainingQueue) {
            return;
        }
        drainingQueue = true;
        try {
            while (!queued.isEmpty() && !closing && (!active || !requestReceived)) {
                dispatch(queued.poll());
            }
        } finally {
            drainingQueue = false;
        }
        if (!inReadCycle) {
            flushUpstream();
        }
    }

    private void closeAfterFlush() {
        closing = true;
        releaseQueued();
        // The idle timer no longer watches a closing connection, and the flush alone would wait for ever on a client
        // that stops reading: the response timer judges it as during an exchange (lookAtReader), from a timeout on.
        // Not a deadline from the exchange's end regardless of progress, which cut a client still reading.
        lastUpstreamNanos = System.nanoTime();
        unsentAtLastCheck = Long.MAX_VALUE;
        if (responseTimer == null) {
            responseTimer = ctx.executor().schedule(responseTimeoutTask, responseTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        ChannelFuture flushed = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
        // Once all is out, nothing is left to judge: a cut with a reset would now destroy a response that is whole.
        flushed.addListener(done -> cancelResponseTimer());
        if (lingerOnClose && !inputShutdown) {
            LingeringClose.afterFlush(flushed);
        } else {
            flushed.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void closeNow() {
        giveUp();
        ctx.close();
    }

    /** Ends what the connection still holds (its exchange, queued requests) before it is closed. */
    private void giveUp() {
        if (active) {
            abandon();
        }
        closing = true;
        releaseQueued();
    }

    /**
     * Cuts the connection with a TCP reset (SO_LINGER 0), so that no client takes a cut response for a whole one. On
     * the TLS listener the close starts in front of the TLS handler: its close_notify would end the stream cleanly
     * first (a body delimited by the close would look whole), and to a client that stopped reading it would wait out
     * Netty's flush timeout (3 s, with a WARN) before the reset.
     */
    private void resetNow() {
        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        giveUp();
        ChannelHandlerContext tls = ctx.pipeline().context(ProxyChannelInitializer.TLS);
        (tls != null ? tls : ctx).close();
    }

    /** The exchange cannot finish (client gone or stream broken): close its upstream, count it out. */
    private void abandon() {
        cancelResponseTimer();
        discardHeldHead();
        dropUpstream();
        dropPendingBody();
        endExchange(false);
    }

    private void dropUpstream() {
        UpstreamConnection connection = upstream;
        upstream = null;
        connecting = false;
        if (connection != null) {
            connection.closeQuietly();
        }
    }

    private void cancelResponseTimer() {
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
    }

    private void dropPendingBody() {
        HttpContent part;
        while ((part = pendingBody.poll()) != null) {
            part.release();
        }
    }

    private void releaseQueued() {
        Object msg;
        while ((msg = queued.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        dropPendingBody();
    }

    private void onIdleTimer() {
        idleTimer = null;
        if (closing) {
            return;
        }
        long idle = System.nanoTime() - lastActivityNanos;
        // A tunnel is idle like a connection between requests: no byte either way.
        boolean idling = !active || tunnel;
        if (idling && idle >= idleTimeoutNanos) {
            closeNow();
            return;
        }
        long next = idling ? idleTimeoutNanos - idle : idleTimeoutNanos;
        idleTimer = ctx.executor().schedule(idleTask, next, TimeUnit.NANOSECONDS);
    }
}
