package dev.toolgate.proxy.approval;

import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.arguments.CanonicalArguments;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.gate.ApprovalHold;
import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.notify.ApprovalLinks;
import dev.toolgate.proxy.notify.ApprovalNotice;
import dev.toolgate.proxy.notify.ExpiryNotice;
import dev.toolgate.proxy.notify.NotificationTargets;
import dev.toolgate.proxy.notify.Notifier;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.ApprovalToken;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.EventIds;
import dev.toolgate.storage.PendingApproval;
import dev.toolgate.storage.StandingApproval;
import dev.toolgate.storage.Storage;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approval lifecycle (PRODUCT.md §5): holding a call, recognising it when it comes back,
 * recording a person's decision, one-click link tokens, and expiry. Every method blocks on
 * storage: call from the blocking executor, never from an event loop.
 */
public final class Approvals implements ApprovalHold {
    private static final Logger log = LoggerFactory.getLogger(Approvals.class);
    /** How many due approvals one expiry pass moves; the next pass takes the rest. */
    private static final int EXPIRY_BATCH = 500;
    private static final int WARM_UP_PAGE = 1000;

    private final Storage storage;
    private final Notifier notifier;
    private final NotificationSettings settings;
    private final Redactor redactor;
    private final Clock clock;
    private final Duration ttl;
    private final URI publicUrl;
    private final BiFunction<String, String, Optional<Rule>> ruleLookup;
    private final LiveConversations live;
    private final List<DecisionObserver> observers = new CopyOnWriteArrayList<>();
    private final StandingApprovals standingApprovals;

    /** Where a call that needs approval stands, given earlier approvals of the same call. */
    private sealed interface Standing permits Held, Granted, Refused, GrantedStanding {
    }

    /** Covered by a standing approval, one of whose calls this is. */
    private record GrantedStanding(StandingApproval grant) implements Standing {
    }

    /** Waiting for a person; {@code created} is false when an earlier request is still open. */
    private record Held(String approvalId, boolean created) implements Standing {
    }

    /** Approved earlier and consumed now: release the call once. */
    private record Granted(PendingApproval approval) implements Standing {
    }

    /** Denied or expired: block, saying why. */
    private record Refused(PendingApproval approval, String reason) implements Standing {
    }

    /**
     * @param ruleLookup finds a rule by workspace and id, for the rule text shown to approvers
     */
    public Approvals(Storage storage, Notifier notifier, NotificationSettings settings, Redactor redactor, Clock clock,
                     Duration ttl, URI publicUrl, BiFunction<String, String, Optional<Rule>> ruleLookup, LiveConversations live) {
        this.storage = storage;
        this.notifier = notifier;
        this.settings = settings;
        this.redactor = redactor;
        this.clock = clock;
        this.ttl = ttl;
        this.publicUrl = publicUrl;
        this.ruleLookup = ruleLookup;
        this.live = live;
        this.standingApprovals = new StandingApprovals(storage, redactor, clock, observers);
    }

    /** Time-limited allow rules granted with an approval. */
    public StandingApprovals standing() {
        return standingApprovals;
    }

    public Duration ttl() {
        return ttl;
    }

