package dev.veer.admin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The state dir holds the services' endpoints, flag targeting and the audit log (who changed what, and why): a state
 * dir Veer creates is its own user's only, whatever the umask (it was 0755 with 0644 files under the usual 022).
 */
class StateDirPermissionsTest {

    @TempDir
    Path dir;
    Backend blue;
    Backend green;
    VeerRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file modes");
        blue = new Backend("blue");
        green = new Backend("green");
    }

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.close();
        }
        if (blue != null) {
            blue.close();
            green.close();
        }
    }

    @Test
    void aStateDirVeerCreatesAndEveryFileInItAreOwnerOnly() throws Exception {
        Map<String, String> env = RuntimeFixture.env(dir, blue.port(), green.port());
        Path state = dir.resolve("state");
        runtime = RuntimeFixture.start(RuntimeFixture.configFile(dir), env);
        Http admin = new Http(runtime.adminAddress(), RuntimeFixture.TOKEN);
        // Two saves: state.json, then state.json.prev beside it; each is audited.
        assertThat(admin.put("/api/v1/services/shop/weights", "{\"blue\":90,\"green\":10}").status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/services/shop/weights", "{\"blue\":80,\"green\":20}").status()).isEqualTo(200);

        assertThat(mode(state)).isEqualTo("rwx------");
        List<Path> files;
        try (Stream<Path> listing = Files.list(state)) {
            files = listing.toList();
        }
        assertThat(files).extracting(f -> f.getFileName().toString())
                .contains("state.json", "state.json.prev", "audit.log", "lock");
        for (Path file : files) {
            assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
        }
    }

    @Test
    void aStateDirThatExistsKeepsTheModeItsOwnerGaveIt() throws Exception {
        Map<String, String> env = RuntimeFixture.env(dir, blue.port(), green.port());
        Path state = Files.createDirectory(dir.resolve("state"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-x---")); // shared with a group
        runtime = RuntimeFixture.start(RuntimeFixture.configFile(dir), env);

        assertThat(mode(state)).isEqualTo("rwxr-x---");
        Set<PosixFilePermission> audit = Files.getPosixFilePermissions(state.resolve("audit.log"));
        assertThat(PosixFilePermissions.toString(audit)).isEqualTo("rw-------");
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
