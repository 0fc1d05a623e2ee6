package dev.parley.signaling;

import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.Request;

/**
 * The address a client connects from, as the per-address limits count it: signaling's here, and the REST API's
 * through the server's wrapper around it.
 */
public final class ClientAddress {
    private ClientAddress() {}

    /**
     * The socket's remote address; when that is a trusted proxy, the nearest address in {@code X-Forwarded-For}
     * that is not itself a trusted proxy (entries further left are written by the client and can be forged).
     */
    public static String of(Request request, Set<String> trustedProxies) {
        String peer = Request.getRemoteAddr(request);
        if (!trustedProxies.contains(peer)) {
            return peer;
        }
        List<String> forwarded = request.getHeaders().getValuesList("X-Forwarded-For");
        for (int h = forwarded.size() - 1; h >= 0; h--) {
            String[] hops = forwarded.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = hops[i].trim();
                if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
                    return hop.length() > 64 ? hop.substring(0, 64) : hop;
                }
            }
        }
        return peer;
    }
}