    /**
     * A call the policy holds for approval, as it stands: matched against earlier requests for the
     * same agent, tool and argument digest (released once if one was approved, blocked if one was
     * refused, held under the open one); otherwise held under a new request whose links are issued
     * and whose approvers are notified.
     */
    @Override
    public GatedCall hold(GatedCall call, CallContext context, String assistantMessage, String conversationDigest) {
        Decision.NeedsApproval decision = (Decision.NeedsApproval) call.decision();
        Standing standing = standingFor(call.call(), decision, context, assistantMessage, conversationDigest);
        if (standing instanceof Granted granted) {
            PendingApproval approval = granted.approval();
            Decision allowed = new Decision.Allowed(decision.matchedRules(),
                    List.of(new Finding(approval.ruleId(), "approved by " + approval.decidedBy())), decision.riskScore(),
                    decision.policyVersion());
            return call.releasedOnApproval(allowed, approval.id(), approval.decidedBy());
        }
        if (standing instanceof GrantedStanding covered) {
            StandingApproval grant = covered.grant();
            Decision allowed = new Decision.Allowed(decision.matchedRules(), List.of(new Finding(StandingApprovals.ruleId(grant),
                    "allowed by standing approval granted by " + grant.createdBy() + " until " + grant.expiresAt()
                            + (grant.maxCalls() != null ? " (call " + (grant.usedCalls() + 1) + " of " + grant.maxCalls() + ")" : ""))),
                    decision.riskScore(), decision.policyVersion());
            return call.releasedOnApproval(allowed, grant.approvalId(), grant.createdBy());
        }
        if (standing instanceof Refused refused) {
            Decision blocked = new Decision.Blocked(decision.matchedRules(),
                    List.of(new Finding(refused.approval().ruleId(), refused.reason())), 1.0, decision.policyVersion());
            return call.refused(blocked, refused.approval().id());
        }
        return call.held(((Held) standing).approvalId());
    }

    private Standing standingFor(ToolCall call, Decision.NeedsApproval decision, CallContext context, String assistantMessage,
                                 String conversationDigest) {
        String canonical = CanonicalArguments.of(call.arguments());
        String digest = CanonicalArguments.digest(canonical);
        Optional<PendingApproval> earlier = storage.approvals().findLatestFor(context.workspace(), context.agent(), call.name(), digest);
        Standing open = null;
        if (earlier.isPresent()) {
            Optional<Standing> standing = standingOf(earlier.get(), context.agent());
            // An approval of this very call settles it first (a refusal stays a refusal); an open one
            // only when no standing approval covers the call.
            if (standing.isPresent() && !(standing.get() instanceof Held)) {
                return standing.get();
            }
            open = standing.orElse(null);
        }
        Optional<StandingApproval> grant = standingApprovals.use(call, context);
        if (grant.isPresent()) {
            return new GrantedStanding(grant.get());
        }
        if (open != null) {
            return open;
        }
        return new Held(create(call, decision, context, canonical, digest, assistantMessage, conversationDigest), true);
    }

    /**
     * What an earlier approval means for the same call now: still open, granted (consumed here),
     * refused, or nothing (consumed before, or a refusal older than one approval lifetime, so the
     * call may be asked for again).
     */
    private Optional<Standing> standingOf(PendingApproval approval, String consumer) {
        Instant now = clock.instant();
        switch (approval.status()) {
            case PENDING:
                return Optional.of(now.isBefore(approval.expiresAt())
                        ? new Held(approval.id(), false)
                        : new Refused(approval, expiredReason()));
            case APPROVED:
                if (storage.approvals().consume(approval.workspace(), approval.id(), consumer)) {
                    live.forget(approval.conversationDigest());
                    return Optional.of(new Granted(approval));
                }
                return Optional.empty();
            case DENIED:
            case EXPIRED:
                if (now.isBefore(refusedAt(approval).plus(ttl))) {
                    return Optional.of(new Refused(approval, approval.status() == ApprovalStatus.DENIED
                            ? deniedReason(approval) : expiredReason()));
                }
                return Optional.empty();
            case CONSUMED:
            default:
                return Optional.empty();
        }
    }

    /**
     * Whether {@link #standingOf} would settle the same call now, without consuming anything:
     * open or approved, or refused within the last approval lifetime.
     */
    public boolean stillSettles(PendingApproval approval) {
        return switch (approval.status()) {
            case PENDING, APPROVED -> true;
            case DENIED, EXPIRED -> clock.instant().isBefore(refusedAt(approval).plus(ttl));
            default -> false;
        };
    }

