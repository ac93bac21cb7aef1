package dev.veer.analyzer.judge;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** Numbers as people read them in verdict reasons. */
final class Format {

    private Format() {
    }

    /** 0.041 → "4.1%", 0.005 → "0.5%", 0.0002 → "0.02%". */
    static String percent(double fraction) {
        return trim(BigDecimal.valueOf(fraction * 100).setScale(2, RoundingMode.HALF_UP)) + "%";
    }

    /** Microseconds as milliseconds: 620000 → "620 ms", 1500 → "1.5 ms". */
    static String millis(double micros) {
        double ms = micros / 1000.0;
        int scale = ms >= 100 ? 0 : 1;
        return trim(BigDecimal.valueOf(ms).setScale(scale, RoundingMode.HALF_UP)) + " ms";
    }

    /** A signed relative change: 0.24 → "+24%". */
    static String change(double ratio) {
        return (ratio >= 0 ? "+" : "") + trim(BigDecimal.valueOf(ratio * 100).setScale(0, RoundingMode.HALF_UP)) + "%";
    }

    static String pValue(double p) {
        return p < 1e-4 ? "p<0.0001" : "p=" + String.format(Locale.ROOT, "%.4f", p);
    }

    /** 0.95 → "p95", 0.999 → "p99.9". */
    static String percentileLabel(double quantile) {
        return "p" + trim(BigDecimal.valueOf(quantile * 100).setScale(3, RoundingMode.HALF_UP));
    }

    /** Rounded for the figures map (JSON): 6 significant digits is plenty. */
    static double round(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0) {
            return value;
        }
        // In decimal: scaling a double by 10^k and back leaves noise (2.9417000000000004E-26).
        return new BigDecimal(value).round(new java.math.MathContext(6, RoundingMode.HALF_EVEN)).doubleValue();
    }

    private static String trim(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }
}
