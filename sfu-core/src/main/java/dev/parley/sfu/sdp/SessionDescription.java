package dev.parley.sfu.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed SDP (RFC 8866) document: session-level lines and media sections, kept as raw attribute lines.
 *
 * <p>Parley reads only what it negotiates (ICE credentials, fingerprint, codecs, SSRCs, msid, mid,
 * header extensions) and writes its own SDP from scratch, so a thin line model is enough. Parsing never
 * trusts the input: sizes are bounded and anything malformed raises {@link SdpException}.
 */
public final class SessionDescription {
    /** SDP larger than this is refused: a meeting's offer is a few KiB, even with many m-sections. */
    public static final int MAX_LENGTH = 256 * 1024;
    static final int MAX_MEDIA_SECTIONS = 512;

    private final List<String> sessionAttributes;
    private final List<MediaSection> media;

    private SessionDescription(List<String> sessionAttributes, List<MediaSection> media) {
        this.sessionAttributes = sessionAttributes;
        this.media = media;
    }

    public static SessionDescription parse(String sdp) throws SdpException {
        if (sdp == null || sdp.isBlank()) {
            throw new SdpException("the SDP is empty");
        }
        if (sdp.length() > MAX_LENGTH) {
            throw new SdpException("the SDP is " + sdp.length() + " characters, more than the limit of " + MAX_LENGTH);
        }
        List<String> session = new ArrayList<>();
        List<MediaSection> media = new ArrayList<>();
        MediaSection current = null;
        boolean sawVersion = false;
        int lineNo = 0;
        for (String raw : sdp.split("\r?\n")) {
            lineNo++;
            if (raw.isEmpty()) {
                continue;
            }
            if (raw.length() < 2 || raw.charAt(1) != '=') {
                throw new SdpException("line " + lineNo + " is not of the form <type>=<value>");
            }
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c < 0x20 && c != '\t') {
                    throw new SdpException("line " + lineNo + " contains a control character");
                }
            }
            char type = raw.charAt(0);
            String value = raw.substring(2);
            if (lineNo == 1 && type != 'v') {
                throw new SdpException("the SDP must start with v=0");
            }
            switch (type) {
                case 'v' -> {
                    if (!value.equals("0")) {
                        throw new SdpException("unsupported SDP version v=" + value);
                    }
                    sawVersion = true;
                }
                case 'm' -> {
                    if (media.size() >= MAX_MEDIA_SECTIONS) {
                        throw new SdpException("more than " + MAX_MEDIA_SECTIONS + " media sections");
                    }
                    current = MediaSection.parseMediaLine(value, lineNo);
                    media.add(current);
                }
                case 'a' -> {
                    if (current == null) {
                        session.add(value);
                    } else {
                        current.attributes().add(value);
                    }
                }
                default -> {
                    // o=, s=, t=, c=, b= and the rest carry nothing Parley negotiates.
                }
            }
        }
        if (!sawVersion) {
            throw new SdpException("the SDP has no v= line");
        }
        return new SessionDescription(List.copyOf(session), List.copyOf(media));
    }

    public List<MediaSection> media() {
        return media;
    }

    public List<String> sessionAttributes() {
        return sessionAttributes;
    }

    /** A session-level attribute's value ({@code null} when absent); for {@code a=name:value} or a flag {@code a=name}. */
    public String sessionAttribute(String name) {
        return MediaSection.find(sessionAttributes, name);
    }

    /**
     * The mids of the first {@code a=group:BUNDLE} line (RFC 8843), empty when the SDP has none. Parley carries
     * every m-section over one transport, so only this group matters.
     */
    public List<String> bundleMids() {
        for (String a : sessionAttributes) {
            if (a.startsWith("group:BUNDLE")) {
                String mids = a.substring("group:BUNDLE".length()).trim();
                return mids.isEmpty() ? List.of() : List.of(mids.split("[ \t]+"));
            }
        }
        return List.of();
    }

    /**
     * The attribute from the media section, falling back to the session level, as ICE credentials and
     * fingerprints may sit at either.
     */
    public String attribute(MediaSection section, String name) {
        String value = section.attribute(name);
        return value != null ? value : sessionAttribute(name);
    }
}
