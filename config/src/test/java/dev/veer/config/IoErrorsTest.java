package dev.veer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class IoErrorsTest {

    /** The JDK puts the reason into the message as well: it is said once. */
    @Test
    void aFileProblemNamesTheReasonThenTheFileOnce() {
        assertThat(IoErrors.problem(new FileSystemException("/tmp/x/sub", null, "Not a directory")))
                .isEqualTo("Not a directory: /tmp/x/sub");
        assertThat(IoErrors.problem(new AccessDeniedException("/var/veer/state.json")))
                .isEqualTo("permission denied: /var/veer/state.json");
        assertThat(IoErrors.problem(new java.io.IOException("disk on fire"))).isEqualTo("disk on fire");
    }
}
