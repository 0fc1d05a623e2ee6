package dev.parley.recorder.store;

import java.util.regex.Pattern;

/**
 * The name of a stored recording file, the same in every store: slash-separated segments of letters, digits,
 * {@code . _ -}, e.g. {@code meetings/42/rec-7/meeting.webm}. Segments {@code .} and {@code ..}, empty segments
 * and a leading slash are refused, so a key can never leave the local store's directory.
 */
public record ObjectKey(String value) {
    private static final int MAX_LENGTH = 512;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public ObjectKey {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("object key is empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("object key longer than " + MAX_LENGTH + " characters");
        }
        for (String segment : value.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("object key '" + value.replaceAll("[^\\x20-\\x7e]", "?")
                        + "' has an invalid segment: use letters, digits and . _ - separated by single slashes");
            }
        }
    }

    public static ObjectKey of(String value) {
        return new ObjectKey(value);
    }

    /** The last segment, e.g. {@code meeting.webm}. */
    public String fileName() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    @Override
    public String toString() {
        return value;
    }
}
