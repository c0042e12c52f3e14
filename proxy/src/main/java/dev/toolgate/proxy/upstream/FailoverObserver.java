package dev.toolgate.proxy.upstream;

/** Told when a request leaves one endpoint for the next (metrics count these). */
@FunctionalInterface
public interface FailoverObserver {
    FailoverObserver NONE = (from, to, why) -> { };

    /** {@code why}: what went wrong at {@code from}, for operators. */
    void failedOver(FailoverEndpoint from, FailoverEndpoint to, String why);
}
