package dev.toolgate.proxy.upstream;

import dev.toolgate.proxy.server.ApiError;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The client-facing error for each way an upstream exchange can fail. */
public final class UpstreamErrors {
    private UpstreamErrors() {
    }

    public static ApiError toApiError(UpstreamException e) {
        switch (e.kind()) {
            case TIMEOUT:
                return new ApiError(HttpResponseStatus.GATEWAY_TIMEOUT, "UPSTREAM_TIMEOUT", e.getMessage());
            case UNAVAILABLE:
                return new ApiError(HttpResponseStatus.BAD_GATEWAY, "UPSTREAM_UNAVAILABLE", e.getMessage());
            case TOO_LARGE:
                return new ApiError(HttpResponseStatus.BAD_GATEWAY, "UPSTREAM_RESPONSE_TOO_LARGE", e.getMessage());
            case PROTOCOL:
                return new ApiError(HttpResponseStatus.BAD_GATEWAY, "UPSTREAM_PROTOCOL_ERROR", e.getMessage());
            case RESET:
            default:
                return new ApiError(HttpResponseStatus.BAD_GATEWAY, "UPSTREAM_RESET", e.getMessage());
        }
    }
}
