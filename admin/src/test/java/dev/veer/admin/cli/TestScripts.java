package dev.veer.admin.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Executable stand-ins (java, mvn, tools) the launcher tests put on PATH. */
final class TestScripts {

    private TestScripts() {
    }

    /** Writes {@code text} (its #! line included) to {@code file} and makes it executable. */
    static void write(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
