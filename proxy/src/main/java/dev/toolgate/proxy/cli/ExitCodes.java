package dev.toolgate.proxy.cli;

/** The exit statuses the {@code toolgate} commands share, so that scripts and CI can tell the cases apart. */
public final class ExitCodes {
    /** The command did what was asked and found nothing wrong. */
    public static final int OK = 0;
    /**
     * The command worked and found something: {@code validate} a problem in the file, {@code replay}
     * an outcome that would change, {@code audit verify} a broken chain.
     */
    public static final int FOUND = 1;
    /** A configuration file that cannot be used (picocli also exits with 2 on a malformed command line). */
    public static final int BAD_CONFIG = 2;
    /** The database cannot be opened: unreachable, refused credentials, failed migration, or locked by a running gateway. */
    public static final int NO_STORAGE = 3;

    private ExitCodes() {
    }
}
