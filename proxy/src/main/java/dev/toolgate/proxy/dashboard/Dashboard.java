package dev.toolgate.proxy.dashboard;

import dev.toolgate.proxy.gate.DecisionObserver;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.GatewayKeys;
import dev.toolgate.proxy.server.RequestStep;
import java.net.URI;
import java.time.Clock;

/**
 * The operator dashboard at {@code /dashboard}: a page served from the jar that signs an admin in
 * with a session cookie and works through the management API, plus a live feed of decisions.
 * {@link dev.toolgate.proxy.Routes} lists its routes; its {@link #sessions() step} goes before
 * authentication; its {@link #liveFeed() feed} observes the gate.
 */
public final class Dashboard {
    private final DashboardAssets assets = new DashboardAssets();
    private final DashboardSessions sessions;
    private final SignInEndpoints signIn;
    private final LiveFeed liveFeed = new LiveFeed();

    public Dashboard(GatewayKeys keys, URI publicUrl, Clock clock) {
        SessionStore store = new SessionStore(clock);
        this.sessions = new DashboardSessions(store, keys);
        this.signIn = new SignInEndpoints(keys, store, new SessionCookie(publicUrl));
    }

    /** The request step that turns a session cookie into the admin's principal, with its CSRF check. */
    public RequestStep sessions() {
        return sessions;
    }

    /** Observes the gate's committed decisions for the live feed. */
    public DecisionObserver liveFeed() {
        return liveFeed;
    }

    /** {@code GET /dashboard}. */
    public Endpoint page() {
        return assets::page;
    }

    /** {@code GET /dashboard/assets/:file}. */
    public Endpoint asset() {
        return assets::asset;
    }

    /** {@code POST /dashboard/sign-in}. */
    public Endpoint signIn() {
        return signIn::signIn;
    }

    /** {@code POST /dashboard/sign-out}. */
    public Endpoint signOut() {
        return signIn::signOut;
    }

    /** {@code GET /dashboard/api/session}. */
    public Endpoint session() {
        return signIn::session;
    }

    /** {@code GET /dashboard/api/feed}. */
    public Endpoint feed() {
        return liveFeed::open;
    }

    /** Ends the live feeds: at shutdown, before the gateway waits for requests in flight. */
    public void endStreams() {
        liveFeed.endStreams();
    }
}
