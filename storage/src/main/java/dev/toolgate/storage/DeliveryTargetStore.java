package dev.toolgate.storage;

import java.util.List;
import java.util.Optional;

/** Delivery targets created through the API, per workspace. */
public interface DeliveryTargetStore {

    /** Stores a new target; throws {@link StorageException} with a duplicate-key cause when its name is taken. */
    void create(DeliveryTarget target);

    List<DeliveryTarget> list(String workspace);

    Optional<DeliveryTarget> find(String workspace, String id);

    /** Replaces name, type, config, secret and severity; false when there is no such target. */
    boolean update(DeliveryTarget target);

    boolean delete(String workspace, String id);
}