    private static Instant refusedAt(PendingApproval approval) {
        return approval.decidedAt() != null ? approval.decidedAt() : approval.expiresAt();
    }

    /**
     * Rebuilds the index of conversations an approval may answer from storage, so that retries
     * are recognised after a restart. Looks back two approval lifetimes (open, then refused).
     */
    public void warmUp(Iterable<String> workspaces) {
        Instant since = clock.instant().minus(ttl.multipliedBy(2));
        int remembered = 0;
        for (String workspace : workspaces) {
            for (ApprovalStatus status : List.of(ApprovalStatus.PENDING, ApprovalStatus.APPROVED, ApprovalStatus.DENIED,
                    ApprovalStatus.EXPIRED)) {
                for (int page = 1; ; page++) {
                    List<PendingApproval> batch = storage.approvals().list(workspace, status, WARM_UP_PAGE, page);
                    for (PendingApproval approval : batch) {
                        if (approval.createdAt().isAfter(since)) {
                            live.remember(approval.conversationDigest(), approval.expiresAt().plus(ttl));
                            remembered++;
                        }
                    }
                    if (batch.size() < WARM_UP_PAGE || batch.get(batch.size() - 1).createdAt().isBefore(since)) {
                        break;
                    }
                }
            }
        }
        log.info("Approval index ready: {} recent approval(s) can answer a retried conversation", remembered);
    }

    /**
     * Adds the approvals created at or after {@code since}, on any instance, to the index of
     * conversations a retry may come from; returns when the newest of them was created (or
     * {@code since} when there were none), where the next call can start.
     */
    public Instant rememberCreatedSince(Instant since) {
        Instant from = since;
        while (true) {
            List<PendingApproval> batch = storage.approvals().createdSince(from, WARM_UP_PAGE);
            Instant newest = from;
            for (PendingApproval approval : batch) {
                live.remember(approval.conversationDigest(), approval.expiresAt().plus(ttl));
                newest = approval.createdAt().isAfter(newest) ? approval.createdAt() : newest;
            }
            // A full page whose times all equal 'from' would come back again: stop there.
            if (batch.size() < WARM_UP_PAGE || !newest.isAfter(from)) {
                return newest;
            }
            from = newest;
        }
    }

    /**
     * Whether this instance recognises {@code conversationDigest} as one an approval may answer; an
     * approval created on another instance is recognised once the shared-state sync has seen it.
     */
    public boolean recognisesConversation(String conversationDigest) {
        return live.mayHaveApproval(conversationDigest);
    }

    /** The newest approval for a conversation the agent sends again, if it is one we hold something for. */
    public Optional<PendingApproval> forConversation(CallContext context, String conversationDigest) {
        return storage.approvals().findLatestForConversation(context.workspace(), context.agent(), conversationDigest);
    }

    private String create(ToolCall call, Decision.NeedsApproval decision, CallContext context, String canonical, String digest,
                          String assistantMessage, String conversationDigest) {
        Instant now = clock.instant();
        PendingApproval approval = new PendingApproval(UUID.randomUUID().toString(), context.workspace(), context.agent(),
                call.name(), call.id(), canonical, digest, decision.decidingRule(), decision.policyVersion(),
                assistantMessage, conversationDigest, decision.approverEmail(), ApprovalStatus.PENDING,
                now, now.plus(ttl), null, null, null);
        storage.approvals().create(approval);
        live.remember(conversationDigest, approval.expiresAt().plus(ttl));
        NotificationTargets targets = settings.targets(context.workspace(), decision.approverEmail());
        Map<String, ApprovalLinks> links = issueLinks(approval, targets);
        notifier.approvalRequested(new ApprovalNotice(approval.id(), approval.workspace(), approval.agent(), approval.tool(),
                redactor.redactJson(canonical), approval.ruleId(), ruleText(approval), approval.createdAt(),
                approval.expiresAt(), targets.email(), links), targets);
        log.info("Tool call '{}' from agent '{}' held for approval {} (rule {})", call.name(), context.agent(),
                approval.id(), approval.ruleId());
        return approval.id();
    }

