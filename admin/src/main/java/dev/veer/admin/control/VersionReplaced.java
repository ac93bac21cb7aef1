package dev.veer.admin.control;

/**
 * Told, inside the change that did it, that a version's endpoints were replaced (by the API or by a reload of the
 * file): the rollouts start a redeployed canary's rollout over (RolloutApi#onVersionReplaced).
 */
@FunctionalInterface
public interface VersionReplaced {

    VersionReplaced NONE = (change, service, version, reason) -> { };

    void replaced(Change change, String service, String version, String reason);
}
