package dev.toolgate.storage;


/**
 * The gateway's database: audit log, kill switch, approvals, API-created rules and settings. Opened
 * by {@link dev.toolgate.storage.jdbi.JdbiStorage#open}, which migrates the schema; closing it commits
 * the audit events still queued, then releases the connections.
 */
public interface Storage extends AutoCloseable {

    AuditLog auditLog();

    BlockedToolStore blockedTools();

    ApprovalStore approvals();

    /** Time-limited allow rules approvers granted with an approval. */
    StandingApprovalStore standingApprovals();

    /** Incidents and their timelines. */
    IncidentStore incidents();

    RuleStore rules();

    /** Policy manifests imported through the API, every version kept. */
    PolicyVersionStore policyVersions();

    SettingsStore settings();

    IdempotencyStore idempotency();

    /** What released calls spent of budget rules' totals. */
    BudgetStore budgets();

    /** The agents' circuit-breaker states. */
    AgentStateStore agentStates();

    /** Delivery targets, alert rules and the notification outbox. */
    AlertingStores alerting();

    /** Versions of the state instances copy into memory, and announcements of their changes. */
    ChangeFeed changes();

    /**
     * The database's schema version (as its {@code flyway_schema_history} records it) against the newest this build migrates
     * to: an instance is ready only on a schema at least that new. Reads the database.
     */
    SchemaVersion schemaVersion();

    /** {@code current}: the database's; {@code required}: the newest migration this build ships. */
    record SchemaVersion(String current, String required, boolean upToDate) {
    }

    /** Runs a trivial query; throws {@link StorageException} saying why when the database is unreachable. */
    void ping();

    @Override
    void close();
}
