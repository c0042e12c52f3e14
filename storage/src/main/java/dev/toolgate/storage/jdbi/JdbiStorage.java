package dev.toolgate.storage.jdbi;

import dev.toolgate.storage.AgentStateStore;
import dev.toolgate.storage.ApprovalStore;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.BlockedToolStore;
import dev.toolgate.storage.BudgetStore;
import dev.toolgate.storage.ChangeFeed;
import dev.toolgate.storage.IdempotencyStore;
import dev.toolgate.storage.PolicyVersionStore;
import dev.toolgate.storage.RuleStore;
import dev.toolgate.storage.AlertingStores;
import dev.toolgate.storage.SettingsStore;
import dev.toolgate.storage.StandingApprovalStore;
import dev.toolgate.storage.IncidentStore;
import dev.toolgate.storage.Storage;
import dev.toolgate.storage.StorageException;
import dev.toolgate.storage.StorageSettings;
import dev.toolgate.storage.audit.internal.AuditJournal;
import dev.toolgate.storage.audit.internal.JdbiAuditLog;
import dev.toolgate.storage.internal.ConnectionPool;
import dev.toolgate.storage.internal.Database;
import dev.toolgate.storage.internal.EmbeddedH2;
import dev.toolgate.storage.internal.JdbiAgentStateStore;
import dev.toolgate.storage.internal.JdbiApprovalStore;
import dev.toolgate.storage.internal.JdbiBlockedToolStore;
import dev.toolgate.storage.internal.JdbiBudgetStore;
import dev.toolgate.storage.internal.JdbiChangeFeed;
import dev.toolgate.storage.internal.JdbiIdempotencyStore;
import dev.toolgate.storage.internal.JdbiPolicyVersionStore;
import dev.toolgate.storage.internal.JdbiRuleStore;
import dev.toolgate.storage.internal.JdbiAlertRuleStore;
import dev.toolgate.storage.internal.JdbiDeliveryTargetStore;
import dev.toolgate.storage.internal.JdbiNotificationOutbox;
import dev.toolgate.storage.internal.JdbiSettingsStore;
import dev.toolgate.storage.internal.JdbiStandingApprovalStore;
import dev.toolgate.storage.internal.JdbiIncidentStore;
import dev.toolgate.storage.internal.UtcTimestamps;
import dev.toolgate.storage.schema.SchemaMigrations;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Storage} on Jdbi: one connection pool, the schema migrated by {@link SchemaMigrations}, one store per table group. */
public final class JdbiStorage implements Storage {
    private static final Logger log = LoggerFactory.getLogger(JdbiStorage.class);

    private final StorageSettings settings;
    private final String requiredSchemaVersion;
    private final ConnectionPool pool;
    private final Jdbi jdbi;
    private final JdbiAuditLog auditLog;
    private final JdbiBlockedToolStore blockedTools;
    private final JdbiApprovalStore approvals;
    private final JdbiStandingApprovalStore standingApprovals;
    private final JdbiIncidentStore incidents;
    private final JdbiRuleStore rules;
    private final JdbiPolicyVersionStore policyVersions;
    private final JdbiSettingsStore settingsStore;
    private final JdbiIdempotencyStore idempotency;
    private final JdbiBudgetStore budgets;
    private final JdbiChangeFeed changes;
    private final JdbiAgentStateStore agentStates;
    private final AlertingStores alerting;

    private JdbiStorage(StorageSettings settings, ConnectionPool pool, Clock clock, String requiredSchemaVersion) {
        this.settings = settings;
        this.requiredSchemaVersion = requiredSchemaVersion;
        this.pool = pool;
        this.jdbi = jdbi(pool.dataSource());
        this.blockedTools = new JdbiBlockedToolStore(jdbi, clock);
        this.approvals = new JdbiApprovalStore(jdbi, clock);
        this.standingApprovals = new JdbiStandingApprovalStore(jdbi);
        this.incidents = new JdbiIncidentStore(jdbi);
        this.rules = new JdbiRuleStore(jdbi);
        this.policyVersions = new JdbiPolicyVersionStore(jdbi);
        this.settingsStore = new JdbiSettingsStore(jdbi, clock);
        this.idempotency = new JdbiIdempotencyStore(jdbi);
        this.budgets = new JdbiBudgetStore(jdbi);
        this.agentStates = new JdbiAgentStateStore(jdbi, clock);
        this.changes = new JdbiChangeFeed(jdbi, settings, pool.database());
        this.alerting = new AlertingStores(new JdbiDeliveryTargetStore(jdbi), new JdbiAlertRuleStore(jdbi),
                new JdbiNotificationOutbox(jdbi));
        this.auditLog = auditLog(settings, pool.database(), jdbi);
    }

    /** Opens the database with the system clock. */
    public static JdbiStorage open(StorageSettings settings) {
        return open(settings, Clock.systemUTC());
    }

