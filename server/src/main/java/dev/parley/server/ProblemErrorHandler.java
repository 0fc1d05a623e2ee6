package dev.parley.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every error Jetty answers by itself (a URI with {@code %00}, a bad {@code %}-escape or {@code ..} above the
 * root, an unknown path, an oversized header) is an RFC 9457 problem like the API's, with the security headers,
 * instead of Jetty's HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        SecurityHeaders.apply(response.getHeaders());
        problem(code, message).write(response, callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        SecurityHeaders.apply(fields);
        fields.put(HttpHeader.CONTENT_TYPE, HttpProblem.CONTENT_TYPE);
        fields.put(HttpHeader.CACHE_CONTROL, "no-store");
        return ByteBuffer.wrap(problem(status, reason).body());
    }

    private static HttpProblem problem(int code, String message) {
        String detail;
        if (code == 404) {
            detail = "nothing is served at this path";
        } else if (code >= 500 && code != 505) {
            detail = "the server failed to answer; it has been logged"; // no exception text to the client
        } else if (message != null && !message.isBlank() && message.length() <= 200) {
            detail = message; // Jetty's own wording, e.g. "Ambiguous URI encoding"
        } else {
            detail = "the server refused this request";
        }
        return HttpProblem.forStatus(code, detail);
    }
}
