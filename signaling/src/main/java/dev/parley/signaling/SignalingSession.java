package dev.parley.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.MediaKind;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantInfo;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.RoomFullException;
import dev.parley.sfu.StaleAnswerException;
import dev.parley.sfu.sdp.SdpException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's signaling connection: decodes its messages, drives its {@link Participant}, relays room events.
 * Public only because Jetty invokes its listener methods reflectively; create sessions through {@link SignalingService}.
 */
public final class SignalingSession implements Session.Listener.AutoDemanding, ParticipantListener {
    private static final Logger log = LoggerFactory.getLogger(SignalingSession.class);

    private enum State { NEW, JOINING, JOINED, GONE }

    private final SignalingService service;
    private OutboundQueue out;
    private volatile State state = State.NEW;
    private volatile Participant participant;
    private volatile JoinPermit permit;
    private volatile String room;
    private final CountDownLatch closed = new CountDownLatch(1);

    SignalingSession(SignalingService service) {
        this.service = service;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.out = new OutboundQueue(session);
    }

    @Override
    public void onWebSocketText(String text) {
        if (text.getBytes(StandardCharsets.UTF_8).length > SignalingService.MAX_MESSAGE_BYTES) {
            error("too_large", null, "messages are limited to " + SignalingService.MAX_MESSAGE_BYTES + " bytes");
            return;
        }
        ClientMessage message;
        try {
            message = ClientMessage.decode(service.json(), text);
        } catch (ClientMessage.Invalid e) {
            error(e.code, e.requestType, e.getMessage());
            return;
        }
        handle(message);
    }

