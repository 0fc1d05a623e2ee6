package dev.parley.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/protocol.md's error codes are exactly the ones the signaling code sends: clients switch on them. */
class ProtocolDocumentTest {
    private static final Path DOC = Path.of("../docs/protocol.md");
    /** Where signaling gives a code: {@code error}, {@code refuseJoin}, {@code new Invalid}, join and recording refusals. */
    private static final Source SIGNALING = new Source(Path.of("src/main/java/dev/parley/signaling"),
            Pattern.compile("(?:\\berror|\\brefuseJoin|new Invalid|RefusedException)\\(\"([a-z_]+)\""));
    /** The control plane decides why a join or a recording request is refused; signaling passes its code on. */
    private static final Source CONTROL = new Source(Path.of("../control-api/src/main/java/dev/parley/control"),
            Pattern.compile("new (?:AdmissionRefused|RecordingRefused|CaptionsRefused)\\(\"([a-z_]+)\""));

    private record Source(Path dir, Pattern sent) {}

    @Test
    void documentedErrorCodesAreTheOnesSent() throws Exception {
        Set<String> documented = documentedCodes(Files.readString(DOC));
        Set<String> sent = new TreeSet<>();
        for (Source source : List.of(SIGNALING, CONTROL)) {
            try (Stream<Path> files = Files.walk(source.dir())) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = source.sent().matcher(Files.readString(f));
                    while (m.find()) {
                        sent.add(m.group(1));
                    }
                }
            }
        }
        assertTrue(sent.size() >= 5, "the scan finds the codes the code sends: " + sent);
        assertEquals(sent, documented, "docs/protocol.md '### Error codes' against the codes signaling and the control plane send");
        Matcher mention = Pattern.compile("`code` `([a-z_]+)`").matcher(Files.readString(DOC));
        while (mention.find()) {
            assertTrue(sent.contains(mention.group(1)), "docs/protocol.md names code '" + mention.group(1)
                    + "', which the server never sends");
        }
    }

    @Test
    void errorCodeEnumIsTheDocumentedTable() throws Exception {
        Set<String> enumerated = new TreeSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            enumerated.add(c.wireName());
        }
        assertEquals(documentedCodes(Files.readString(DOC)), enumerated,
                "ErrorCode (the refusal metric's label values) against docs/protocol.md '### Error codes'");
    }

    private static Set<String> documentedCodes(String doc) {
        int start = doc.indexOf("### Error codes");
        assertTrue(start >= 0, "docs/protocol.md has an '### Error codes' section");
        Set<String> codes = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+)` \\|").matcher(doc);
        row.region(start, doc.indexOf("\n## ", start) < 0 ? doc.length() : doc.indexOf("\n## ", start));
        while (row.find()) {
            codes.add(row.group(1));
        }
        return codes;
    }
}
