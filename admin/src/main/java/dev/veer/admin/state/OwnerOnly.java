package dev.veer.admin.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates the state dir and its files readable by Veer's own user only (0700 and 0600, as etcd does its data dir):
 * they hold the service topology, flag targeting and the audit log's who-changed-what-and-why, none of which other
 * local users need, and with the usual umask 022 they were world-readable. Applies to what Veer creates; a directory
 * or file that already exists keeps the mode its owner gave it. On a file system without POSIX permissions
 * (Windows) the platform default applies.
 */
public final class OwnerOnly {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final FileAttribute<?>[] DIRECTORY = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
            : new FileAttribute<?>[0];
    private static final FileAttribute<?>[] FILE = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
            : new FileAttribute<?>[0];

    private OwnerOnly() {
    }

    /** {@link Files#createDirectories}, each directory it creates owner-only. */
    public static void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir, DIRECTORY);
    }

    /** {@link FileChannel#open}, the file owner-only if this call creates it. */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, Set.of(options), FILE);
    }
}
