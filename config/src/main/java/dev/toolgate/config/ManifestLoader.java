package dev.toolgate.config;

import dev.toolgate.config.internal.ManifestBinder;
import dev.toolgate.config.internal.Problems;

/** Reads a policy manifest ({@link PolicyManifest}) from text, with the config loader's problems when it is wrong. */
public final class ManifestLoader {
    private ManifestLoader() {
    }

    /** The manifest in {@code text}; {@code name} is the "file" problems are reported in. */
    public static PolicyManifest read(String text, String name) throws ConfigException {
        Problems problems = new Problems(name);
        PolicyManifest manifest = ManifestBinder.bind(text, problems);
        if (manifest == null) {
            throw new ConfigException(problems.inFileOrder());
        }
        return manifest;
    }
}
