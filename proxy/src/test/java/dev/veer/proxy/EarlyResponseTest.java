package dev.veer.proxy;

import static dev.veer.proxy.support.Specs.service;
import static dev.veer.proxy.support.Specs.version;
import static dev.veer.proxy.support.Specs.weights;
import static org.assertj.core.api.Assertions.assertThat;

import dev.veer.proxy.support.RawHttp;
import dev.veer.proxy.support.ScriptedBackend;
import dev.veer.proxy.support.ScriptedBackend.Script;
import dev.veer.proxy.support.Specs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An upstream that answers before the request body is all sent (an early 401 or 413). */
class EarlyResponseTest {

    /** Under LingeringClose.MAX_BYTES, and more than the sockets' buffers hold: it must be read to be sent. */
    private static final int REST_OF_BODY = 900 * 1024;

    @Test
    void theClientStillSendingItsBodyCanFinishAndGetsACleanCloseNotAReset() throws Exception {
        try (ScriptedBackend upstream = new ScriptedBackend()
                     .on("/upload", Script.of("HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope"));
             ProxyServer proxy = ProxyServer.start(Specs.settings(), List.of(service("svc",
                     List.of(version("v1", upstream.address())), weights("v1", 10000), null)), List.of());
             RawHttp http = new RawHttp(proxy.localAddress().getPort())) {
            http.send("POST /upload HTTP/1.1\r\nHost: svc\r\nContent-Length: " + (1024 + REST_OF_BODY) + "\r\n\r\n"
                    + "x".repeat(1024));
            RawHttp.Response answer = http.read();
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.header("connection")).isEqualTo("close");

            // A client that reads only once its upload is done (Python's http.client, say) sends the rest first: had
            // the proxy closed the socket at once, that upload would end in a reset and the client would never read
            // the 401. Lingering as after its own 413, the proxy reads and drops the rest, then the connection ends.
            http.send(new byte[REST_OF_BODY]);
            assertThat(http.socket().getInputStream().read()).as("end of stream, not a reset").isEqualTo(-1);
        }
    }
}
