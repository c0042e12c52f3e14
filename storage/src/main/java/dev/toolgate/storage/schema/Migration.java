package dev.toolgate.storage.schema;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One step of the schema: a SQL script in the jar or a Java step, with the version, description,
 * type, script name and checksum it is recorded under in the history table (Flyway's names for
 * them, so databases migrated by earlier builds carry on).
 */
record Migration(String version, String description, String type, String script, Integer checksum, Step step) {

    /** What a migration does, given the connection of its transaction. */
    @FunctionalInterface
    interface Step {
        void apply(Connection connection) throws SQLException;
    }

    Migration {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(step, "step");
    }

    /** Orders versions as numbers part by part: 6 < 6.1 < 7 < 10. */
    static int compareVersions(String a, String b) {
        long[] left = parts(a);
        long[] right = parts(b);
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            int compared = Long.compare(i < left.length ? left[i] : 0, i < right.length ? right[i] : 0);
            if (compared != 0) {
                return compared;
            }
        }
        return 0;
    }

    private static long[] parts(String version) {
        return Arrays.stream(version.split("\\.")).mapToLong(Long::parseLong).toArray();
    }
}
