package dev.veer.admin;

import java.nio.file.Files;
import java.nio.file.Path;

/** The project's root, for tests that use its files (launcher, Dockerfile, config/): Surefire runs in admin/. */
public final class RepositoryRoot {

    private RepositoryRoot() {
    }

    /** The nearest directory above the working one that holds the root pom and the {@code veer} launcher. */
    public static Path find() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null
                && !(Files.isRegularFile(dir.resolve("pom.xml")) && Files.isRegularFile(dir.resolve("veer")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
