package dev.parley.control;

import java.util.Locale;

/** Field rules for accounts, shared by registration, admin creation and profile edits. */
final class AccountRules {
    static final int EMAIL_MAX = 254;
    static final int NAME_MAX = 100;
    static final int PASSWORD_MIN = 8;
    static final int PASSWORD_MAX = 256;

    private AccountRules() {}

    /** The normalised (lower-case) email, or null after recording why it is not one. */
    static String email(JsonBody body, String field) {
        String raw = body.text(field, 3, EMAIL_MAX, true);
        if (raw == null) {
            return null;
        }
        int at = raw.indexOf('@');
        boolean shaped = at > 0 && at == raw.lastIndexOf('@') && at < raw.length() - 1
                && raw.codePoints().noneMatch(cp -> Character.isWhitespace(cp) || Character.isISOControl(cp));
        if (!shaped) {
            body.error(field, "must be an email address like name@example.com");
            return null;
        }
        return raw.toLowerCase(Locale.ROOT);
    }

    static String password(JsonBody body, String field, boolean required) {
        return body.text(field, PASSWORD_MIN, PASSWORD_MAX, required);
    }

    static String displayName(JsonBody body, String field, boolean required) {
        String name = body.text(field, 1, NAME_MAX, required);
        if (name != null && name.isBlank()) {
            body.error(field, "must not be blank");
            return null;
        }
        return name;
    }
}
