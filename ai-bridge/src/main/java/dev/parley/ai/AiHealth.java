package dev.parley.ai;

import java.util.List;

/** The bridge's view of its Triton endpoints. */
public record AiHealth(List<EndpointHealth> endpoints) {
    public AiHealth {
        endpoints = List.copyOf(endpoints);
    }

    /** Whether at least one endpoint can take calls now. */
    public boolean available() {
        return endpoints.stream().anyMatch(EndpointHealth::usable);
    }
}
