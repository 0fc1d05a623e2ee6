package dev.parley.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AddressQuotaTest {
    @Test
    void countsPerAddressRefusesWithoutCountingAndForgetsIdleAddresses() {
        AddressQuota quota = new AddressQuota(2, 2);
        assertTrue(quota.openConnection("10.0.0.1"));
        assertTrue(quota.openConnection("10.0.0.1"));
        assertFalse(quota.openConnection("10.0.0.1"), "a third connection from one address");
        assertTrue(quota.openConnection("10.0.0.2"), "other addresses are not affected");

        assertTrue(quota.enterRoom("10.0.0.1", "a"));
        assertTrue(quota.enterRoom("10.0.0.1", "b"));
        assertFalse(quota.enterRoom("10.0.0.1", "c"), "a third room");
        assertTrue(quota.enterRoom("10.0.0.1", "a"), "another connection into a room already held");
        quota.leaveRoom("10.0.0.1", "a");
        assertFalse(quota.enterRoom("10.0.0.1", "c"), "room a is still held by one connection");
        quota.leaveRoom("10.0.0.1", "a");
        assertTrue(quota.enterRoom("10.0.0.1", "c"), "room a was given back when its last connection left");

        quota.closeConnection("10.0.0.1");
        assertTrue(quota.openConnection("10.0.0.1"), "a closed connection is given back");
        for (String room : new String[] {"b", "c"}) {
            quota.leaveRoom("10.0.0.1", room);
        }
        quota.closeConnection("10.0.0.1");
        quota.closeConnection("10.0.0.1");
        quota.closeConnection("10.0.0.2");
        assertEquals(0, quota.addresses(), "nothing is kept for addresses that hold nothing");
    }
}