    private void handle(ClientMessage message) {
        if (message instanceof ClientMessage.Ping) {
            send(new ServerMessage.Pong());
            return;
        }
        if (message instanceof ClientMessage.Join join) {
            join(join);
            return;
        }
        Participant p = participant;
        if (state != State.JOINED || p == null) {
            error("not_joined", typeOf(message), "send 'join' first");
            return;
        }
        switch (message) {
            case ClientMessage.Publish publish -> {
                if (!permit.canPublish()) {
                    error("forbidden", "publish", "your join token does not allow publishing");
                    return;
                }
                p.publish(publish.sdp()).whenComplete((answer, e) -> {
                    if (e == null) {
                        send(new ServerMessage.PublishAnswer(answer));
                    } else {
                        failed("publish", e);
                    }
                });
            }
            case ClientMessage.SubscriberAnswer answer -> p.acceptSubscriberAnswer(answer.sdp(), answer.version())
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            failed("subscriberAnswer", e);
                        }
                    });
            case ClientMessage.Trickle trickle -> {
                // Parley is ICE-lite: it learns the client's addresses from its checks and needs no candidates.
            }
            case ClientMessage.Mute mute -> p.setMuted(mute.kind().equals("audio") ? MediaKind.AUDIO : MediaKind.VIDEO,
                    mute.muted());
            case ClientMessage.Chat chat -> {
                ServerMessage.Chat relay = new ServerMessage.Chat(p.id(), p.name(), chat.text(), Instant.now().toString());
                for (SignalingSession s : service.sessionsIn(room)) {
                    s.send(relay);
                }
            }
            case ClientMessage.Leave leave -> leave(LeaveReason.LEFT, true);
            case ClientMessage.Ping ping -> send(new ServerMessage.Pong());
            case ClientMessage.Join join -> join(join);
        }
    }

    private void join(ClientMessage.Join join) {
        if (state != State.NEW) {
            error("already_joined", "join", "this connection has already joined a room");
            return;
        }
        if (service.shuttingDown()) {
            error("shutting_down", "join", "the server is shutting down; join again once it is back");
            return;
        }
        JoinPermit granted;
        try {
            granted = service.authorizer().authorize(join.room(), join.name(), join.token());
        } catch (JoinAuthorizer.JoinRefusedException e) {
            error("auth", "join", e.getMessage());
            state = State.GONE;
            out.closeWhenDrained();
            return;
        }
        permit = granted;
        room = join.room();
        state = State.JOINING;
        service.sfu().join(join.room(), granted.name(), this).whenComplete((p, e) -> {
            if (e != null) {
                state = State.NEW;
                Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                if (cause instanceof RoomFullException) {
                    error("room_full", "join", cause.getMessage());
                } else {
                    log.warn("join failed", cause);
                    error("internal", "join", "the join failed: " + cause.getMessage());
                }
            }
        });
    }

    private void leave(LeaveReason reason, boolean tellClient) {
        Participant p = participant;
        State was = state;
        state = State.GONE;
        if (p != null && was == State.JOINED) {
            service.exited(room, this);
            p.leave(reason);
            service.observer().left(room, p.id(), reason.wireName());
        }
        if (tellClient) {
            send(new ServerMessage.Left(reason.wireName()));
            out.closeWhenDrained();
        }
    }

    /** The server is going down: tell the client why, leave the room, close once that is sent. */
    void serverShutdown() {
        if (state == State.JOINED) {
            leave(LeaveReason.SERVER_SHUTDOWN, true);
        }
    }

    boolean awaitClosed(Duration timeout) {
        try {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closed.countDown();
        if (state == State.JOINED) {
            leave(LeaveReason.DISCONNECTED, false);
        } else if (state == State.JOINING) {
            // The join is still on its way: onJoined sees GONE and leaves at once.
            state = State.GONE;
        }
        state = State.GONE;
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("signaling connection error: {}", cause.toString());
    }

    // --- ParticipantListener: called by the room's control thread ---

    @Override
    public void onJoined(Participant self, List<ParticipantInfo> others) {
        participant = self;
        if (state != State.JOINING) {
            self.leave(LeaveReason.DISCONNECTED);
            return;
        }
        state = State.JOINED;
        service.entered(room, this);
        service.observer().joined(room, self.id(), permit);
        send(new ServerMessage.Joined(self.id(), room, others, service.iceServersFor(permit)));
    }

    @Override
    public void onSubscriberOffer(String sdp, int version) {
        send(new ServerMessage.SubscriberOffer(sdp, version));
    }

    @Override
    public void onParticipantJoined(ParticipantInfo other) {
        send(new ServerMessage.ParticipantJoined(other));
    }

    @Override
    public void onParticipantUpdated(ParticipantInfo other) {
        send(new ServerMessage.ParticipantUpdated(other));
    }

    @Override
    public void onParticipantLeft(String participantId, LeaveReason reason) {
        send(new ServerMessage.ParticipantLeft(participantId, reason.wireName()));
    }

    @Override
    public void onRemoved(LeaveReason reason) {
        Participant p = participant;
        if (state == State.JOINED && p != null) {
            state = State.GONE;
            service.exited(room, this);
            service.observer().left(room, p.id(), reason.wireName());
            send(new ServerMessage.Left(reason.wireName()));
            out.closeWhenDrained();
        }
    }

    // --- sending ---

    private void failed(String requestType, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        switch (cause) {
            case SdpException sdp -> error("bad_sdp", requestType, sdp.getMessage());
            case StaleAnswerException stale -> error("stale_answer", requestType, stale.getMessage());
            case IllegalStateException gone -> error("not_joined", requestType, gone.getMessage());
            default -> {
                log.warn("{} failed", requestType, cause);
                error("internal", requestType, "the server could not handle this " + requestType);
            }
        }
    }

    private void error(String code, String requestType, String message) {
        send(new ServerMessage.Error(code, message, requestType));
    }

    void send(ServerMessage message) {
        ObjectNode node = service.json().createObjectNode().put("type", message.type());
        node.setAll((ObjectNode) service.json().valueToTree(message));
        out.send(node.toString());
    }

    private static String typeOf(ClientMessage m) {
        return switch (m) {
            case ClientMessage.Join j -> "join";
            case ClientMessage.Publish p -> "publish";
            case ClientMessage.SubscriberAnswer a -> "subscriberAnswer";
            case ClientMessage.Trickle t -> "trickle";
            case ClientMessage.Mute m2 -> "mute";
            case ClientMessage.Chat c -> "chat";
            case ClientMessage.Ping p -> "ping";
            case ClientMessage.Leave l -> "leave";
        };
    }
}
