package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.recorder.store.S3ProxyServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RecordingCallTest} with simulcast on (the default; set here so that the test keeps its meaning): each camera goes out as layers, and the recording takes the best
 * layer that flows (the top one may not go out at all while Chromium's bandwidth estimate ramps up, or on a
 * loaded machine), so every camera still gets a video file that ffprobe reads as about ten seconds, and the
 * meeting file is made of them.
 */
class SimulcastRecordingCallTest {
    private static final S3ProxyServer S3 = RecordingCallTest.startS3();

    @RegisterExtension
    static final CallFixture call = new CallFixture("simulcast-recording", () -> {
        List<String> args = new ArrayList<>(RecordingCallTest.serverArgs(S3));
        args.addAll(List.of("--simulcast", "true"));
        return args;
    });

    @AfterAll
    static void stopS3() throws Exception {
        S3.close();
    }

    @Test
    void aRecordingOfSimulcastCamerasHasAVideoFilePerCamera() throws Throwable {
        RecordingCallTest.recordTwoParticipants(call, S3, "simulcast-recording-", alice -> {
            Object rids = alice.page().evaluate("() => parley.publisherConnection.getSenders()"
                    + ".find((s) => s.track?.kind === 'video').getParameters().encodings.map((e) => e.rid)");
            assertTrue(rids instanceof List<?> list && list.size() >= 2 && !list.contains(null),
                    "Alice's camera goes out as simulcast layers: " + rids);
        });
    }
}
