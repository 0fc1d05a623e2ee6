package dev.parley.sfu.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * A trickle-ICE SDP fragment ({@code application/trickle-ice-sdpfrag}, RFC 8840) as WHIP and WHEP clients
 * PATCH it: ICE credentials, the candidates per mid, and end-of-candidates. Parsing is strict about size and
 * shape and lenient about attributes it does not use.
 *
 * @param ufrag the {@code a=ice-ufrag} of the fragment, null when absent
 * @param pwd the {@code a=ice-pwd}, null when absent
 * @param candidates the {@code a=candidate} values, in order
 * @param endOfCandidates whether {@code a=end-of-candidates} was present
 */
public record IceFragment(String ufrag, String pwd, List<String> candidates, boolean endOfCandidates) {
    /** Largest fragment accepted. */
    public static final int MAX_LENGTH = 16 * 1024;
    /** Most candidates one fragment may carry. */
    public static final int MAX_CANDIDATES = 64;

    public IceFragment {
        candidates = List.copyOf(candidates);
    }

    /**
     * Whether this fragment asks for an ICE restart against a session whose remote credentials are
     * {@code currentUfrag}: new credentials (RFC 9725 section 4.3.2).
     */
    public boolean restartsIce(String currentUfrag) {
        return ufrag != null && !ufrag.equals(currentUfrag);
    }

    /** Parses a fragment; fails with a message fit for a client when it is malformed. */
    public static IceFragment parse(String body) throws SdpException {
        if (body == null) {
            throw new SdpException("the fragment is empty");
        }
        if (body.length() > MAX_LENGTH) {
            throw new SdpException("the fragment is longer than " + MAX_LENGTH + " characters");
        }
        String ufrag = null;
        String pwd = null;
        boolean end = false;
        boolean sawMedia = false;
        List<String> candidates = new ArrayList<>();
        for (String raw : body.split("\n", -1)) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw new SdpException("not an SDP line: " + abbreviate(line));
            }
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c < 0x20 || c == 0x7F) {
                    throw new SdpException("control character in line: " + abbreviate(line));
                }
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            switch (type) {
                case 'm' -> {
                    String[] f = value.split(" +");
                    if (f.length < 3) {
                        throw new SdpException("malformed m= line: " + abbreviate(line));
                    }
                    sawMedia = true;
                }
                case 'a' -> {
                    if (value.startsWith("ice-ufrag:")) {
                        ufrag = iceChars("ice-ufrag", value.substring(10), 1, 256, ufrag);
                    } else if (value.startsWith("ice-pwd:")) {
                        pwd = iceChars("ice-pwd", value.substring(8), 1, 256, pwd);
                    } else if (value.startsWith("candidate:")) {
                        String c = value.substring(10);
                        String[] f = c.trim().split(" +");
                        if (f.length < 8 || !f[6].equals("typ")) {
                            throw new SdpException("malformed a=candidate: " + abbreviate(c));
                        }
                        try {
                            int component = Integer.parseInt(f[1]);
                            long priority = Long.parseLong(f[3]);
                            int port = Integer.parseInt(f[5]);
                            if (component < 1 || component > 256 || priority < 0 || priority > 0xFFFFFFFFL
                                    || port < 0 || port > 65535) {
                                throw new NumberFormatException();
                            }
                        } catch (NumberFormatException e) {
                            throw new SdpException("a=candidate has an invalid component, priority or port: " + abbreviate(c));
                        }
                        if (candidates.size() == MAX_CANDIDATES) {
                            throw new SdpException("more than " + MAX_CANDIDATES + " candidates in one fragment");
                        }
                        candidates.add(c);
                    } else if (value.equals("end-of-candidates")) {
                        end = true;
                    }
                    // a=mid, a=group:BUNDLE, a=ice-options and others: accepted, not needed by an ICE-lite server.
                }
                default -> {
                    // other line types (v=, o=, c=...) are not expected in a fragment but do no harm
                }
            }
        }
        if (!candidates.isEmpty() && !sawMedia) {
            throw new SdpException("candidates must follow an m= line naming their media section");
        }
        if ((ufrag == null) != (pwd == null)) {
            throw new SdpException("a fragment carries both a=ice-ufrag and a=ice-pwd, or neither");
        }
        return new IceFragment(ufrag, pwd, candidates, end);
    }

    private static String iceChars(String name, String v, int min, int max, String previous) throws SdpException {
        if (previous != null && !previous.equals(v)) {
            throw new SdpException("the fragment has two different a=" + name);
        }
        if (v.length() < min || v.length() > max || !v.matches("[A-Za-z0-9+/]+")) {
            throw new SdpException("a=" + name + " must be " + min + " to " + max + " ICE characters");
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
