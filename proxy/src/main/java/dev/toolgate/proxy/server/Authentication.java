package dev.toolgate.proxy.server;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Finds the gateway key of a request to a route that needs one and makes its principal the
 * exchange's; 401 without a valid key. Public routes pass untouched, and so do requests an earlier
 * step already authenticated (a dashboard session).
 */
public final class Authentication implements RequestStep {
    private final GatewayKeys keys;

    public Authentication(GatewayKeys keys) {
        this.keys = keys;
    }

    @Override
    public void handle(Exchange exchange, Route route, Chain next) throws Exception {
        if (route.access() != Route.Access.PUBLIC && exchange.principal() == null) {  // null: no dashboard session
            String presented = GatewayKeys.presented(exchange.request().headers(), exchange.query(), route.apiKeyHeaderIsGateway(),
                            route.bearerIsGateway())
                    .orElseThrow(() -> new ApiError(HttpResponseStatus.UNAUTHORIZED, "MISSING_API_KEY",
                            route.apiKeyHeaderIsGateway()
                                    ? "a gateway key is required: send it in the x-api-key or x-toolgate-key header"
                                    : "a gateway key is required: send it in the x-toolgate-key header (x-api-key is the provider's here)"));
            exchange.principal(keys.authenticate(presented)
                    .orElseThrow(() -> new ApiError(HttpResponseStatus.UNAUTHORIZED, "INVALID_API_KEY", "the gateway key is not valid")));
        }
        next.proceed(exchange, route);
    }
}
