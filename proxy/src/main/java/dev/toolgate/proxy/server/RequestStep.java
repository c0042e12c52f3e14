package dev.toolgate.proxy.server;

/**
 * One cross-cutting step a request passes on its way to its endpoint (authentication, rate limit,
 * role; later metrics, tracing, an agent's circuit breaker), in the style of OkHttp's interceptors:
 * a step either calls {@link Chain#proceed} once or answers the request itself (by throwing an
 * {@link ApiError}, or through the exchange). Steps run on the event loop, in the order given to
 * the server; the endpoint is the last link.
 */
@FunctionalInterface
public interface RequestStep {

    void handle(Exchange exchange, Route route, Chain next) throws Exception;

    /** The rest of the chain: the steps after this one, then the endpoint. */
    @FunctionalInterface
    interface Chain {
        void proceed(Exchange exchange, Route route) throws Exception;
    }
}
