package dev.parley.control;

import java.util.List;

/**
 * A transcript as WebVTT (W3C WebVTT): one cue per segment, the speaker as a voice span {@code <v Name>}. Text is
 * escaped so that no segment can end its cue early or forge markup: {@code &}, {@code <} and {@code >} become
 * entities (which also breaks any {@code -->}), and blank lines inside a text are closed up.
 */
final class WebVttWriter {
    private WebVttWriter() {}

    static String write(List<TranscriptStore.StoredSegment> segments) {
        StringBuilder out = new StringBuilder("WEBVTT\n");
        int n = 0;
        for (TranscriptStore.StoredSegment s : segments) {
            String text = SrtWriter.singleBlock(s.text());
            if (text.isEmpty()) {
                continue;
            }
            out.append('\n').append(++n).append('\n')
                    .append(time(s.startMs())).append(" --> ").append(time(Math.max(s.endMs(), s.startMs()))).append('\n')
                    .append("<v ").append(escape(SrtWriter.oneLine(s.participantName()))).append('>')
                    .append(escape(text)).append("</v>\n");
        }
        return out.toString();
    }

    /** {@code hh:mm:ss.ttt}; hours grow past two digits for very long meetings, as the format allows. */
    static String time(long ms) {
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        long sec = ms / 1000 % 60;
        return String.format(java.util.Locale.ROOT, "%02d:%02d:%02d.%03d", h, m, sec, ms % 1000);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
