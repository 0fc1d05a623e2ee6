package dev.parley.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class JoinBacklogTest {
    @Test
    void messagesWaitWhileAJoinIsOnItsWayAndComeOutInOrder() {
        JoinBacklog backlog = new JoinBacklog();
        ClientMessage ping = new ClientMessage.Ping();
        assertEquals(JoinBacklog.Outcome.HANDLE_NOW, backlog.offer(ping), "no join on its way");
        backlog.joinStarted();
        ClientMessage publish = new ClientMessage.Publish("v=0");
        ClientMessage chat = new ClientMessage.Chat("hi");
        assertEquals(JoinBacklog.Outcome.QUEUED, backlog.offer(publish));
        assertEquals(JoinBacklog.Outcome.QUEUED, backlog.offer(chat));
        for (int i = 2; i < JoinBacklog.MAX_WAITING; i++) {
            backlog.offer(ping);
        }
        assertEquals(JoinBacklog.Outcome.FULL, backlog.offer(ping), "a flood before 'joined' is bounded");
        assertEquals(publish, backlog.nextOrFinish());
        assertEquals(chat, backlog.nextOrFinish());
        for (int i = 2; i < JoinBacklog.MAX_WAITING; i++) {
            assertEquals(ping, backlog.nextOrFinish());
        }
        assertNull(backlog.nextOrFinish());
        assertEquals(JoinBacklog.Outcome.HANDLE_NOW, backlog.offer(chat), "once drained, messages are handled as they come");
    }
}
