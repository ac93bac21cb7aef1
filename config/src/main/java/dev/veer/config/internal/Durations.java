package dev.veer.config.internal;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as written in config: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} and compounds
 * such as {@code 1h30m}, at most {@link #MAX}. A bare number is refused: "timeout: 30" is ambiguous. Millisecond
 * resolution.
 */
public final class Durations {

    public static final String EXPECTED = "a duration with a unit, e.g. 500ms, 30s, 5m, 2h, 1h30m";

    /**
     * The longest duration any setting takes. Netty and the JDK time their timers in nanoseconds, which a
     * {@code long} holds for 292 years: longer, a timeout failed every connection and a health check interval or
     * drain timeout stopped Veer with "long overflow", after {@code veer check} had passed the file. A year is
     * beyond any timeout, interval or rollout pause one means, and far from that edge.
     */
    public static final Duration MAX = Duration.ofDays(365);

    private Durations() {
    }

    /**
     * The duration, or null when the text is not one. One too long for a {@link Duration} is the longest Duration:
     * it is written as a duration, and what is wrong with it is its length, which {@link #MAX} says.
     */
    public static Duration parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim();
        if (s.isEmpty()) {
            return null;
        }
        BigDecimal totalMillis = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int numberStart = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (i == numberStart) {
                return null;
            }
            BigDecimal amount;
            try {
                amount = new BigDecimal(s.substring(numberStart, i));
            } catch (NumberFormatException e) {
                return null;
            }
            int unitStart = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) {
                i++;
            }
            long unitMillis = unitMillis(s.substring(unitStart, i));
            if (unitMillis < 0) {
                return null;
            }
            totalMillis = totalMillis.add(amount.multiply(BigDecimal.valueOf(unitMillis)));
        }
        try {
            return Duration.ofMillis(totalMillis.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException e) {
            return Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
        }
    }

    private static long unitMillis(String unit) {
        switch (unit) {
            case "ms":
                return 1;
            case "s":
                return 1_000;
            case "m":
                return 60_000;
            case "h":
                return 3_600_000;
            case "d":
                return 86_400_000;
            default:
                return -1;
        }
    }

    /** The shortest compound form that parses back to the same duration: {@code 1h30m}, {@code 1s500ms}, {@code 0s}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (millis < 0) {
            out.append('-');
            millis = -millis;
        }
        long[] units = {86_400_000, 3_600_000, 60_000, 1_000, 1};
        String[] names = {"d", "h", "m", "s", "ms"};
        for (int u = 0; u < units.length; u++) {
            long count = millis / units[u];
            if (count > 0) {
                out.append(count).append(names[u]);
                millis -= count * units[u];
            }
        }
        return out.toString();
    }
}
