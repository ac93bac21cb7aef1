package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.config.model.AdminSettings;
import dev.veer.config.model.HostPort;

import java.util.regex.Pattern;

/**
 * {@code admin:}; a non-loopback listener without a token is refused, the API would be open to the network. A
 * token must be one a client can send: RFC 6750's b64token, ASCII only.
 */
public final class AdminSection {

    static final String[] KEYS = {"listen", "token", "metricsAuth"};
    static final String TOKEN_EXPECTED = "letters, digits and - . _ ~ + / then optional = padding (RFC 6750 "
            + "b64token), e.g. from openssl rand -hex 24";

    /**
     * RFC 6750 section 2.1. Anything else can never match: a header's bytes reach the server as Latin-1 chars, so a
     * non-ASCII token differs from what the client typed, and whitespace splits or ends the header value.
     */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
    private static final Pattern B64TOKEN_CHAR = Pattern.compile("[A-Za-z0-9._~+/=-]");

    private AdminSection() {
    }

    public static AdminSettings read(JsonNode node, String path, Problems problems) {
        AdminSettings d = AdminSettings.DEFAULTS;
        Fields f = Fields.of(node, path, problems).allow(KEYS);
        HostPort listen = f.hostPort("listen", 0, d.listen());
        // Surrounding whitespace is dropped, not refused: a token from a file or a secret often ends in a newline.
        String token = f.text("token", d.token()).trim();
        boolean metricsAuth = f.bool("metricsAuth", d.metricsAuth());
        if (token.isEmpty() && !listen.isLoopback()) {
            problems.add(f.path("token"), "required when " + f.path("listen") + " (" + listen + ") is not loopback"
                    + " (expected: a token, e.g. VEER_ADMIN_TOKEN from openssl rand -hex 24, or " + f.path("listen")
                    + " on 127.0.0.1)");
        }
        if (!token.isEmpty() && !B64TOKEN.matcher(token).matches()) {
            problems.add(f.path("token"), tokenProblem(token) + " (expected: " + TOKEN_EXPECTED + ")");
        }
        return new AdminSettings(listen, token, metricsAuth);
    }

    /** What is wrong with {@code token}, without printing it: the position and kind of its first bad character. */
    private static String tokenProblem(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (!B64TOKEN_CHAR.matcher(String.valueOf(c)).matches()) {
                String kind = c == ' ' ? "a space" : c == '\t' ? "a tab" : c == '\n' || c == '\r' ? "a line break"
                        : c > 0x7e ? "a non-ASCII character" : c < 0x20 ? "a control character" : "'" + c + "'";
                return "character " + (i + 1) + " of the token is " + kind;
            }
        }
        return "'=' inside the token (only trailing = padding is allowed)";
    }
}
