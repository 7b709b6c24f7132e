package io.tokenservice.logging;

/**
 * JSON string literals for the lines we write by hand (the application log, the audit log): one escaping rule, so
 * a log pipeline never meets two dialects.
 */
public final class JsonText {
    private JsonText() {}

    /**
     * Appends {@code s} as a JSON string, or {@code null}: quotes, backslashes and control characters escaped (RFC
     * 8259), and also DEL, U+2028/U+2029 (line breaks to JavaScript) and lone surrogates (not encodable as UTF-8),
     * so a line stays one valid line whatever a caller or an attacker put in a field.
     */
    public static void appendString(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029'
                            || Character.isSurrogate(c) && !validSurrogateAt(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
