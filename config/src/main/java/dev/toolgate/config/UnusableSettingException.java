package dev.toolgate.config;

/**
 * A setting the file states correctly that the gateway still cannot use when it starts, such as a
 * delivery target whose webhook host resolves to a private address. Unchecked, since it is found
 * deep in startup; {@code toolgate serve} prints it like a file problem and exits as for a bad config.
 */
public final class UnusableSettingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** {@code message} names the setting's path first. */
    public UnusableSettingException(String message) {
        super(message);
    }
}
