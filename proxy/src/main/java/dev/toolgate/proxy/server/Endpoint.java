package dev.toolgate.proxy.server;

/**
 * Serves one route. It must eventually respond on the exchange (or stream and end it); throwing
 * an {@link ApiError} before responding is the same as failing with it.
 */
@FunctionalInterface
public interface Endpoint {
    void serve(Exchange exchange) throws Exception;
}
