package dev.veer.admin.control;

import dev.veer.config.model.VersionSpec;
import java.util.Set;

/**
 * Told, inside the change that did it, that a version's endpoints were replaced (by the API or by a reload of the
 * file): the rollouts start a redeployed canary's rollout over (RolloutApi#onVersionReplaced).
 */
@FunctionalInterface
public interface VersionReplaced {

    VersionReplaced NONE = (change, service, version, reason) -> { };

    void replaced(Change change, String service, String version, String reason);

    /** Whether {@code after} is another deployment of {@code before}: their endpoints differ as sets, not in order. */
    static boolean redeployed(VersionSpec before, VersionSpec after) {
        return !Set.copyOf(before.endpoints()).equals(Set.copyOf(after.endpoints()));
    }
}
