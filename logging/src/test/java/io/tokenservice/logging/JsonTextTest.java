package io.tokenservice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonTextTest {

    static Stream<Arguments> strings() {
        return Stream.of(
                Arguments.of("quotes and backslashes", "a\"b\\c", "\"a\\\"b\\\\c\""),
                Arguments.of("line breaks and tabs", "x\ny\rz\tw\b\f", "\"x\\ny\\rz\\tw\\b\\f\""),
                Arguments.of("control characters and DEL", "\u0000\u001f\u007f", "\"\\u0000\\u001f\\u007f\""),
                Arguments.of("JavaScript's line separators", "a\u2028b\u2029c", "\"a\\u2028b\\u2029c\""),
                Arguments.of("lone surrogates", "\ud800x\udc00", "\"\\ud800x\\udc00\""),
                Arguments.of("other characters as they are", "é漢\ud83d\ude00", "\"é漢\ud83d\ude00\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strings")
    void aStringIsOneValidJsonLiteralOnOneLine(String what, String text, String json) {
        StringBuilder b = new StringBuilder();

        JsonText.appendString(b, text);

        assertThat(b).hasToString(json);
    }

    @Test
    void nullIsJsonsNull() {
        StringBuilder b = new StringBuilder("[");

        JsonText.appendString(b, null);

        assertThat(b).hasToString("[null");
    }
}
