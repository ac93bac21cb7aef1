package dev.veer.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatHttpHeadersTest {

    @Test
    void namesMatchWhateverTheCaseAndFieldsKeepTheirOrder() {
        FlatHttpHeaders h = new FlatHttpHeaders();
        h.add("Accept", "a").add(AsciiString.of("X-Forwarded-For"), "1.1.1.1").add("accept", "b");
        assertThat(h.get(HttpHeaderNames.ACCEPT)).isEqualTo("a");
        assertThat(h.getAll("ACCEPT")).containsExactly("a", "b");
        assertThat(h.contains("x-forwarded-for")).isTrue();
        assertThat(h.contains("x-forwarded")).isFalse();
        assertThat(h.getAll("missing")).isEmpty();
        List<String> order = new ArrayList<>();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            order.add(e.getKey() + "=" + e.getValue());
        }
        assertThat(order).containsExactly("Accept=a", "X-Forwarded-For=1.1.1.1", "accept=b");
        assertThat(h.size()).isEqualTo(3);
    }

    @Test
    void setReplacesInPlaceAndRemoveTakesEveryField() {
        FlatHttpHeaders h = new FlatHttpHeaders();
        h.add("a", "1").add("b", "2").add("A", "3").add("c", "4");
        h.set("a", "x");
        assertThat(h.entries()).extracting(Map.Entry::getKey).containsExactly("a", "b", "c");
        assertThat(h.get("a")).isEqualTo("x");
        h.remove("B");
        assertThat(h.names()).containsExactly("a", "c");
        h.set("d", 5);
        assertThat(h.getInt("d")).isEqualTo(5);
        h.clear();
        assertThat(h.isEmpty()).isTrue();
    }

    @Test
    void containsAValueInAnyFieldComparedWhole() {
        FlatHttpHeaders h = new FlatHttpHeaders();
        h.add("X-Canary", "never").add("x-other", "always").add("x-canary", "always").add("X-List", "a, b");
        assertThat(h.contains(AsciiString.of("x-canary"), "always", false)).isTrue();
        assertThat(h.contains("X-CANARY", "never", false)).isTrue();
        assertThat(h.contains("x-canary", "ALWAYS", false)).isFalse();
        assertThat(h.contains("x-canary", "ALWAYS", true)).isTrue();
        assertThat(h.contains("x-canary", "alway", false)).isFalse();
        assertThat(h.contains("x-list", "b", false)).as("a field is no list here").isFalse();
        assertThat(h.contains("x-missing", "always", false)).isFalse();
    }

    @Test
    void growsPastItsFirstArrays() {
        FlatHttpHeaders h = new FlatHttpHeaders();
        for (int i = 0; i < 100; i++) {
            h.add("h" + i, Integer.toString(i));
        }
        assertThat(h.size()).isEqualTo(100);
        assertThat(h.get("H99")).isEqualTo("99");
        assertThat(h.nameAt(42)).hasToString("h42");
        assertThat(h.valueAt(42)).hasToString("42");
    }

    @Test
    void refusesWhatNettysValidatingHeadersRefuse() {
        FlatHttpHeaders h = new FlatHttpHeaders();
        assertThatThrownBy(() -> h.add("bad name", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.add("x", "a\r\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.set("x", "a\0b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(h.isEmpty()).isTrue();
    }
}
