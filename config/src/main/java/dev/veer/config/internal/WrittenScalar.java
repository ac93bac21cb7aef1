package dev.veer.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;

/**
 * An unquoted YAML value that YAML reads as a number or boolean other than it is written: {@code 1.10} is 1.1,
 * {@code 0042} is 34 (octal), {@code on} is true. It stays that number or boolean for a numeric or true/false
 * setting, and is read as written where a string is expected: {@code semverAtLeast: 1.10} means 1.10, not 1.1,
 * and {@code value: 0042} matches the header 0042, as the same value given by --set or a variable does.
 */
interface WrittenScalar {

    /** The value as it stands in the file. */
    String written();

    /** The text of a scalar that a string setting takes: as written. */
    static String text(JsonNode node) {
        return node instanceof WrittenScalar scalar ? scalar.written() : node.asText();
    }

    /** {@code typed} remembering {@code written}; {@code typed} itself when it reads back as written. */
    static JsonNode of(JsonNode typed, String written) {
        if (typed.asText().equals(written)) {
            return typed;
        }
        if (typed.isBoolean()) {
            return new Bool(typed.booleanValue(), written);
        }
        if (typed.isInt()) {
            return new Int(typed.intValue(), written);
        }
        if (typed.isLong()) {
            return new LongInt(typed.longValue(), written);
        }
        if (typed.isBigInteger()) {
            return new BigInt(typed.bigIntegerValue(), written);
        }
        if (typed.isBigDecimal()) {
            return new Decimal(typed.decimalValue(), written);
        }
        return typed; // YAML gives no other scalar for a plain value here: floats are read as BigDecimal
    }

    final class Bool extends BooleanNode implements WrittenScalar {
        private final String written;

        Bool(boolean value, String written) {
            super(value);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }

    final class Int extends IntNode implements WrittenScalar {
        private final String written;

        Int(int value, String written) {
            super(value);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }

    final class LongInt extends LongNode implements WrittenScalar {
        private final String written;

        LongInt(long value, String written) {
            super(value);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }

    final class BigInt extends BigIntegerNode implements WrittenScalar {
        private final String written;

        BigInt(java.math.BigInteger value, String written) {
            super(value);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }

    final class Decimal extends DecimalNode implements WrittenScalar {
        private final String written;

        Decimal(java.math.BigDecimal value, String written) {
            super(value);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }
}
