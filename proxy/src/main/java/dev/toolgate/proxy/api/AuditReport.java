package dev.toolgate.proxy.api;

import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.AuditQuery;
import dev.toolgate.storage.ChainVerification;
import dev.toolgate.storage.Incident;
import dev.toolgate.storage.IncidentEntry;
import dev.toolgate.storage.IncidentQuery;
import dev.toolgate.storage.IncidentStore;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A workspace's audit evidence for a time range as Markdown: decisions counted, the most blocked
 * tools and rules, the incidents opened in the range with their timelines, and the hash chain's
 * verification. Arguments appear only as the audit log stores them, already redacted; nothing
 * else about a call is read. Reads the audit log once, in batches, newest first. Blocking.
 */
final class AuditReport {
    private static final int BATCH = 1000;
    private static final int TOP = 10;
    /** The most incidents a report lists; the heading says how many there were in all. */
    private static final int MAX_INCIDENTS = 200;

    private final AuditLog auditLog;
    private final IncidentStore incidents;

    AuditReport(AuditLog auditLog, IncidentStore incidents) {
        this.auditLog = auditLog;
        this.incidents = incidents;
    }

    /** The report of events and incidents at or after {@code since} and before {@code until}. */
    String write(String workspace, Instant since, Instant until, Instant now) {
        Map<String, Long> decisions = new TreeMap<>();
        Map<String, Long> blockedTools = new HashMap<>();
        Map<String, Long> blockingRules = new HashMap<>();
        AuditQuery filters = AuditQuery.of(workspace).withSince(since);
        long before = Long.MAX_VALUE;
        List<AuditEvent> batch;
        do {
            batch = auditLog.queryBefore(filters, before, BATCH);
            for (AuditEvent event : batch) {
                before = event.id();
                if (!event.time().isBefore(until)) {
                    continue;
                }
                decisions.merge(event.decision(), 1L, Long::sum);
                if (event.decision().equals("blocked")) {
                    blockedTools.merge(event.tool(), 1L, Long::sum);
                    event.rules().forEach(rule -> blockingRules.merge(rule, 1L, Long::sum));
                }
            }
        } while (batch.size() == BATCH);

        StringBuilder md = new StringBuilder();
        md.append("# Toolgate audit evidence: workspace ").append(code(workspace)).append("\n\n");
        md.append("- Range: ").append(since).append(" to ").append(until).append(" (UTC, end excluded)\n");
        md.append("- Generated: ").append(now).append("\n");
        md.append("- Arguments are shown as the audit log stores them, with secrets redacted.\n\n");

        md.append("## Decisions\n\n| Decision | Count |\n|---|---:|\n");
        decisions.forEach((decision, count) -> md.append("| ").append(cell(decision)).append(" | ").append(count).append(" |\n"));
        md.append("| **total** | ").append(decisions.values().stream().mapToLong(Long::longValue).sum()).append(" |\n\n");

        table(md, "## Top blocked tools", "Tool", blockedTools);
        table(md, "## Top blocking rules", "Rule", blockingRules);
        writeIncidents(md, workspace, since, until);

        ChainVerification chain = auditLog.verifyChain(workspace);
        md.append("## Audit chain verification\n\n");
        if (chain.valid()) {
            md.append("Intact: ").append(chain.events()).append(" events verified.\n");
        } else {
            md.append("**Broken** at event ").append(code(chain.firstBrokenEventId())).append(" after ").append(chain.events())
                    .append(" intact events: ").append(cell(chain.reason())).append("\n");
        }
        return md.toString();
    }

    private void writeIncidents(StringBuilder md, String workspace, Instant since, Instant until) {
        IncidentStore.Page page = incidents.page(new IncidentQuery(workspace, null, null, null, since, until,
                IncidentQuery.Sort.OPENED_AT, false, MAX_INCIDENTS, 1));
        md.append("## Incidents (").append(page.total()).append(")\n\n");
        if (page.total() > page.incidents().size()) {
            md.append("The first ").append(page.incidents().size()).append(" are listed.\n\n");
        }
        for (Incident incident : page.incidents()) {
            md.append("### Incident ").append(incident.id()).append("\n\n");
            md.append("- Title: ").append(cell(incident.title())).append("\n");
            md.append("- Agent: ").append(code(incident.agent())).append("\n");
            md.append("- Status: ").append(incident.status());
            if (incident.resolvedAt() != null) {
                md.append(" (").append(incident.resolvedAt()).append(" by ").append(cell(incident.resolvedBy())).append(")");
            }
            md.append("\n- Severity: ").append(incident.severity().value()).append("\n");
            md.append("- Opened: ").append(incident.openedAt()).append(", signals: ").append(incident.signalCount()).append("\n\n");
            md.append("| Time | Kind | Summary | Arguments |\n|---|---|---|---|\n");
            for (IncidentEntry entry : incidents.entries(incident.id(), IncidentsEndpoints.TIMELINE_LIMIT)) {
                Optional<AuditEvent> event = entry.auditEventId() == null ? Optional.empty()
                        : auditLog.findByEventId(entry.auditEventId()).filter(found -> found.workspace().equals(workspace));
                md.append("| ").append(entry.at()).append(" | ").append(entry.kind()).append(" | ").append(cell(entry.summary()))
                        .append(" | ").append(event.map(found -> code(found.arguments())).orElse("")).append(" |\n");
            }
            md.append("\n");
        }
    }

    private static void table(StringBuilder md, String heading, String column, Map<String, Long> counts) {
        md.append(heading).append("\n\n");
        if (counts.isEmpty()) {
            md.append("None.\n\n");
            return;
        }
        md.append("| ").append(column).append(" | Blocked |\n|---|---:|\n");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP)
                .forEach(entry -> md.append("| ").append(cell(entry.getKey())).append(" | ").append(entry.getValue()).append(" |\n"));
        md.append("\n");
    }

    /** Text in a table cell: no line breaks, no column separators, no HTML. */
    private static String cell(String text) {
        return text == null ? "" : text.replace("\r", " ").replace("\n", " ").replace("|", "\\|").replace("<", "&lt;");
    }

    private static String code(String text) {
        return "`" + cell(text).replace("`", "'") + "`";
    }
}
