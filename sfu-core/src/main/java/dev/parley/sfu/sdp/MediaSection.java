package dev.parley.sfu.sdp;

import java.util.ArrayList;
import java.util.List;

/** One {@code m=} section of an SDP with its raw attribute lines (without the {@code a=} prefix). */
public final class MediaSection {
    private final String kind;
    private final int port;
    private final String protocol;
    private final List<String> formats;
    private final List<String> attributes = new ArrayList<>();

    private MediaSection(String kind, int port, String protocol, List<String> formats) {
        this.kind = kind;
        this.port = port;
        this.protocol = protocol;
        this.formats = formats;
    }

    static MediaSection parseMediaLine(String value, int lineNo) throws SdpException {
        String[] parts = value.trim().split(" +");
        if (parts.length < 3) {
            throw new SdpException("line " + lineNo + ": m= needs <media> <port> <proto> <fmt...>");
        }
        int port;
        try {
            String p = parts[1];
            int slash = p.indexOf('/');
            port = Integer.parseInt(slash < 0 ? p : p.substring(0, slash));
        } catch (NumberFormatException e) {
            throw new SdpException("line " + lineNo + ": m= port is not a number: " + parts[1]);
        }
        if (port < 0 || port > 65535) {
            throw new SdpException("line " + lineNo + ": m= port out of range: " + port);
        }
        List<String> formats = List.of(parts).subList(3, parts.length);
        return new MediaSection(parts[0], port, parts[2], List.copyOf(formats));
    }

    public String kind() {
        return kind;
    }

    public int port() {
        return port;
    }

    public String protocol() {
        return protocol;
    }

    public List<String> formats() {
        return formats;
    }

    public List<String> attributes() {
        return attributes;
    }

    /** The value of the first {@code a=name:value} (empty string for a flag {@code a=name}); null when absent. */
    public String attribute(String name) {
        return find(attributes, name);
    }

    /** The values of every {@code a=name:value} line. */
    public List<String> attributes(String name) {
        List<String> values = new ArrayList<>();
        for (String a : attributes) {
            String v = valueOf(a, name);
            if (v != null) {
                values.add(v);
            }
        }
        return values;
    }

    public boolean has(String flag) {
        return attribute(flag) != null;
    }

    /** The media direction: sendrecv (the default), sendonly, recvonly or inactive. */
    public String direction() {
        for (String d : List.of("sendonly", "recvonly", "inactive", "sendrecv")) {
            if (has(d)) {
                return d;
            }
        }
        return "sendrecv";
    }

    static String find(List<String> attributes, String name) {
        for (String a : attributes) {
            String v = valueOf(a, name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String valueOf(String attribute, String name) {
        if (!attribute.startsWith(name)) {
            return null;
        }
        if (attribute.length() == name.length()) {
            return "";
        }
        return attribute.charAt(name.length()) == ':' ? attribute.substring(name.length() + 1) : null;
    }
}
