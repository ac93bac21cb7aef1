package dev.veer.admin.internal;

/** Small text helpers shared by the server side and the command-line client. */
public final class Text {

    private Text() {
    }

    /**
     * The first line of {@code s}, "" for null: exception messages (Jackson's carry a source excerpt on later lines)
     * and foreign bodies become one-line errors.
     */
    public static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * What went wrong with a file, in words: the JDK's file-system exceptions carry only the path as their message
     * ({@code AccessDeniedException: /var/veer/state.json}), which says where but not what.
     */
    public static String ioProblem(java.io.IOException e) {
        String what = known(e);
        String message = firstLine(e.getMessage());
        if (what == null) {
            return message.isEmpty() ? e.getClass().getSimpleName() : message;
        }
        // A FileSystemException's message is "file: reason", and the reason is what: the file alone follows it.
        String where = e instanceof java.nio.file.FileSystemException fs && fs.getFile() != null
                ? fs.getFile() + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile()) : message;
        return where.isEmpty() ? what : what + ": " + where;
    }

    /** {@link #ioProblem} without the path, for a message that names the file already: "permission denied". */
    public static String ioReason(java.io.IOException e) {
        String what = known(e);
        return what != null ? what : ioProblem(e);
    }

    private static String known(java.io.IOException e) {
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                : e instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                : e instanceof java.nio.file.NotDirectoryException ? "not a directory"
                : e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : null;
    }
}
