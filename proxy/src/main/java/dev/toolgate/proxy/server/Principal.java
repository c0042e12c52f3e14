package dev.toolgate.proxy.server;

import dev.toolgate.config.Role;

/** The authenticated caller: a configured gateway key's name, role and workspace. */
public record Principal(String name, Role role, String workspace) {

    /** Agents may call the proxy and {@code /api/intercept}; admins may call everything. */
    public boolean mayActAs(Role required) {
        return role == Role.ADMIN || role == required;
    }
}
