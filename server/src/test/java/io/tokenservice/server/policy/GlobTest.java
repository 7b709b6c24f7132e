package io.tokenservice.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {
    @ParameterizedTest(name = "{0} ~ \"{1}\" = {2}")
    @CsvSource(delimiter = '|', value = {
        "*|anything|true",
        "*|''|true",
        "team-*|team-|true",
        "team-*|team-red|true",
        "team-*|Team-red|false",
        "team-*|xteam-red|false",
        "*-room|red-room|true",
        "*-room|red-room2|false",
        "lobby|lobby|true",
        "lobby|lobby2|false",
        "lobby|lobb|false",
        "room?|room1|true",
        "room?|room|false",
        "room?|room12|false",
        "a*b*c|abc|true",
        "a*b*c|axxbyyc|true",
        "a*b*c|axxbyycd|false",
        "a*b*c|acb|false",
        "*a*|bab|true",
        "*a*|bbb|false",
        "**|x|true",
        "a**b|ab|true",
        "?*|''|false",
        "?*|x|true",
        "*?|x|true",
        "t?am-*-?|team-x-1|true",
        "t?am-*-?|team-x-12|false",
        "*aaa*aab|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab|true",
        "*aaa*aab|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|false",
    })
    void matchesWholeStrings(String pattern, String input, boolean expected) {
        assertThat(Glob.compile(pattern).matches(input)).isEqualTo(expected);
        assertThat(Glob.compile(pattern).matches(input)).isEqualTo(regexOf(pattern).matcher(input).matches());
    }

    @Test
    void regexMetacharactersAreLiterals() {
        assertThat(Glob.compile("a.b").matches("a.b")).isTrue();
        assertThat(Glob.compile("a.b").matches("axb")).isFalse();
        assertThat(Glob.compile("(x)+[y]|z^$").matches("(x)+[y]|z^$")).isTrue();
        assertThat(Glob.compile("a.*").matches("a.bc")).isTrue();
        assertThat(Glob.compile("a.*").matches("abc")).isFalse();
    }

    @Test
    void emptyPatternIsRejected() {
        assertThatThrownBy(() -> Glob.compile("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void globListMatchesAnyAndPrintsAsConfigured() {
        GlobList l = GlobList.of(List.of("team-*", "lobby"));
        assertThat(l.matches("team-x")).isTrue();
        assertThat(l.matches("lobby")).isTrue();
        assertThat(l.matches("other")).isFalse();
        assertThat(l).hasToString("[team-*, lobby]");
        assertThat(GlobList.none().matches("")).isFalse();
        assertThat(GlobList.none().matches("x")).isFalse();
        assertThat(GlobList.any().matches("x")).isTrue();
        assertThat(GlobList.of(List.of("x", "**")).matchesEverything()).isTrue();
    }

    @Test
    void randomisedAgainstRegex() {
        java.util.Random random = new java.util.Random(42);
        String alphabet = "ab*?";
        for (int i = 0; i < 20_000; i++) {
            String p = random(random, alphabet, 1 + random.nextInt(6));
            String s = random(random, "abc", random.nextInt(8));
            assertThat(Glob.compile(p).matches(s)).as("%s ~ %s", p, s).isEqualTo(regexOf(p).matcher(s).matches());
        }
    }

    private static String random(java.util.Random r, String alphabet, int len) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < len; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** Reference semantics (tests only). */
    private static Pattern regexOf(String glob) {
        StringBuilder b = new StringBuilder();
        for (char c : glob.toCharArray()) {
            b.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(b.toString(), Pattern.DOTALL);
    }
}
