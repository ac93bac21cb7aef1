package dev.veer.admin.http;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A control plane with {@link AdminApiTest}'s config and token, started afresh for each test in a temp state dir. */
abstract class AdminApiHarness {

    @TempDir
    Path dir;
    ControlPlaneHarness h;

    @BeforeEach
    void startControlPlane() throws Exception {
        h = new ControlPlaneHarness(dir, AdminApiTest.YAML, AdminApiTest.TOKEN);
    }

    @AfterEach
    void stopControlPlane() {
        h.close();
    }
}
