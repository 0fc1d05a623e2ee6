package dev.parley.server;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * With a metrics listener: requests that arrive on it reach only {@link Observability} ({@code /metrics},
 * {@code /health}); everything else (web client, API, signaling) is served on the public listener only.
 */
final class ListenerRoutes extends Handler.Wrapper {
    private final Connector metricsListener;
    private final Handler metricsRoutes;

    ListenerRoutes(Connector metricsListener, Handler metricsRoutes, Handler publicRoutes) {
        super(publicRoutes);
        this.metricsListener = metricsListener;
        this.metricsRoutes = metricsRoutes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (request.getConnectionMetaData().getConnector() == metricsListener) {
            return metricsRoutes.handle(request, response, callback);
        }
        return super.handle(request, response, callback);
    }
}
