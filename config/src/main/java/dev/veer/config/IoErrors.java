package dev.veer.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * What went wrong with a file, in words, for every module's messages: the JDK's file-system exceptions carry only the
 * path as their message ({@code AccessDeniedException: /var/veer/state.json}), which says where but not what.
 */
public final class IoErrors {

    private IoErrors() {
    }

    /** What and where: "permission denied: /var/veer/state.json". */
    public static String problem(IOException e) {
        String what = known(e);
        String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        if (what == null) {
            return message.isEmpty() ? e.getClass().getSimpleName() : message;
        }
        // A FileSystemException's message is "file: reason", and the reason is what: the file alone follows it.
        String where = e instanceof FileSystemException fs && fs.getFile() != null
                ? fs.getFile() + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile()) : message;
        return where.isEmpty() ? what : what + ": " + where;
    }

    /** {@link #problem} without the path, for a message that names the file already: "permission denied". */
    public static String reason(IOException e) {
        String what = known(e);
        return what != null ? what : problem(e);
    }

    private static String known(IOException e) {
        return e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof FileAlreadyExistsException ? "already exists"
                : e instanceof NotDirectoryException ? "not a directory"
                : e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : null;
    }
}
