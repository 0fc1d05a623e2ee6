package dev.parley.sfu.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SsrcContextCacheTest {
    @Test
    void evictsTheLeastRecentlyUsedSsrc() {
        SsrcContextCache<String> cache = new SsrcContextCache<>(3);
        cache.put(1, "a");
        cache.put(2, "b");
        cache.put(3, "c");
        assertEquals("a", cache.get(1)); // 2 is now the least recently used
        cache.put(4, "d");
        assertFalse(cache.contains(2));
        assertTrue(cache.contains(1) && cache.contains(3) && cache.contains(4));
        assertEquals(3, cache.size());
        assertNull(cache.get(2));
    }

    @Test
    void replacesAnExistingSsrcInPlace() {
        SsrcContextCache<String> cache = new SsrcContextCache<>(2);
        cache.put(-1, "a");
        cache.put(-1, "b");
        assertEquals(1, cache.size());
        assertEquals("b", cache.get(-1));
        cache.clear();
        assertNull(cache.get(-1));
        assertThrows(IllegalArgumentException.class, () -> new SsrcContextCache<String>(0));
    }
}