    /** One approve and one deny token per channel that will carry the request, so the audit log knows which was used. */
    private Map<String, ApprovalLinks> issueLinks(PendingApproval approval, NotificationTargets targets) {
        Map<String, ApprovalLinks> links = new LinkedHashMap<>();
        if (!targets.email().isBlank()) {
            links.put("email", newLinks(approval, "email"));
        }
        if (!targets.slackWebhookUrl().isBlank()) {
            links.put("slack", newLinks(approval, "slack"));
        }
        if (!targets.teamsWebhookUrl().isBlank()) {
            links.put("teams", newLinks(approval, "teams"));
        }
        return links;
    }

    private ApprovalLinks newLinks(PendingApproval approval, String channel) {
        String approve = LinkTokens.newToken();
        String deny = LinkTokens.newToken();
        storage.approvals().addToken(approval.id(), LinkTokens.hash(approve), "approve", channel, approval.expiresAt());
        storage.approvals().addToken(approval.id(), LinkTokens.hash(deny), "deny", channel, approval.expiresAt());
        return new ApprovalLinks(linkUrl("approve", approve), linkUrl("deny", deny));
    }

    private String linkUrl(String action, String token) {
        String base = publicUrl.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/" + action + "/" + token;
    }

    /** The result of deciding: the approval as it now stands, and whether this call changed it. */
    public record Outcome(PendingApproval approval, boolean decidedNow) {
    }

    /**
     * Records a person's decision. Exactly one of several concurrent deciders wins; the others get
     * {@code decidedNow == false} and the approval as the winner left it. Empty when there is no
     * such approval in the workspace.
     */
    public Optional<Outcome> decide(String workspace, String id, ApprovalStatus to, String decidedBy, String note) {
        if (storage.approvals().find(workspace, id).isEmpty()) {
            return Optional.empty();
        }
        boolean changed = storage.approvals().decide(workspace, id, to, decidedBy, note);
        PendingApproval now = storage.approvals().find(workspace, id).orElseThrow();
        if (changed) {
            storage.approvals().retireTokens(id, clock.instant());
            audit(now);
            log.info("Approval {} for tool '{}' ({}) {} by {}", id, now.tool(), now.agent(), now.status().value(), decidedBy);
        }
        return Optional.of(new Outcome(now, changed));
    }

    /** What a link token leads to. */
    public sealed interface LinkState permits UnknownLink, DeadLink, LiveLink {
    }

    /** No such token (or a token for the other action): 404. */
    public record UnknownLink() implements LinkState {
    }

    /** Used, expired, or its approval already decided: 410. */
    public record DeadLink(PendingApproval approval) implements LinkState {
    }

    public record LiveLink(PendingApproval approval, ApprovalToken token) implements LinkState {
    }

    /** Looks a link up without using it (the confirm page). */
    public LinkState inspect(String token, String action) {
        if (!LinkTokens.wellFormed(token)) {
            return new UnknownLink();
        }
        Optional<ApprovalToken> found = storage.approvals().findToken(LinkTokens.hash(token));
        if (found.isEmpty() || !found.get().action().equals(action)) {
            return new UnknownLink();
        }
        ApprovalToken stored = found.get();
        Optional<PendingApproval> approval = storage.approvals().findById(stored.approvalId());
        if (approval.isEmpty()) {
            return new UnknownLink();
        }
        Instant now = clock.instant();
        boolean dead = stored.usedAt() != null || !now.isBefore(stored.expiresAt())
                || approval.get().status() != ApprovalStatus.PENDING || !now.isBefore(approval.get().expiresAt());
        return dead ? new DeadLink(approval.get()) : new LiveLink(approval.get(), stored);
    }

