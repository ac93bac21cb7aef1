package dev.veer.admin.state;

import java.io.IOException;

/**
 * The state directory cannot be used as it is, and guessing would lose or hide runtime changes: Veer must not start.
 * The message names the file, what is wrong and what the operator can do; it is shown as it is.
 */
public final class UnusableStateException extends IOException {

    public UnusableStateException(String message) {
        super(message);
    }
}
