package dev.toolgate.storage.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.spi.JdbiPlugin;

/**
 * Binds and reads {@link Instant}s as {@code TIMESTAMP WITH TIME ZONE} values at UTC. Jdbi's default
 * goes through {@code java.sql.Timestamp}, which passes via the JVM's local time and can shift an
 * instant that falls in a daylight-saving gap; an {@link OffsetDateTime} is exact in H2 and PostgreSQL.
 * Instants are truncated to microseconds, the precision both databases keep.
 */
public final class UtcTimestamps implements JdbiPlugin {

    @Override
    public void customizeJdbi(Jdbi jdbi) {
        jdbi.registerArgument(new InstantArgumentFactory());
        jdbi.registerColumnMapper(Instant.class, (rs, column, ctx) -> toInstant(rs.getObject(column, OffsetDateTime.class)));
    }

    public static Instant read(ResultSet rs, String column) throws SQLException {
        return toInstant(rs.getObject(column, OffsetDateTime.class));
    }

    /** Binds {@code value} the way the plugin does, for statements prepared without Jdbi. */
    public static void bind(PreparedStatement statement, int position, Instant value) throws SQLException {
        statement.setObject(position, utc(value), Types.TIMESTAMP_WITH_TIMEZONE);
    }

    private static OffsetDateTime utc(Instant value) {
        return value.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    private static Instant toInstant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    private static final class InstantArgumentFactory extends AbstractArgumentFactory<Instant> {
        InstantArgumentFactory() {
            super(Types.TIMESTAMP_WITH_TIMEZONE);
        }

        @Override
        protected Argument build(Instant value, ConfigRegistry config) {
            OffsetDateTime utc = utc(value);
            return (position, statement, ctx) -> statement.setObject(position, utc, Types.TIMESTAMP_WITH_TIMEZONE);
        }
    }
}
