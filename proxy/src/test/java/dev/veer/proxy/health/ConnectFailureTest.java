package dev.veer.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/**
 * The last check's failure in an endpoint's unhealthy reason, in words. A host that cannot be reached comes from
 * Netty's native transport as a NoRouteToHostException without a message: it read "cannot connect: null".
 */
class ConnectFailureTest {

    @Test
    void eachConnectFailureIsNamedInWords() {
        assertThat(HealthProbe.connectFailure(new ConnectTimeoutException("connection timed out after 1000 ms")))
                .isEqualTo("connect timed out");
        assertThat(HealthProbe.connectFailure(new ConnectException("finishConnect(..) failed: Connection refused")))
                .isEqualTo("connection refused");
        assertThat(HealthProbe.connectFailure(new NoRouteToHostException())).isEqualTo("no route to host");
        assertThat(HealthProbe.connectFailure(new UnknownHostException("backend.internal")))
                .isEqualTo("host name does not resolve");
        assertThat(HealthProbe.connectFailure(new IOException())).isEqualTo("cannot connect: IOException");
    }
}