    /**
     * Opens the pool and brings the schema up to date; {@code clock} stamps and expires records.
     * On failure nothing is left open.
     */
    public static JdbiStorage open(StorageSettings settings, Clock clock) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        ConnectionPool pool = ConnectionPool.forSettings(settings);
        try {
            String required = migrate(pool, settings);
            return new JdbiStorage(settings, pool, clock, required);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * An embedded database file gets an audit journal next to it: committing each decided call to
     * H2 costs a page rewrite per commit and grows the file without end under load (see
     * {@link AuditJournal}). Server databases are committed to directly: a journal on this machine
     * would not be where the database's operators look for it.
     */
    private static JdbiAuditLog auditLog(StorageSettings settings, Database database, Jdbi jdbi) {
        if (database != Database.H2) {
            return new JdbiAuditLog(jdbi, JdbiAuditLog.DEFAULT_QUEUE_CAPACITY, JdbiAuditLog.DEFAULT_MAX_BATCH_EVENTS,
                    settings.timeout());
        }
        return EmbeddedH2.auditJournalDirectory(settings.url())
                .map(directory -> JdbiAuditLog.journaled(jdbi, directory, settings.timeout(), settings.syncWrites()))
                .orElseGet(() -> new JdbiAuditLog(jdbi, JdbiAuditLog.DEFAULT_QUEUE_CAPACITY,
                        JdbiAuditLog.DEFAULT_MAX_BATCH_EVENTS, settings.timeout()));
    }

    /**
     * An audit log that commits straight to the (migrated) database behind {@code dataSource}, at
     * most {@code maxBatchEvents} events a transaction; for tools that measure the commit path.
     * Close it when done.
     */
    public static AuditLog directAuditLog(DataSource dataSource, int maxBatchEvents, Duration commitTimeout) {
        return new JdbiAuditLog(jdbi(dataSource), JdbiAuditLog.DEFAULT_QUEUE_CAPACITY, maxBatchEvents, commitTimeout);
    }

    /** A Jdbi over {@code dataSource} configured as every store expects (instants as UTC timestamps). */
    public static Jdbi jdbi(DataSource dataSource) {
        return Jdbi.create(dataSource).installPlugin(new UtcTimestamps());
    }

    /** Migrates the schema; returns the newest version this build's migrations bring a database to. */
    private static String migrate(ConnectionPool pool, StorageSettings settings) {
        SchemaMigrations migrations = SchemaMigrations.of(pool.database());
        SchemaMigrations.Outcome outcome;
        try {
            outcome = migrations.migrate(pool.dataSource());
        } catch (SQLException | RuntimeException e) {
            throw new StorageException("cannot open the database at " + settings.displayUrl()
                    + ": schema migration failed (check storage.url, credentials and that no newer Toolgate"
                    + " has migrated it): " + e.getMessage(), e);
        }
        log.info("Storage ready at {}: schema version {}, {} migrations applied now", settings.displayUrl(),
                outcome.version(), outcome.applied());
        return migrations.newest();
    }

    @Override
    public AuditLog auditLog() {
        return auditLog;
    }

    @Override
    public BlockedToolStore blockedTools() {
        return blockedTools;
    }

    @Override
    public ApprovalStore approvals() {
        return approvals;
    }

    @Override
    public StandingApprovalStore standingApprovals() {
        return standingApprovals;
    }

    @Override
    public IncidentStore incidents() {
        return incidents;
    }

    @Override
    public RuleStore rules() {
        return rules;
    }

    @Override
    public PolicyVersionStore policyVersions() {
        return policyVersions;
    }

    @Override
    public AlertingStores alerting() {
        return alerting;
    }

    @Override
    public SettingsStore settings() {
        return settingsStore;
    }

    @Override
    public IdempotencyStore idempotency() {
        return idempotency;
    }

    @Override
    public AgentStateStore agentStates() {
        return agentStates;
    }

    @Override
    public BudgetStore budgets() {
        return budgets;
    }

    @Override
    public ChangeFeed changes() {
        return changes;
    }

    @Override
    public SchemaVersion schemaVersion() {
        String current = jdbi.withHandle(handle -> handle.createQuery("SELECT \"version\" FROM \"flyway_schema_history\""
                        + " WHERE \"success\" AND \"version\" IS NOT NULL ORDER BY \"installed_rank\" DESC LIMIT 1")
                .mapTo(String.class)
                .findOne()
                .orElse("0"));
        return new SchemaVersion(current, requiredSchemaVersion, SchemaMigrations.isAtLeast(current, requiredSchemaVersion));
    }

    @Override
    public void ping() {
        try {
            jdbi.withHandle(handle -> handle.createQuery("SELECT 1").mapTo(Integer.class).one());
        } catch (RuntimeException e) {
            throw new StorageException("database at " + settings.displayUrl() + " does not answer: " + e.getMessage(), e);
        }
    }

    /** Commits the queued audit events, then closes the connections. */
    @Override
    public void close() {
        try {
            changes.close();
            auditLog.close();
        } finally {
            pool.close();
            log.info("Storage at {} closed", settings.displayUrl());
        }
    }
}
