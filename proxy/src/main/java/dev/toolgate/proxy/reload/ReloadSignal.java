package dev.toolgate.proxy.reload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP reloads the config, as operators expect of a daemon ({@code kill -HUP <pid>}, or
 * {@code systemctl reload}). {@code sun.misc.Signal} is the only way the JDK offers; where it is
 * not available the file watch still applies edits.
 */
public final class ReloadSignal {
    private static final Logger log = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {
    }

    public static void install(ConfigReloader reloader) {
        try {
            Signal.handle(new Signal("HUP"), signal -> {
                log.info("SIGHUP: reloading the config");
                // Not on the signal's own thread for long: the reload reads the file and compiles rules.
                Thread reload = new Thread(reloader::reload, "toolgate-sighup-reload");
                reload.setDaemon(true);
                reload.start();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("SIGHUP cannot be handled here ({}); config edits still apply through the file watch", e.getMessage());
        }
    }
}
