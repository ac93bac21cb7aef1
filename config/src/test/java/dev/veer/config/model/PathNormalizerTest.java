package dev.veer.config.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {

    /**
     * RFC 3986 §5.4's reference resolution examples, as the paths they merge to against the base {@code /b/c/d;p}
     * ({@code /b/c/} and the reference), with the results §5.4 gives.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " -> ", value = {
            "/b/c/g -> /b/c/g",
            "/b/c/./g -> /b/c/g",
            "/b/c/g/ -> /b/c/g/",
            "/b/c/. -> /b/c/",
            "/b/c/./ -> /b/c/",
            "/b/c/.. -> /b/",
            "/b/c/../ -> /b/",
            "/b/c/../g -> /b/g",
            "/b/c/../.. -> /",
            "/b/c/../../ -> /",
            "/b/c/../../g -> /g",
            // §5.4.2, abnormal examples
            "/b/c/../../../g -> /g",
            "/b/c/../../../../g -> /g",
            "/./g -> /g",
            "/../g -> /g",
            "/b/c/g. -> /b/c/g.",
            "/b/c/.g -> /b/c/.g",
            "/b/c/g.. -> /b/c/g..",
            "/b/c/..g -> /b/c/..g",
            "/b/c/./../g -> /b/g",
            "/b/c/./g/. -> /b/c/g/",
            "/b/c/g/./h -> /b/c/g/h",
            "/b/c/g/../h -> /b/c/h",
            "/b/c/g;x=1/./y -> /b/c/g;x=1/y",
            "/b/c/g;x=1/../y -> /b/c/y",
            "/b/c/g?y/./x -> /b/c/g?y/./x",
            "/b/c/g?y/../x -> /b/c/g?y/../x",
            // §5.2.4's own
            "/a/b/c/./../../g -> /a/g",
            "/mid/content=5/../6 -> /mid/6"})
    void removesDotSegmentsAsRfc3986Resolves(String target, String normal) {
        assertThat(PathNormalizer.normalize(target)).isEqualTo(normal);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = " -> ", value = {
            // The bypasses: each names /admin/x to a backend that normalises.
            "/./admin/x -> /admin/x",
            "/%61dmin/x -> /admin/x",
            "/public/../admin/x -> /admin/x",
            "/admin/../x -> /x",
            // Encoded dots are dots, in any case.
            "/%2e/admin -> /admin",
            "/%2E%2E/admin -> /admin",
            "/a/%2e%2E/b -> /b",
            "/a/.%2e/b -> /b",
            "/a/%2E. -> /",
            // Unreserved characters are decoded; the rest keep their octet, with upper-case digits.
            "/%41%5a%61%7A%30%39%2D%2e%5F%7e -> /AZaz09-._~",
            "/a%2fb -> /a%2Fb",
            "/%c3%a9t%C3%a9 -> /%C3%A9t%C3%A9",
            "/%3f%23%25%20 -> /%3F%23%25%20",
            // An encoded slash separates no segments: these are no dot segments.
            "/a/..%2f/b -> /a/..%2F/b",
            "/a/%2E%2E%2Fb -> /a/..%2Fb",
            // Not decoded twice: %2541 is %41 as text, not A.
            "/%2541 -> /%2541",
            "/%252e%252e/x -> /%252e%252e/x",
            // Trailing dot segments name a directory.
            "/a/. -> /a/",
            "/a/.. -> /",
            "/a/b/.. -> /a/",
            "/. -> /",
            "/.. -> /",
            "/../.. -> /",
            // Empty segments are kept: '//' is not '/' under RFC 3986.
            "//a//b/ -> //a//b/",
            "/a//../b -> /a/b",
            "//../a -> /a",
            "/a/./ -> /a/",
            // Only the path: the query is left as it came, percent-encodings and dots included.
            "/a/../b?x=%2e%2E&y=/../ -> /b?x=%2e%2E&y=/../",
            "/%61?%61 -> /a?%61",
            "/..?q -> /?q",
            "/a/.?q -> /a/?q",
            "/%41%2fb/./c/%2E%2e/d?x=%zz -> /A%2Fb/d?x=%zz"})
    void normalisesEncodingsAndDotSegments(String target, String normal) {
        assertThat(PathNormalizer.normalize(target)).isEqualTo(normal);
    }

    /** What needs no change is returned as it is: the common request allocates nothing. */
    @ParameterizedTest
    @ValueSource(strings = {"/", "/a/b", "/products/4711?page=2", "/a%2Fb", "/%C3%A9", "/.well-known/x", "/a/.b",
            "/a/b./c", "/...", "/a/..b/", "//", "/?q=/./%2e%zz%", "/a?"})
    void aNormalPathIsTheSameInstance(String target) {
        assertThat(PathNormalizer.normalize(target)).isSameAs(target);
    }

    /** A '%' must be followed by two hex digits in the path, whether or not something before it changed. */
    @ParameterizedTest
    @ValueSource(strings = {"/%", "/a%", "/a%2", "/%zz", "/%g0", "/%0g", "/%%41", "/a%2?x", "/a%?x", "/%-1",
            "/./%zz", "/%61%", "/a/../b%2", "/%2e%"})
    void aMalformedPercentEncodingInThePathIsRefused(String target) {
        assertThat(PathNormalizer.normalize(target)).isNull();
    }
}
