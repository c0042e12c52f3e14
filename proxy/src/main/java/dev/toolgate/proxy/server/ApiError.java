package dev.toolgate.proxy.server;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client-facing error: rendered as {@code {"error":{"code","message"}}} with {@code status}.
 * Codes are stable; messages are for people.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;
    private final String code;
    private final transient Map<String, String> headers;

    public ApiError(HttpResponseStatus status, String code, String message) {
        this(status, code, message, Map.of());
    }

    private ApiError(HttpResponseStatus status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    /** The same error with a response header (such as {@code Allow} on a 405). */
    public ApiError withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiError(status, code, getMessage(), Map.copyOf(more));
    }

    public Map<String, String> headers() {
        return headers;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ApiError badRequest(String code, String message) {
        return new ApiError(HttpResponseStatus.BAD_REQUEST, code, message);
    }

    public static ApiError missingField(String field) {
        return badRequest("MISSING_FIELD", "request body is missing required field '" + field + "'");
    }

    public static ApiError invalidJson(String detail) {
        return badRequest("INVALID_JSON", "request body is not valid JSON: " + detail);
    }

    public static ApiError validation(String message) {
        return new ApiError(HttpResponseStatus.UNPROCESSABLE_ENTITY, "VALIDATION_FAILED", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", message);
    }

    public static ApiError unsupportedMediaType(String contentType) {
        return new ApiError(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE",
                "expected Content-Type: application/json, got " + (contentType == null ? "none" : "'" + contentType + "'"));
    }

    public static ApiError decisionUnavailable() {
        return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "DECISION_UNAVAILABLE",
                "the gateway could not record a decision for the tool calls in this response, so none were released; retry later");
    }
}
