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
}
