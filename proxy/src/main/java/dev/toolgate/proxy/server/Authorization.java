package dev.toolgate.proxy.server;

import dev.toolgate.config.Role;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Lets only admin keys through to admin routes (403 for an agent key). */
public final class Authorization implements RequestStep {

    @Override
    public void handle(Exchange exchange, Route route, Chain next) throws Exception {
        Principal principal = exchange.principal();
        if (route.access() == Route.Access.ADMIN && (principal == null || !principal.mayActAs(Role.ADMIN))) {
            throw new ApiError(HttpResponseStatus.FORBIDDEN, "FORBIDDEN",
                    "key '" + (principal == null ? "" : principal.name()) + "' has role agent; this endpoint needs an admin key");
        }
        next.proceed(exchange, route);
    }
}
