package dev.toolgate.proxy.cli;

import dev.toolgate.config.ConfigException;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.config.StorageConfig;
import dev.toolgate.storage.StorageSettings;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Where an audit command reads: {@code --storage URL} (with optional credentials), else the storage section of {@code --config FILE}. */
final class AuditSource {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Mixin
    StorageOptions storage;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "toolgate.yaml whose storage section names the database (used when --storage is not given)")
    Path configFile;

    /** The file's storage section is read without compiling its rules: a rule that does not compile does not hide the audit. */
    StorageSettings settings() throws ConfigException {
        if (storage.given()) {
            return storage.settings(null);
        }
        if (configFile == null) {
            throw new ParameterException(mixee.commandLine(), "Missing --storage URL or --config FILE: which database holds the audit log");
        }
        StorageConfig configured = ConfigLoader.read(configFile, System.getenv()).storage();
        return storage.settings(configured);
    }
}
