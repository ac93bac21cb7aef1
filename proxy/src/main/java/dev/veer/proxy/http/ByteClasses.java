package dev.veer.proxy.http;

/**
 * The classes of bytes the HTTP grammar names, by table lookup: read for every byte of every head, so a lookup
 * rather than a chain of comparisons.
 */
final class ByteClasses {

    private static final byte TOKEN = 1;
    private static final byte TARGET = 2;
    private static final byte QUERY = 4;
    private static final byte[] CLASSES = new byte[256];

    static {
        for (int b = '0'; b <= '9'; b++) {
            CLASSES[b] |= TOKEN;
        }
        for (int b = 'a'; b <= 'z'; b++) {
            CLASSES[b] |= TOKEN;
            CLASSES[b - 32] |= TOKEN;
        }
        for (char b : "!#$%&'*+-.^_`|~".toCharArray()) {
            CLASSES[b] |= TOKEN;
        }
        // Visible ASCII but '"', '<', '>' and '\\', which RFC 3986 leaves out of a URI and browsers never send raw in
        // a path: no blank, control, DEL or non-ASCII byte either. RFC 3986 leaves out ^ ` { | } too, but the URL
        // Standard has browsers send them raw (| and ^ in a path, all five in a query): refusing them refuses
        // browsers. Browsers send a '\\' in a query raw too (in a path they make it '/').
        for (int b = 0x21; b < 0x7f; b++) {
            CLASSES[b] |= TARGET;
        }
        for (char b : "\"<>\\".toCharArray()) {
            CLASSES[b] &= ~TARGET;
        }
        for (int b = 0; b < CLASSES.length; b++) {
            if ((CLASSES[b] & TARGET) != 0 || b == '\\') {
                CLASSES[b] |= QUERY;
            }
        }
    }

    private ByteClasses() {
    }

    /** RFC 9110 §5.6.2 tchar: what a method and a field name are made of. */
    static boolean isTokenChar(byte b) {
        return (CLASSES[b & 0xff] & TOKEN) != 0;
    }

    /**
     * A byte a request target may hold as it is (RFC 9112 §3.2, RFC 3986 §2, less strict where browsers are):
     * others only percent-encoded. A
     * fragment's '#' is one, as far as bytes go: the target's form is judged once it is read.
     */
    static boolean isTargetChar(byte b) {
        return (CLASSES[b & 0xff] & TARGET) != 0;
    }

    /** A byte a request target's query may hold as it is: a target's, or a '\\'. */
    static boolean isQueryChar(byte b) {
        return (CLASSES[b & 0xff] & QUERY) != 0;
    }
}
