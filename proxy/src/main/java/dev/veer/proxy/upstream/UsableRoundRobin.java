package dev.veer.proxy.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin over the usable (healthy, not ejected) endpoints of a list: the turn counts the usable ones alone, so
 * each gets an equal share. Starting at a position of the whole list and skipping to the next usable entry would
 * instead hand every unusable endpoint's turns to the one after it: with one of three down its successor took 2/3 of
 * the version's requests, and with five of ten down in a row (a zone, listed together) the next one took 6/10.
 */
public final class UsableRoundRobin {

    private UsableRoundRobin() {
    }

    /** The next usable endpoint of {@code endpoints} other than {@code skip} (may be null); null when there is none. */
    public static Endpoint next(Endpoint[] endpoints, AtomicInteger turns, Endpoint skip) {
        int usable = 0;
        for (Endpoint e : endpoints) {
            if (e != skip && e.isHealthy()) {
                usable++;
            }
        }
        if (usable == 0) {
            return null;
        }
        int turn = Math.floorMod(turns.getAndIncrement(), usable);
        if (usable == endpoints.length) {
            return endpoints[turn]; // all usable, the usual case: no second pass to find the turn's one
        }
        Endpoint lastUsable = null;
        for (Endpoint e : endpoints) {
            if (e != skip && e.isHealthy()) {
                if (turn == 0) {
                    return e;
                }
                turn--;
                lastUsable = e;
            }
        }
        // One went down between the two passes: another usable one takes the turn.
        return lastUsable;
    }
}
