package dev.parley.ai;

import java.util.Map;

/**
 * One Triton endpoint as the last health check and the recent calls saw it.
 *
 * @param endpoint {@code host:port}
 * @param checked whether a health check has answered or failed yet
 * @param ready ServerReady's answer (false when unreachable)
 * @param modelsReady ModelReady per configured model name
 * @param breaker the endpoint's circuit breaker
 * @param lastError the last failure seen (a gRPC status), or empty
 */
public record EndpointHealth(String endpoint, boolean checked, boolean ready, Map<String, Boolean> modelsReady,
                             BreakerState breaker, String lastError) {
    public EndpointHealth {
        modelsReady = Map.copyOf(modelsReady);
    }

    /** Ready, all models ready and the breaker not open: calls may go here. */
    public boolean usable() {
        return ready && modelsReady.values().stream().allMatch(Boolean::booleanValue) && breaker != BreakerState.OPEN;
    }
}
