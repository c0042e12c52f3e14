package dev.toolgate.proxy.upstream;

/** Why an upstream exchange produced no usable response; {@link Kind} maps to the client-facing status. */
public final class UpstreamException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The failure classes a client can act on differently. */
    public enum Kind {
        /** Could not connect, resolve or handshake: 502 UPSTREAM_UNAVAILABLE. */
        UNAVAILABLE,
        /** No bytes for longer than the configured timeout: 504 UPSTREAM_TIMEOUT. */
        TIMEOUT,
        /** The connection ended before the response did: 502 UPSTREAM_RESET. */
        RESET,
        /** The body exceeds what the gateway buffers for a rewrite: 502 UPSTREAM_RESPONSE_TOO_LARGE. */
        TOO_LARGE,
        /** Not a usable HTTP response: 502 UPSTREAM_PROTOCOL_ERROR. */
        PROTOCOL
    }

    private final Kind kind;

    public UpstreamException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public UpstreamException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
