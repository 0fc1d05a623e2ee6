package dev.parley.signaling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** An ICE server for the browser's RTCConfiguration; username and credential only for TURN. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IceServer(List<String> urls, String username, String credential) {
    public IceServer {
        urls = List.copyOf(urls);
    }
}
