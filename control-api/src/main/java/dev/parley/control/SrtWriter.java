package dev.parley.control;

import java.util.List;

/**
 * A transcript as SubRip (SRT): numbered cues, {@code hh:mm:ss,ttt} times, the speaker's name before the text.
 * SRT has no escaping, so a text can end its cue only with a blank line, which is closed up; a {@code -->} inside
 * a text is harmless past the timing line but is spaced out ({@code -- >}) for players that scan for it.
 */
final class SrtWriter {
    private SrtWriter() {}

    static String write(List<TranscriptStore.StoredSegment> segments) {
        StringBuilder out = new StringBuilder();
        int n = 0;
        for (TranscriptStore.StoredSegment s : segments) {
            String text = singleBlock(s.text()).replace("-->", "-- >");
            if (text.isEmpty()) {
                continue;
            }
            if (n > 0) {
                out.append('\n');
            }
            out.append(++n).append('\n')
                    .append(time(s.startMs())).append(" --> ").append(time(Math.max(s.endMs(), s.startMs()))).append('\n')
                    .append(oneLine(s.participantName()).replace("-->", "-- >")).append(": ").append(text).append('\n');
        }
        return out.toString();
    }

    /** {@code hh:mm:ss,ttt}. */
    static String time(long ms) {
        return WebVttWriter.time(ms).replace('.', ',');
    }

    /** The text with line breaks normalized, blank lines and surrounding blanks removed, control characters dropped. */
    static String singleBlock(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.replace("\r\n", "\n").replace('\r', '\n').split("\n")) {
            String clean = controlFree(line).strip();
            if (!clean.isEmpty()) {
                if (!b.isEmpty()) {
                    b.append('\n');
                }
                b.append(clean);
            }
        }
        return b.toString();
    }

    /** A name on one line. */
    static String oneLine(String text) {
        return controlFree(text.replaceAll("\\s+", " ")).strip();
    }

    private static String controlFree(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().filter(c -> c == '\t' || !Character.isISOControl(c)).forEach(b::appendCodePoint);
        return b.toString();
    }
}