    /** Uses a link: the token is spent and the approval decided, or the link turns out dead. */
    public LinkState follow(String token, String action) {
        LinkState state = inspect(token, action);
        if (!(state instanceof LiveLink live)) {
            return state;
        }
        if (!storage.approvals().useToken(LinkTokens.hash(token), clock.instant())) {
            return new DeadLink(live.approval());
        }
        PendingApproval approval = live.approval();
        String decidedBy = live.token().channel() + " link"
                + (live.token().channel().equals("email") && approval.approverEmail() != null ? " (" + approval.approverEmail() + ")" : "");
        Outcome outcome = decide(approval.workspace(), approval.id(),
                action.equals("approve") ? ApprovalStatus.APPROVED : ApprovalStatus.DENIED, decidedBy, null).orElseThrow();
        return outcome.decidedNow() ? new LiveLink(outcome.approval(), live.token()) : new DeadLink(outcome.approval());
    }

    /**
     * Moves every approval past its expiry to expired, audits it and tells its approvers, and audits
     * the end of standing approvals that ran out. Returns how many of both.
     */
    public int expireDue() {
        int total = 0;
        List<PendingApproval> expired;
        do {
            expired = storage.approvals().expireDue(clock.instant(), EXPIRY_BATCH);
            for (PendingApproval approval : expired) {
                storage.approvals().retireTokens(approval.id(), clock.instant());
                audit(approval);
                NotificationTargets targets = settings.targets(approval.workspace(), approval.approverEmail());
                notifier.approvalExpired(new ExpiryNotice(approval.id(), approval.workspace(), approval.agent(), approval.tool(),
                        redactor.redactJson(approval.arguments()), approval.ruleId(), ruleText(approval),
                        approval.decidedAt() != null ? approval.decidedAt() : clock.instant(), targets.email()), targets);
                log.info("Approval {} for tool '{}' ({}) expired unanswered; it counts as denied", approval.id(),
                        approval.tool(), approval.agent());
            }
            total += expired.size();
        } while (expired.size() == EXPIRY_BATCH);
        return total + standingApprovals.endDue();
    }

    /** The approver's decision (or the expiry) as an audit event, committed before returning. */
    private void audit(PendingApproval approval) {
        String reason = approval.status().value() + (approval.decidedBy() != null ? " by " + approval.decidedBy() : "")
                + (approval.note() != null && !approval.note().isBlank() ? ": " + approval.note() : "");
        AuditEvent event = new AuditEvent(0, EventIds.next(), clock.instant(), approval.workspace(), approval.agent(),
                "approval", approval.tool(), approval.toolCallId(), redactor.redactJson(approval.arguments()),
                approval.status().value(), approval.ruleId() == null ? List.of() : List.of(approval.ruleId()),
                List.of(redactor.redactText(reason)), 0.7, approval.id(), approval.policyVersion(), "", null, 0, approval.decidedBy());
        storage.auditLog().append(List.of(event)).join();
        for (DecisionObserver observer : observers) {
            try {
                observer.decided(null, List.of(event));
            } catch (RuntimeException e) {
                log.warn("decision observer {} failed; the decision stands", observer.getClass().getSimpleName(), e);
            }
        }
    }

    /** Adds an observer of approvers' decisions and expiries, once they are audited (see {@link DecisionObserver}). */
    public void observe(DecisionObserver observer) {
        observers.add(observer);
    }

    /** The text of the rule that held an approval, for people; empty when the rule is gone. */
    public String ruleText(PendingApproval approval) {
        return approval.ruleId() == null ? "" : ruleLookup.apply(approval.workspace(), approval.ruleId()).map(Rule::label).orElse("");
    }

    static String deniedReason(PendingApproval approval) {
        String reason = "denied by approver";
        return approval.note() == null || approval.note().isBlank() ? reason : reason + ": " + approval.note();
    }

    static String expiredReason() {
        return "approval expired unanswered; it counts as denied";
    }
}
