package dev.toolgate.proxy.upstream;

/** A handle on one upstream exchange in flight: flow control and cancellation. */
public interface UpstreamCall {

    /** Stops or resumes reading the upstream socket, so a slow client slows the upstream. */
    void setReading(boolean reading);

    /** Abandons the exchange (the client went away): closes the upstream connection, no more callbacks. */
    void cancel();
}
