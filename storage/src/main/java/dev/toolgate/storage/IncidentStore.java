package dev.toolgate.storage;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Incidents and their timelines. Every method is blocking. */
public interface IncidentStore {

    /** A page of incidents and how many match in all. */
    record Page(List<Incident> incidents, long total) {
    }

    /**
     * Adds {@code signal} to the workspace agent's open incident whose last signal is within
     * {@code window} before it, raising its severity to the signal's; when there is none and
     * {@code mayOpen}, opens a new incident with id {@code newId} and {@code title}. Empty when
     * there was none to join and none was opened.
     */
    Optional<Incident> openOrJoin(String workspace, String agent, IncidentEntry signal, Duration window, boolean mayOpen,
                                  String newId, String title);

    Page page(IncidentQuery query);

    Optional<Incident> find(String workspace, String id);

    /** The timeline of an incident, oldest first (by time, then as stored), at most {@code limit} entries. */
    List<IncidentEntry> entries(String incidentId, int limit);

    /**
     * Sets the status ({@link Incident#OPEN} or {@link Incident#RESOLVED}) and records {@code change} on
     * the timeline; empty when the workspace has no such incident. Setting the status it already has
     * changes nothing and records nothing.
     */
    Optional<Incident> changeStatus(String workspace, String id, String status, IncidentEntry change);

    /** Adds a note to the timeline; false when the workspace has no such incident. */
    boolean addNote(String workspace, String id, IncidentEntry note);
}
