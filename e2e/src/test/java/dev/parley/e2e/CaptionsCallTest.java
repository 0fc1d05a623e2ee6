package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.microsoft.playwright.Page;
import dev.parley.ai.ModelContract;
import dev.parley.ai.standin.KserveStandIn;
import dev.parley.testkit.Eventually;
import dev.parley.testkit.Required;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live captions end to end: a real voice (three sentences from espeak-ng with 2 s silences between them) is the
 * speaker's Chromium microphone; it goes through the SFU and the AI bridge to a KServe v2 stand-in for Triton,
 * which answers each segment with the sentence whose length it matches; another participant's page shows the
 * caption with the speaker's name. Checked: one segment per sentence, of the sentence's length, none for the
 * silences; the latency from the end of a spoken sentence to its caption on the other page; and a Triton stopped
 * mid-meeting: the call goes on, the page shows "captions paused", and captions come back after Triton restarts.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CaptionsCallTest {
    static final String[] SENTENCES = {
            "Good morning everyone.",
            "Today we look at the plan for the next release of the product.",
            "Please send me your questions after this meeting and I will answer all of them before the end of the week."};
    /** The bridge's defaults (docs/ai.md): pre-roll kept on both sides of the speech, hangover that ends a segment. */
    static final int PRE_ROLL_MS = 200;
    /**
     * How far a segment's length may be from the sentence's speech plus the pre-roll on both sides. The bridge's VAD
     * works on 20 ms frames above an adaptive floor and this test measures the speech with a fixed level on 10 ms
     * frames: they disagree on the soft starts and ends of words (fricatives, trailing vowels) by up to about 100 ms
     * each side; Opus adds its 6.5 ms look-ahead and a few ms of ramp. 250 ms is that with room to spare, and well
     * below the gaps between the sentences' lengths (over 1.5 s), so a segment can match only its own sentence.
     * Measured: speech 1180, 3150, 5470 ms; segments 1600, 3560, 5900 ms (20, 10, 30 ms off), every round.
     */
    static final long TOLERANCE_MS = 250;

    static Voice voice;
    static KserveStandIn triton;
    static ParleyServerProcess server;
    static HeadlessChromium speakerBrowser;
    static HeadlessChromium listenerBrowser;

    @BeforeAll
    static void start() throws Exception {
        Required.program("espeak-ng", "espeak-ng");
        Required.program("ffmpeg", "ffmpeg");
        Path dir = Files.createDirectories(E2eFiles.outputDir().resolve("captions"));
        voice = Voice.synthesize(dir, SENTENCES);
        triton = KserveStandIn.start(ModelContract.asrDefaults(), null);
        triton.answerTexts(r -> SENTENCES[voice.closest(r.durationMillis())]);
        server = ParleyServerProcess.start("captions", null, List.of("--ai-endpoints", "127.0.0.1:" + triton.port(),
                "--ai-captions", "all", "--ai-health-interval", "200ms", "--ai-breaker-open", "500ms",
                "--ai-deadline", "2s"));
        // The microphone flag is browser-wide: the speaker and the (silent) listeners get a browser each.
        speakerBrowser = HeadlessChromium.launch(List.of("--use-file-for-fake-audio-capture=" + voice.file(),
                "--autoplay-policy=no-user-gesture-required"));
        listenerBrowser = HeadlessChromium.launch(List.of("--use-file-for-fake-audio-capture=" + voice.silence()));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {speakerBrowser, listenerBrowser, server, triton}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // best effort at the end
            }
        }
    }

    @Test
    void eachSpokenSentenceBecomesOneSegmentAndACaptionOnTheOtherPage() throws Exception {
        triton.clearReceived();
        String room = "captions-" + UUID.randomUUID();
        try (MeetingPage listener = MeetingPage.join(listenerBrowser, server, room, "Lena");
             MeetingPage speaker = MeetingPage.join(speakerBrowser, server, room, "Sam")) {
            recordCaptions(listener);
            recordSpeechEnds(speaker);
            // The file loops: wait for a full round of the three sentences after the first segment (which may
            // have started before the media flowed, and then is cut).
            Eventually.await(Duration.ofSeconds(90), "two full rounds of the three sentences reach Triton",
                    () -> triton.received("asr").size() >= 7);
            List<KserveStandIn.Received> got = triton.received("asr");
            List<Long> lengths = got.stream().map(KserveStandIn.Received::durationMillis).toList();
            List<Integer> which = new ArrayList<>();
            for (int i = 1; i < got.size(); i++) {
                long len = lengths.get(i);
                int s = voice.closest(len);
                long expected = voice.speechMillis(s) + 2 * PRE_ROLL_MS;
                assertTrue(Math.abs(len - expected) <= TOLERANCE_MS, "segment " + i + " of " + len + " ms matches no"
                        + " sentence (closest: " + s + ", expected " + expected + " ms); all: " + lengths
                        + ", sentences: " + voice.speechLengths());
                which.add(s);
            }
            // One segment per sentence, in the order spoken, none for the silences: the segments follow the cycle.
            for (int i = 1; i < which.size(); i++) {
                assertEquals((which.get(i - 1) + 1) % SENTENCES.length, which.get(i),
                        "segments follow the sentences one by one: " + which + " " + lengths);
            }
            assertTrue(triton.violations().isEmpty(), triton.violations().toString());
            System.out.println("CAPTIONS SEGMENTS: sentences' speech " + voice.speechLengths() + " ms (+" + 2 * PRE_ROLL_MS
                    + " ms pre-roll), segments " + lengths + " ms");

            List<Map<String, Object>> captions = captions(listener);
            assertTrue(captions.size() >= 6, "captions on the listener's page: " + captions);
            for (Map<String, Object> c : captions) {
                assertEquals("Sam", c.get("name"), "the speaker's name: " + c);
            }
            String shown = listener.page().locator("#captions").innerText();
            assertTrue(shown.contains("Sam: ") && java.util.Arrays.stream(SENTENCES).anyMatch(shown::contains),
                    "the page shows the caption with the speaker's name: " + shown);

            // Latency: end of each spoken sentence (the speaker's own microphone going quiet) to its caption on the
            // listener's page (the caption event, which the page renders synchronously).
            List<Double> ends = speechEnds(speaker);
            List<Long> latencies = new ArrayList<>();
            for (Map<String, Object> c : captions) {
                double at = ((Number) c.get("at")).doubleValue();
                double end = ends.stream().filter(e -> e < at).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                if (!Double.isNaN(end) && at - end < 10_000) {
                    latencies.add(Math.round(at - end));
                }
            }
            assertTrue(latencies.size() >= 3, "latencies: " + latencies + ", ends: " + ends + ", captions: " + captions);
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            long median = sorted.get(sorted.size() / 2);
            System.out.println("CAPTIONS LATENCY: median " + median + " ms over " + sorted.size()
                    + " sentences (end of speech -> caption on the other page): " + sorted);
            assertTrue(median <= 1500, "median end-of-speech -> caption latency " + median + " ms: " + sorted);
        }
    }

    @Test
    void aStoppedTritonPausesCaptionsWithoutStoppingTheCall() throws Exception {
        String room = "captions-" + UUID.randomUUID();
        try (MeetingPage listener = MeetingPage.join(listenerBrowser, server, room, "Lena");
             MeetingPage speaker = MeetingPage.join(speakerBrowser, server, room, "Sam")) {
            recordCaptions(listener);
            Eventually.await(Duration.ofSeconds(60), "a first caption",
                    () -> !captions(listener).isEmpty());
            triton.stop();
            try {
                listener.page().waitForSelector("#captions-paused", new Page.WaitForSelectorOptions()
                        .setState(com.microsoft.playwright.options.WaitForSelectorState.VISIBLE).setTimeout(10_000));
                // The call goes on: audio and video still flow, and signaling answers (a newcomer joins).
                listener.awaitMediaFrom(List.of("Sam"), Duration.ofSeconds(10));
                try (MeetingPage late = MeetingPage.join(listenerBrowser, server, room, "Lou")) {
                    // Sam's voice reaches the newcomer (its first video frame may take longer on a loaded machine).
                    long[] first = {-1};
                    Eventually.await(Duration.ofSeconds(20), "Sam's audio reaches the newcomer", () -> {
                        ReceiverStats st = late.receiverStatsByName().get("Sam");
                        long bytes = st == null ? -1 : st.audioBytesReceived();
                        if (first[0] < 0 && bytes > 0) {
                            first[0] = bytes;
                        }
                        return first[0] > 0 && bytes > first[0];
                    });
                    late.page().waitForSelector("#captions-paused", new Page.WaitForSelectorOptions()
                            .setState(com.microsoft.playwright.options.WaitForSelectorState.VISIBLE).setTimeout(10_000));
                }
                assertEquals(200, server.get("/health").statusCode());
            } finally {
                triton.restart();
            }
            int before = captions(listener).size();
            listener.page().waitForSelector("#captions-paused", new Page.WaitForSelectorOptions()
                    .setState(com.microsoft.playwright.options.WaitForSelectorState.HIDDEN).setTimeout(15_000));
            Eventually.await(Duration.ofSeconds(60), "captions come back after Triton restarts",
                    () -> captions(listener).size() > before);
        }
    }

    private static void recordCaptions(MeetingPage page) {
        page.page().evaluate("() => { window.__captions = []; window.parley.addEventListener('caption',"
                + " ({ detail }) => window.__captions.push({ name: detail.name, text: detail.text, at: Date.now() })); }");
    }

    private static List<Map<String, Object>> captions(MeetingPage page) {
        try {
            return CallPage.Json.MAPPER.readValue(page.evaluateJson("async () => window.__captions"), new TypeReference<>() {});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Watches the speaker's own microphone track (what the publisher sends) with an analyser and notes when speech
     * ends: the last 10 ms frame above -40 dBFS before 500 ms of quiet.
     */
    private static void recordSpeechEnds(MeetingPage page) {
        page.page().waitForFunction("() => window.parley.publisherConnection && window.parley.publisherConnection"
                + ".getSenders().some(s => s.track && s.track.kind === 'audio')");
        page.page().evaluate("""
                () => {
                  window.__speechEnds = [];
                  const track = window.parley.publisherConnection.getSenders().find(s => s.track && s.track.kind === 'audio').track;
                  const ctx = new AudioContext();
                  const analyser = ctx.createAnalyser();
                  analyser.fftSize = 512;
                  ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
                  const buf = new Float32Array(analyser.fftSize);
                  let lastLoud = 0, speaking = false;
                  setInterval(() => {
                    analyser.getFloatTimeDomainData(buf);
                    let sum = 0;
                    for (const v of buf) sum += v * v;
                    const now = Date.now();
                    if (Math.sqrt(sum / buf.length) > 0.01) { lastLoud = now; speaking = true; }
                    else if (speaking && now - lastLoud > 500) { window.__speechEnds.push(lastLoud); speaking = false; }
                  }, 10);
                }""");
    }

    private static List<Double> speechEnds(MeetingPage page) {
        try {
            return CallPage.Json.MAPPER.readValue(page.evaluateJson("async () => window.__speechEnds"), new TypeReference<>() {});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The speaker's microphone file: 1 s of silence, then each sentence followed by 2 s of silence, 48 kHz mono
     * 16-bit; and each sentence's speech length, measured on the samples.
     */
    record Voice(Path file, Path silence, List<Long> speechLengths) {
        static final int RATE = 48_000;

        static Voice synthesize(Path dir, String[] sentences) throws Exception {
            List<short[]> parts = new ArrayList<>();
            List<Long> lengths = new ArrayList<>();
            for (int i = 0; i < sentences.length; i++) {
                Path wav = dir.resolve("sentence-" + i + ".wav");
                Path raw = dir.resolve("sentence-" + i + ".s16");
                run("espeak-ng", "-s", "160", "-w", wav.toString(), sentences[i]);
                run("ffmpeg", "-y", "-loglevel", "error", "-i", wav.toString(), "-ar", String.valueOf(RATE), "-ac", "1",
                        "-f", "s16le", raw.toString());
                ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
                short[] s = new short[b.remaining() / 2];
                b.asShortBuffer().get(s);
                parts.add(s);
                lengths.add(speechMillis(s));
            }
            List<short[]> layout = new ArrayList<>();
            layout.add(new short[RATE]);
            for (short[] p : parts) {
                layout.add(p);
                layout.add(new short[2 * RATE]);
            }
            Path file = dir.resolve("voice.wav");
            writeWav(file, layout);
            Path silence = dir.resolve("silence.wav");
            writeWav(silence, List.of(new short[2 * RATE]));
            return new Voice(file, silence, List.copyOf(lengths));
        }

        long speechMillis(int sentence) {
            return speechLengths.get(sentence);
        }

        /** The sentence whose speech (plus the pre-roll on both sides) is closest to a segment of {@code millis}. */
        int closest(long millis) {
            int best = 0;
            for (int i = 1; i < speechLengths.size(); i++) {
                if (Math.abs(speechLengths.get(i) + 2 * PRE_ROLL_MS - millis)
                        < Math.abs(speechLengths.get(best) + 2 * PRE_ROLL_MS - millis)) {
                    best = i;
                }
            }
            return best;
        }

        /** From the first to the last 10 ms frame above -40 dBFS. */
        private static long speechMillis(short[] s) {
            int frame = RATE / 100;
            int first = -1;
            int last = -1;
            for (int f = 0; f + frame <= s.length; f += frame) {
                double sum = 0;
                for (int i = f; i < f + frame; i++) {
                    sum += (double) s[i] * s[i];
                }
                if (Math.sqrt(sum / frame) / 32768.0 > 0.01) {
                    if (first < 0) first = f;
                    last = f + frame;
                }
            }
            return first < 0 ? 0 : (last - first) * 1000L / RATE;
        }

        private static void writeWav(Path file, List<short[]> parts) throws IOException {
            int samples = parts.stream().mapToInt(p -> p.length).sum();
            ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
            b.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVE".getBytes());
            b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(RATE).putInt(2 * RATE)
                    .putShort((short) 2).putShort((short) 16);
            b.put("data".getBytes()).putInt(2 * samples);
            for (short[] p : parts) {
                for (short v : p) {
                    b.putShort(v);
                }
            }
            Files.write(file, b.array());
        }

        private static void run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        }
    }
}
