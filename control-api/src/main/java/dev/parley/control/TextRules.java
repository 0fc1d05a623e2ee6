package dev.parley.control;

/** The rules every stored text field follows, shared by body and query validation. */
final class TextRules {
    private TextRules() {}

    /** Why {@code text} is not acceptable, or null when it is. Lengths count Unicode code points. */
    static String problem(String text, int min, int max) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return "must not contain NUL characters";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "must be valid Unicode (it has an unpaired surrogate)";
            }
            if (Character.isLowSurrogate(c)) {
                return "must be valid Unicode (it has an unpaired surrogate)";
            }
        }
        int length = text.codePointCount(0, text.length());
        if (length < min) {
            return min == 1 ? "must not be empty" : "must be at least " + min + " characters";
        }
        if (length > max) {
            return "must be at most " + max + " characters (was " + length + ")";
        }
        return null;
    }

    /** A field name safe to echo back in an error message: bounded and without control characters. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder();
        name.codePoints().limit(64).forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) || (cp >= 0xD800 && cp <= 0xDFFF) ? '?' : cp));
        return out.toString();
    }
}
