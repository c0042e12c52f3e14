package dev.toolgate.proxy.alerts;

import dev.toolgate.config.DeliveriesConfig;
import dev.toolgate.config.UnusableSettingException;
import dev.toolgate.proxy.notify.WebhookScreen;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.DeliveryTarget;
import dev.toolgate.storage.DeliveryTargetStore;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The delivery targets of {@code toolgate.yaml} ({@code deliveries.targets}) in front of the stored
 * ones: listed, found and used by alert rules like the API's, with ids {@code file:<name>}, but
 * changed only in the file (a {@code PATCH} or {@code DELETE} is refused). An API target may not take
 * a file target's name, since the endpoint refuses any name the list already holds.
 */
final class FileDeliveryTargets implements DeliveryTargetStore {
    static final String ID_PREFIX = "file:";

    private final List<DeliveryTarget> fileTargets;
    private final DeliveryTargetStore stored;

    private FileDeliveryTargets(List<DeliveryTarget> fileTargets, DeliveryTargetStore stored) {
        this.fileTargets = List.copyOf(fileTargets);
        this.stored = stored;
    }

    /**
     * Screens each file target's webhook URL as the API would; a refused one stops the gateway from
     * starting, naming the target, rather than failing quietly at the first alert.
     */
    static FileDeliveryTargets over(DeliveryTargetStore stored, List<DeliveriesConfig.Target> configured, WebhookScreen screen,
                                    Instant loadedAt) {
        List<DeliveryTarget> targets = new ArrayList<>();
        for (DeliveriesConfig.Target target : configured) {
            DeliveryType type = DeliveryType.parse(target.type());
            if (type != DeliveryType.EMAIL) {
                String path = "deliveries.targets[" + target.name() + "]." + type.urlField();
                try {
                    screen.check(path, target.destination());
                } catch (ApiError refused) {
                    throw new UnusableSettingException(refused.getMessage());
                }
            }
            targets.add(new DeliveryTarget(ID_PREFIX + target.name(), target.workspace(), target.name(), type.wireName(),
                    Json.text(Json.object().put(type.urlField(), target.destination())), target.secret(),
                    target.defaultSeverity(), loadedAt, loadedAt));
        }
        return new FileDeliveryTargets(targets, stored);
    }

    static boolean fromFile(DeliveryTarget target) {
        return target.id().startsWith(ID_PREFIX);
    }

    @Override
    public void create(DeliveryTarget target) {
        stored.create(target);
    }

    @Override
    public List<DeliveryTarget> list(String workspace) {
        List<DeliveryTarget> all = new ArrayList<>();
        fileTargets.stream().filter(target -> target.workspace().equals(workspace)).forEach(all::add);
        all.addAll(stored.list(workspace));
        return all;
    }

    @Override
    public Optional<DeliveryTarget> find(String workspace, String id) {
        if (id.startsWith(ID_PREFIX)) {
            return fileTargets.stream().filter(target -> target.workspace().equals(workspace) && target.id().equals(id)).findFirst();
        }
        return stored.find(workspace, id);
    }

    @Override
    public boolean update(DeliveryTarget target) {
        return changeable(target.workspace(), target.id()) && stored.update(target);
    }

    @Override
    public boolean delete(String workspace, String id) {
        return changeable(workspace, id) && stored.delete(workspace, id);
    }

    /** True for a stored target's id, false for an unknown file id; throws 409 for a file target. */
    private boolean changeable(String workspace, String id) {
        if (!id.startsWith(ID_PREFIX)) {
            return true;
        }
        if (find(workspace, id).isPresent()) {
            throw new ApiError(HttpResponseStatus.CONFLICT, "DELIVERY_IN_CONFIG", "delivery target '"
                    + id.substring(ID_PREFIX.length()) + "' is defined in toolgate.yaml (deliveries.targets); change it there");
        }
        return false;
    }
}
