package dev.toolgate.proxy.upstream;

import io.netty.handler.codec.http.FullHttpRequest;

/**
 * Builds the request for one endpoint of a provider: its credential and path come from the
 * endpoint's route. Called once per attempt, since each attempt's request is released by the
 * client it is given to.
 */
@FunctionalInterface
public interface UpstreamRequest {
    FullHttpRequest build(ProviderRoute route);
}
