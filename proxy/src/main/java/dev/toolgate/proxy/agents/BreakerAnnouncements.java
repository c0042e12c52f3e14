package dev.toolgate.proxy.agents;

import dev.toolgate.proxy.approval.NotificationSettings;
import dev.toolgate.proxy.notify.BreakerNotice;
import dev.toolgate.proxy.notify.Notifier;
import dev.toolgate.storage.AgentState;
import java.util.function.Consumer;

/**
 * Tells the workspace's approvers (its email, Slack and Teams targets) of every breaker change.
 * Runs where the change was made, off the event loop: the workspace's targets are read from storage.
 */
public final class BreakerAnnouncements implements Consumer<AgentBreaker.Change> {
    private final Notifier notifier;
    private final NotificationSettings settings;

    public BreakerAnnouncements(Notifier notifier, NotificationSettings settings) {
        this.notifier = notifier;
        this.settings = settings;
    }

    @Override
    public void accept(AgentBreaker.Change change) {
        AgentState to = change.to();
        notifier.agentStateChanged(new BreakerNotice(to.workspace(), to.agent(), AgentBreaker.describe(to), change.from().value(),
                to.changedBy(), to.reason(), to.changedAt()), settings.targets(to.workspace(), null));
    }
}
