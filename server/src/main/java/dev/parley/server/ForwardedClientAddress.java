package dev.parley.server;

import dev.parley.signaling.ClientAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Behind a trusted reverse proxy (the {@code trusted-proxies} setting), hands the wrapped handler the client's
 * address from {@code X-Forwarded-For} as the request's remote address, chosen as signaling chooses it
 * ({@link ClientAddress}). The REST API's per-address limits (failed logins) then count the clients behind the
 * gateway one by one instead of the gateway itself. Requests from any other peer pass unchanged.
 */
final class ForwardedClientAddress extends Handler.Wrapper {
    private final Set<String> trustedProxies;

    ForwardedClientAddress(Handler next, Set<String> trustedProxies) {
        super(next);
        this.trustedProxies = Set.copyOf(trustedProxies);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (trustedProxies.isEmpty() || !trustedProxies.contains(Request.getRemoteAddr(request))) {
            return super.handle(request, response, callback);
        }
        String client = ClientAddress.of(request, trustedProxies);
        int port = Request.getRemotePort(request);
        // Unresolved: the header's text is never looked up in DNS; the API reads it back as the host string.
        SocketAddress remote = InetSocketAddress.createUnresolved(client, port);
        ConnectionMetaData metaData = new ConnectionMetaData.Wrapper(request.getConnectionMetaData()) {
            @Override
            public SocketAddress getRemoteSocketAddress() {
                return remote;
            }
        };
        return super.handle(new Request.Wrapper(request) {
            @Override
            public ConnectionMetaData getConnectionMetaData() {
                return metaData;
            }
        }, response, callback);
    }
}
