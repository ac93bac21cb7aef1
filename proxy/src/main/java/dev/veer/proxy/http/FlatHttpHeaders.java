package dev.veer.proxy.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Request headers as one array of name, value pairs in arrival order, found by a linear, case-insensitive scan. A
 * request has a dozen headers or so, where a hash table costs more than it saves: Netty's {@code DefaultHttpHeaders}
 * allocates a 16-slot bucket array and a 40-byte entry per header for every request; this allocates one array, on the
 * first header (an empty trailer section allocates none), and nothing per header. Lookups by name allocate nothing either (the base class turns a CharSequence name into a String).
 * Names and values are validated as Netty's default headers validate them, so the decoder refuses the same requests.
 */
public final class FlatHttpHeaders extends HttpHeaders {

    /** Makes the request decoder build its messages' headers with this class. */
    public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new FlatHttpHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new FlatHttpHeaders();
        }
    };

    /** Fields the first array holds: a browser's request has seven or eight (wrk's, one). */
    private static final int INITIAL_FIELDS = 8;
    private static final CharSequence[] NO_FIELDS = new CharSequence[0];

    /** Field i's name at 2i, its value at 2i + 1: one array header and one allocation instead of two. */
    private CharSequence[] fields = NO_FIELDS;
    private int size;

    // ---------------------------------------------------------------- reading

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : value(i).toString();
    }

    @Override
    public Integer getInt(CharSequence name) {
        return parsed(name, Integer::valueOf);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Short getShort(CharSequence name) {
        return parsed(name, Short::valueOf);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    /** The first value of {@code name} as a number, or null when absent or not a number. */
    private <N extends Number> N parsed(CharSequence name, java.util.function.Function<String, N> parser) {
        String value = get(name);
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        String value = get(name);
        Date date = value == null ? null : DateFormatter.parseHttpDate(value);
        return date == null ? null : date.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) {
            return Collections.emptyList();
        }
        List<String> all = new ArrayList<>(2);
        for (; i >= 0; i = indexOf(name, i + 1)) {
            all.add(value(i).toString());
        }
        return all;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> entries = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(name(i).toString(), value(i).toString()));
        }
        return entries;
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    /**
     * True when a field named {@code name} has the value {@code value}, each field compared whole (not split at
     * commas, as {@code containsValue} does); without an iterator or a String per field.
     */
    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, (CharSequence) value, ignoreCase);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(value(i), value)
                    : AsciiString.contentEquals(value(i), value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                int i = next++;
                return new AbstractMap.SimpleImmutableEntry<>(name(i), value(i));
            }
        };
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return getAll(name).iterator();
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return new Iterator<>() {
            private int next = indexOf(name, 0);

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public CharSequence next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                CharSequence value = value(next);
                next = indexOf(name, next + 1);
                return value;
            }
        };
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> set = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            set.add(name(i).toString());
        }
        return set;
    }

    /** The name of the {@code i}-th header in arrival order (0 ≤ i < size). */
    public CharSequence nameAt(int i) {
        return name(i);
    }

    /** The value of the {@code i}-th header in arrival order (0 ≤ i < size). */
    public CharSequence valueAt(int i) {
        return value(i);
    }

    // ---------------------------------------------------------------- writing

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        validateName(name);
        append(name, valueOf(value));
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        validateName(name);
        for (Object value : values) {
            append(name, valueOf(value));
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        validateName(name);
        CharSequence converted = valueOf(value);
        int first = indexOf(name, 0);
        if (first < 0) {
            append(name, converted);
        } else {
            // In place, so the header keeps its position; later fields of the same name go.
            fields[2 * first + 1] = converted;
            removeFrom(name, first + 1);
        }
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeFrom(name, 0);
        return this;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(fields, 0, 2 * size, null);
        size = 0;
        return this;
    }

    // ---------------------------------------------------------------- internals

    private CharSequence name(int i) {
        return fields[2 * i];
    }

    private CharSequence value(int i) {
        return fields[2 * i + 1];
    }

    private int indexOf(CharSequence name, int from) {
        for (int i = from; i < size; i++) {
            if (sameName(name(i), name)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean sameName(CharSequence a, CharSequence b) {
        return a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b);
    }

    private void append(CharSequence name, CharSequence value) {
        if (2 * size == fields.length) {
            fields = Arrays.copyOf(fields, Math.max(2 * INITIAL_FIELDS, 2 * fields.length));
        }
        fields[2 * size] = name;
        fields[2 * size + 1] = value;
        size++;
    }

    /** Removes every field named {@code name} at index {@code from} or later, keeping the others in order. */
    private void removeFrom(CharSequence name, int from) {
        int kept = from;
        for (int i = from; i < size; i++) {
            CharSequence candidate = name(i);
            if (sameName(candidate, name)) {
                continue;
            }
            fields[2 * kept] = candidate;
            fields[2 * kept + 1] = value(i);
            kept++;
        }
        Arrays.fill(fields, 2 * kept, 2 * size, null);
        size = kept;
    }

    private static void validateName(CharSequence name) {
        if (name.length() == 0 || HttpHeaderValidationUtil.validateToken(name) != -1) {
            throw new IllegalArgumentException("a header name can only contain \"token\" characters: " + name);
        }
    }

    private static CharSequence valueOf(Object value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        CharSequence text = value instanceof CharSequence ? (CharSequence) value
                : value instanceof Date ? DateFormatter.format((Date) value) : value.toString();
        if (HttpHeaderValidationUtil.validateValidHeaderValue(text) != -1) {
            throw new IllegalArgumentException("a header value contains a prohibited character: " + text);
        }
        return text;
    }
}
